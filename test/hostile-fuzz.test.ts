/**
 * @module The seeded mutation fuzzer in `npm test`: a few thousand mutated request and frame streams
 * against a live server. Zero crashes, zero connections left hanging, the control session keeps its
 * heartbeat, and every session the fuzzer opened is reclaimed. `scripts/fuzz.mjs` runs more.
 */

import { expect } from "chai";
import { request } from "./helpers/http.js";
import { waitUntil } from "./helpers/events.js";
import { fuzzServer } from "./hostile/fuzz.js";
import { arena, heapReturnsToBaseline } from "./hostile/harness.js";

const SEED = Number(process.env["HW_FUZZ_SEED"] ?? 20261125);
const COUNT = Number(process.env["HW_FUZZ_COUNT"] ?? 3000);

describe("hostile input: seeded mutation fuzzing", () => {
  heapReturnsToBaseline(48);

  it(`${COUNT} mutated request and frame streams (seed ${SEED}): all answered or closed, server unharmed`, async function () {
    this.timeout(90_000);
    const a = await arena({ maxHttpBufferSize: 100_000, httpBodyTimeout: 500, upgradeTimeout: 500 });
    const crashes: unknown[] = [];
    const onCrash = (error: unknown): void => void crashes.push(error);
    process.on("uncaughtException", onCrash);
    try {
      const report = await fuzzServer({ port: a.srv.port, seed: SEED, count: COUNT });
      expect(report.hung, `hung cases (seed ${SEED})`).to.deep.equal([]);
      expect(crashes).to.deep.equal([]);
      // Most mutations must still reach the engine (not all refused by the HTTP parser).
      const engineAnswers = Object.entries(report.outcomes).filter(([k]) => /^http (200|400|403|408|413|500|101)|^ws/.test(k)).reduce((n, [, v]) => n + v, 0);
      expect(engineAnswers).to.be.greaterThan(COUNT / 4);
      expect((await request(`${a.srv.url}/engine.io/?EIO=4&transport=polling`)).status).to.equal(200);
      await waitUntil(() => a.srv.server.clientsCount <= 2, 5000, "fuzz sessions reclaimed");
    } finally {
      process.off("uncaughtException", onCrash);
      await a.done();
    }
  });
});
