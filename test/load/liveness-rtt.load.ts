/**
 * @module Load test (`npm run test:load`; needs an otherwise idle machine): the accuracy of the
 * round-trip time from the heartbeat itself, with no extra packets: the server times ping
 * written → pong read; the client reads RTT from the spacing of pings (the next ping leaves
 * pingInterval after our pong arrives). A relay adds a known delay so accuracy can be measured.
 */

import { expect } from "chai";
import { Socket as OurClient } from "@heartwire/client";
import { Socket as OfficialClient } from "engine.io-client";
import type { Socket as ServerSocket } from "@heartwire/server";
import { startOfficialServer, startServer } from "../helpers/servers.js";
import { collect, once } from "../helpers/events.js";
import { startRelay } from "../helpers/relay.js";

const ONE_WAY_DELAY = 20;
const TRUE_RTT = 2 * ONE_WAY_DELAY;
const TIMING = { pingInterval: 120, pingTimeout: 400 };
const SAMPLES = 6;

const accuracy: string[] = [];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}
function report(label: string, samples: number[]): void {
  const errors = samples.map((s) => s - TRUE_RTT);
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  accuracy.push(`    ${label}: error vs ${TRUE_RTT} ms min ${Math.min(...errors).toFixed(1)} / mean ${mean.toFixed(1)} / max ${Math.max(...errors).toFixed(1)} ms (n=${samples.length})`);
}

describe("liveness (load): round-trip time accuracy from the heartbeat", function () {
  this.timeout(20_000);
  after(() => {
    if (accuracy.length) console.log(`\n  RTT accuracy through a relay adding ${ONE_WAY_DELAY} ms each way:\n${accuracy.join("\n")}`);
  });

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
          collect<number>(serverSocket, "rtt", SAMPLES, 10_000),
          collect<number>(client, "rtt", SAMPLES, 10_000),
        ]);
        report(`server (${transport})`, serverSamples);
        report(`client vs our server (${transport})`, clientSamples);
        // The server's sample is a direct measurement: never below the true RTT, and typically a
        // few ms above (the median is asserted, so one sample delayed by a busy machine is fine).
        for (const s of serverSamples) expect(s).to.be.at.least(TRUE_RTT - 1);
        expect(median(serverSamples)).to.be.within(TRUE_RTT - 1, TRUE_RTT + 25);
        // The client's is inferred from ping spacing, so the server's timer lateness adds to it.
        expect(median(clientSamples)).to.be.within(TRUE_RTT - 10, TRUE_RTT + 35);
        expect(serverSocket.rtt).to.equal(serverSamples.at(-1));
        expect(client.smoothedRtt).to.be.within(TRUE_RTT - 10, TRUE_RTT + 45);
        expect(serverSocket.smoothedRtt).to.be.within(TRUE_RTT - 1, TRUE_RTT + 35);
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
      const samples = await collect<number>(client, "rtt", SAMPLES, 10_000);
      report("client vs engine.io", samples);
      expect(median(samples)).to.be.within(TRUE_RTT - 10, TRUE_RTT + 35);
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
      const samples = await collect<number>(serverSocket, "rtt", SAMPLES, 10_000);
      report("server vs engine.io-client", samples);
      for (const s of samples) expect(s).to.be.at.least(TRUE_RTT - 1);
      expect(median(samples)).to.be.within(TRUE_RTT - 1, TRUE_RTT + 25);
    } finally {
      client.close();
    }
  });
});
