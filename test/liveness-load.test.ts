/**
 * @module No false alarms while our own loop stalls, in a size any machine handles: 50 lean clients
 * (another process, each keeping the client-side deadline) and the server's event loop blocked again
 * and again for stretches far shorter than pingTimeout; no socket closes on either side. Large
 * messages in flight do not make either side time out. The 2,000-client version with stalls of
 * pingTimeout − 200 ms and 8 MiB messages on a 300 ms pingTimeout is a load test
 * (test/load/liveness-load.load.ts, `npm run test:load`).
 */

import { expect } from "chai";
import { performance } from "node:perf_hooks";
import { Socket as OurClient } from "@heartwire/client";
import type { Socket as ServerSocket } from "@heartwire/server";
import { startServer } from "./helpers/servers.js";
import { fixturePath, startChildPeer } from "./helpers/child-peer.js";
import { once, waitUntil } from "./helpers/events.js";

const CLIENTS = 50;

function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("liveness: no false alarms while our loop stalls", function () {
  this.timeout(60_000);

  // pingTimeout 3 s against stalls of 300 ms: a client is only closed if a stall is wrongly blamed
  // on it, or if 50 pongs take seconds to be read (a bug, not a slow machine).
  it(`${CLIENTS} clients, pingInterval 200 / pingTimeout 3000, stalls of 300 ms: nothing closes`, async () => {
    await using srv = await startServer({ pingInterval: 200, pingTimeout: 3000 });
    const closes = new Map<string, number>();
    const beats = new Map<ServerSocket, number>();
    srv.server.on("connection", (socket: ServerSocket) => {
      socket.on("close", (reason) => closes.set(reason, (closes.get(reason) ?? 0) + 1));
      socket.on("heartbeat", () => beats.set(socket, (beats.get(socket) ?? 0) + 1));
    });
    await using clients = await startChildPeer(fixturePath("lean-clients.mjs"), [String(srv.port), String(CLIENTS)], 30_000);
    expect(clients.ready["open"]).to.equal(CLIENTS);

    for (let i = 0; i < 5; i++) {
      stall(300);
      await sleep(100 + Math.random() * 200);
    }
    // The heartbeat ran through the stalls: every client answers two more pings after the last one.
    const after = new Map(beats);
    await waitUntil(() => [...beats].filter(([socket, n]) => n >= (after.get(socket) ?? 0) + 2).length === CLIENTS, 20_000, "two more pongs from every client");
    clients.send("report");
    const report = await clients.waitForReport((r) => "missedDeadlines" in r, 10_000);

    expect(Object.fromEntries(closes), "server-side closes").to.deep.equal({});
    expect(report["closed"], "client-side closes").to.equal(0);
    expect(report["missedDeadlines"], "client-side deadlines missed").to.equal(0);
    expect(srv.server.clientsCount).to.equal(CLIENTS);
  });

  for (const direction of ["server → client", "client → server"] as const) {
    it(`1 MiB messages ${direction} over websocket do not trip a 200 / 3000 ms heartbeat`, async () => {
      const big = "x".repeat(1024 * 1024);
      await using srv = await startServer({ pingInterval: 200, pingTimeout: 3000, maxHttpBufferSize: 4 * 1024 * 1024 });
      const connection = once<[ServerSocket]>(srv.server, "connection");
      const client = new OurClient(srv.url, { transports: ["websocket"] });
      try {
        const [serverSocket] = await connection;
        await once(client, "open");
        const closes: string[] = [];
        serverSocket.on("close", (r) => closes.push(`server: ${r}`));
        client.on("close", (r: string) => closes.push(`client: ${r}`));
        for (let i = 0; i < 5; i++) {
          const [from, to] = direction === "server → client" ? [serverSocket, client] : [client, serverSocket];
          const got = once(to, "message", { timeoutMs: 10_000 });
          from.send(big);
          const [data] = await got.catch((error: Error) => Promise.reject(new Error(`${error.message}; closes: ${closes.join(", ")}`)));
          expect((data as string).length).to.equal(big.length);
        }
        await once(serverSocket, "heartbeat", { timeoutMs: 5000 });
        expect(closes).to.deep.equal([]);
      } finally {
        client.close();
      }
    });
  }
});
