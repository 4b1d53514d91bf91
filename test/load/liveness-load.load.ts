/**
 * @module Load test (`npm run test:load`; needs an otherwise idle machine). No false alarms under load: with a couple of thousand clients (lean clients in another
 * process, each keeping the client-side deadline) at a short interval, and the server's event loop
 * blocked again and again for stretches shorter than pingTimeout, no socket closes on either side.
 * Also: large messages in flight do not make either side time out on a link that carries them.
 */

import { expect } from "chai";
import { performance } from "node:perf_hooks";
import { Socket as OurClient } from "@heartwire/client";
import type { Socket as ServerSocket } from "@heartwire/server";
import { startServer } from "../helpers/servers.js";
import { fixturePath, startChildPeer } from "../helpers/child-peer.js";
import { once } from "../helpers/events.js";

const CLIENTS = 2000;

function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("liveness (load): no false alarms under load", function () {
  this.timeout(60_000);

  // Stalls of pingTimeout − 200 ms: the margin left covers the lean-client process answering
  // 2,000 pings in a burst after each stall on a shared 2-core machine.
  it(`${CLIENTS} clients, pingInterval 300 / pingTimeout 500, stalls of 300 ms: nothing closes`, async () => {
    await using srv = await startServer({ pingInterval: 300, pingTimeout: 500 });
    const closes = new Map<string, number>();
    let heartbeats = 0;
    srv.server.on("connection", (socket: ServerSocket) => {
      socket.on("close", (reason) => closes.set(reason, (closes.get(reason) ?? 0) + 1));
      socket.on("heartbeat", () => heartbeats++);
    });
    await using clients = await startChildPeer(fixturePath("lean-clients.mjs"), [String(srv.port), String(CLIENTS)], 30_000);
    expect(clients.ready["open"]).to.equal(CLIENTS);
    await sleep(700); // every client through at least one ping before the stalls start

    const beatsBefore = heartbeats;
    for (let i = 0; i < 10; i++) {
      stall(300);
      await sleep(100 + Math.random() * 300);
    }
    await sleep(900); // let every client go through one more full ping cycle after the last stall
    clients.send("report");
    const report = await clients.waitForReport((r) => "missedDeadlines" in r, 5000);

    expect(Object.fromEntries(closes), "server-side closes").to.deep.equal({});
    expect(report["closed"], "client-side closes").to.equal(0);
    expect(report["missedDeadlines"], "client-side deadlines missed").to.equal(0);
    expect(srv.server.clientsCount).to.equal(CLIENTS);
    // The heartbeat really ran through the stalls: several pongs per client.
    expect(heartbeats - beatsBefore).to.be.greaterThan(CLIENTS * 3);
  });

  for (const direction of ["server → client", "client → server"] as const) {
    // 8 MiB takes ~20 ms on loopback; the 300 ms pingTimeout leaves room for a loaded machine
    // to parse it, while a pong stuck behind our own buffers for a whole transfer would not fit.
    it(`8 MiB messages ${direction} over websocket do not trip a 200 / 300 ms heartbeat`, async () => {
      const big = "x".repeat(8 * 1024 * 1024);
      await using srv = await startServer({ pingInterval: 200, pingTimeout: 300, maxHttpBufferSize: 32 * 1024 * 1024 });
      const connection = once<[ServerSocket]>(srv.server, "connection");
      const client = new OurClient(srv.url, { transports: ["websocket"] });
      try {
        const [serverSocket] = await connection;
        await once(client, "open");
        const closes: string[] = [];
        serverSocket.on("close", (r) => closes.push(`server: ${r}`));
        client.on("close", (r: string) => closes.push(`client: ${r}`));
        for (let i = 0; i < 5; i++) {
          if (direction === "server → client") {
            const got = once(client, "message", { timeoutMs: 10_000 });
            serverSocket.send(big);
            const [data] = await got.catch((error: Error) => Promise.reject(new Error(`${error.message}; closes: ${closes.join(", ")}`)));
            expect((data as string).length).to.equal(big.length);
          } else {
            const got = once(serverSocket, "message", { timeoutMs: 10_000 });
            client.send(big);
            const [data] = await got.catch((error: Error) => Promise.reject(new Error(`${error.message}; closes: ${closes.join(", ")}`)));
            expect((data as string).length).to.equal(big.length);
          }
        }
        await once(serverSocket, "heartbeat", { timeoutMs: 2000 });
        expect(closes).to.deep.equal([]);
      } finally {
        client.close();
      }
    });
  }
});
