/**
 * @module No false alarms when the server's event loop stalls. Pongs that arrived during a stall
 * are read before a heartbeat deadline is declared, and the next ping is not pushed past the
 * client's deadline by our own stall. engine.io closes nearly every healthy client after a stall of
 * 1.25 × pingTimeout right after a ping; we must close none. Clients run in other processes, so
 * they keep answering while this process is blocked.
 *
 * The intervals leave the client processes at least 300 ms to answer a ping beyond the stall, so a
 * client that another process keeps off a core for a while (a busy 2-core machine) still answers
 * in time: a close here means our handling of the stall is wrong, not that the machine is slow.
 */

import { expect } from "chai";
import { performance } from "node:perf_hooks";
import type { Socket } from "@heartwire/server";
import { startServer } from "./helpers/servers.js";
import { fixturePath, startChildPeer, type ChildPeer } from "./helpers/child-peer.js";
import { collect, once } from "./helpers/events.js";

/** Blocks this process's event loop for `ms`, as a busy application would. */
function stall(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function startClients(url: string, transport: string, count: number): Promise<ChildPeer[]> {
  const peers: ChildPeer[] = [];
  for (let i = 0; i < count; i++) peers.push(await startChildPeer(fixturePath("client.mjs"), ["engine.io-client", url, transport]));
  return peers;
}

describe("liveness: server stalls do not close healthy clients", function () {
  this.timeout(30_000);

  for (const transport of ["websocket", "polling"] as const) {
    it(`${transport}: stalls of 1.25 × pingTimeout right after a ping close nothing on either side`, async () => {
      // The client answers during the stall; it has the whole stall (1.25 s) to do so. Its own
      // deadline (pingInterval + pingTimeout after a ping, 1.6 s) stays 350 ms beyond the stall.
      const PING_TIMEOUT = 1000;
      await using srv = await startServer({ pingInterval: 600, pingTimeout: PING_TIMEOUT, echo: true });
      const connected = once<[Socket]>(srv.server, "connection", { timeoutMs: 10_000 });
      const peers = await startClients(srv.url, transport, 1);
      try {
        const [socket] = await connected;
        const closes: string[] = [];
        socket.on("close", (reason) => closes.push(reason));

        for (let round = 0; round < 3; round++) {
          // Flushed, not just queued: a polling ping waits for the client's next GET, and stalling
          // before that GET is read would hold the ping back past the client's own deadline.
          await once(socket, "flush", { timeoutMs: 5000, filter: (buffer: { type: string }[]) => buffer.some((p) => p.type === "ping") });
          stall(1.25 * PING_TIMEOUT);
          await once(socket, "heartbeat", { timeoutMs: 5000 });
        }
        // And the client did not give up on us either: it is still answering.
        await once(socket, "heartbeat", { timeoutMs: 5000 });
        expect(closes).to.deep.equal([]);
        expect(socket.readyState).to.equal("open");
      } finally {
        for (const p of peers) await p.kill();
      }
    });

    it(`${transport}: stalls of pingTimeout − 300 ms at random moments close none of several clients`, async () => {
      // A stall may start just before a pong arrives: the pong still has 300 ms beyond it. Stalls are
      // at least 50 ms apart (time to read what waited and flush a due ping), so one stall delays a
      // ping at most once, and the clients' deadline (1.2 s after a ping) stays 300 ms beyond that.
      const PING_TIMEOUT = 1000;
      await using srv = await startServer({ pingInterval: 200, pingTimeout: PING_TIMEOUT, echo: true });
      const connected = collect<Socket>(srv.server, "connection", 4, 10_000);
      const peers = await startClients(srv.url, transport, 4);
      try {
        const sockets = await connected;
        const closes: string[] = [];
        let beats = 0;
        for (const s of sockets) {
          s.on("close", (reason) => closes.push(reason));
          s.on("heartbeat", () => beats++);
        }
        for (let i = 0; i < 6; i++) {
          await sleep(50 + Math.random() * 300);
          stall(PING_TIMEOUT - 300);
        }
        const before = beats;
        await Promise.all(sockets.map((s) => once(s, "heartbeat", { timeoutMs: 5000 })));
        expect(beats).to.be.greaterThan(before);
        expect(closes).to.deep.equal([]);
      } finally {
        for (const p of peers) await p.kill();
      }
    });
  }
});
