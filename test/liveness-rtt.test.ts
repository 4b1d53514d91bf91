/**
 * @module Round-trip time from the heartbeat itself, with no extra packets, through a relay adding
 * a known delay: the server times ping written → pong read, the client reads RTT from the spacing
 * of pings. Asserted with bounds only a real bug can miss (a sample below the relay's delay, or one
 * that still contains pingInterval); the accuracy figures are a load test
 * (test/load/liveness-rtt.load.ts, `npm run test:load`).
 */

import { expect } from "chai";
import { Socket as OurClient } from "@heartwire/client";
import { Socket as OfficialClient } from "engine.io-client";
import type { Socket as ServerSocket } from "@heartwire/server";
import { startOfficialServer, startServer } from "./helpers/servers.js";
import { collect, once } from "./helpers/events.js";
import { startRelay } from "./helpers/relay.js";

const ONE_WAY_DELAY = 20;
const TRUE_RTT = 2 * ONE_WAY_DELAY;
const TIMING = { pingInterval: 500, pingTimeout: 5000 };
const SAMPLES = 3;
/** Host timers may fire ~2 ms early, so the relay's two delays together may be ~4 ms short. */
const AT_LEAST = TRUE_RTT - 5;
/** Far above any scheduling delay on a busy machine, far below a sample that contains pingInterval. */
const AT_MOST = TRUE_RTT + TIMING.pingInterval / 2;

describe("liveness: round-trip time from the heartbeat", function () {
  this.timeout(30_000);

  for (const transport of ["websocket", "polling"] as const) {
    it(`${transport}: our client and our server both measure the round trip`, async () => {
      await using srv = await startServer(TIMING);
      await using relay = await startRelay(srv.port, "127.0.0.1", { delayMs: ONE_WAY_DELAY });
      const connection = once<[ServerSocket]>(srv.server, "connection");
      const client = new OurClient(`http://127.0.0.1:${relay.port}`, { transports: [transport] });
      try {
        const [serverSocket] = await connection;
        expect(serverSocket.rtt).to.equal(undefined);
        expect(client.rtt).to.equal(undefined);
        const [serverSamples, clientSamples] = await Promise.all([
          collect<number>(serverSocket, "rtt", SAMPLES, 20_000),
          collect<number>(client, "rtt", SAMPLES, 20_000),
        ]);
        for (const s of serverSamples) expect(s).to.be.within(AT_LEAST, AT_MOST);
        for (const s of clientSamples) expect(s).to.be.within(AT_LEAST, AT_MOST);
        expect(serverSocket.rtt).to.equal(serverSamples.at(-1));
        expect(client.rtt).to.equal(clientSamples.at(-1));
        expect(serverSocket.smoothedRtt).to.be.within(AT_LEAST, AT_MOST);
        expect(client.smoothedRtt).to.be.within(AT_LEAST, AT_MOST);
      } finally {
        client.close();
      }
    });
  }

  it("our client measures the round trip against the official server too", async () => {
    await using srv = await startOfficialServer(TIMING);
    await using relay = await startRelay(srv.port, "127.0.0.1", { delayMs: ONE_WAY_DELAY });
    const client = new OurClient(`http://127.0.0.1:${relay.port}`, { transports: ["websocket"] });
    try {
      const samples = await collect<number>(client, "rtt", SAMPLES, 20_000);
      for (const s of samples) expect(s).to.be.within(AT_LEAST, AT_MOST);
    } finally {
      client.close();
    }
  });

  it("our server measures the round trip of the official client", async () => {
    await using srv = await startServer(TIMING);
    await using relay = await startRelay(srv.port, "127.0.0.1", { delayMs: ONE_WAY_DELAY });
    const connection = once<[ServerSocket]>(srv.server, "connection");
    const client = new OfficialClient(`http://127.0.0.1:${relay.port}`, { transports: ["websocket"] });
    try {
      const [serverSocket] = await connection;
      const samples = await collect<number>(serverSocket, "rtt", SAMPLES, 20_000);
      for (const s of samples) expect(s).to.be.within(AT_LEAST, AT_MOST);
    } finally {
      client.close();
    }
  });
});
