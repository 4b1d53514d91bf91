/**
 * @module ReconnectingSocket against a real server: a new session after a restart, queued messages
 * delivered, a 403 refusal stops retries, and ~300 clients that lose the same server draw their
 * retry delays over the whole backoff window (their arrival spread is a load test,
 * test/load/client-reconnect.load.ts).
 */

import { expect } from "chai";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { attach } from "engine.io";
import { ReconnectingSocket } from "@heartwire/client";
import { once } from "./helpers/events.js";

interface Engine {
  on(event: "connection", listener: (socket: { id: string; on(e: "message", l: (d: unknown) => void): void; send(d: unknown): void }) => void): void;
  close(): void;
}

/** The official engine.io server on 127.0.0.1, on a given port (0 = any), restartable on the same port. */
async function officialOn(port: number, options: Record<string, unknown> = {}): Promise<{ port: number; engine: Engine; http: HttpServer; close(): Promise<void> }> {
  const http = createServer();
  const engine = attach(http, options) as unknown as Engine;
  engine.on("connection", (socket) => socket.on("message", (d) => socket.send(d)));
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, "127.0.0.1", () => resolve());
  });
  const close = () =>
    new Promise<void>((resolve) => {
      engine.close();
      http.close(() => resolve());
      http.closeAllConnections();
    });
  return { port: (http.address() as AddressInfo).port, engine, http, close };
}

describe("ReconnectingSocket against a real server", () => {
  it("reopens with a new sid after the server restarts and delivers what was queued", async () => {
    let server = await officialOn(0);
    const rs = new ReconnectingSocket(`http://127.0.0.1:${server.port}`, {
      transports: ["websocket"], reconnectionDelay: 50, reconnectionDelayMax: 100, queueSize: 10,
    });
    try {
      await once(rs, "open");
      const firstId = rs.socket!.id;
      const lost = once(rs, "close");
      await server.close();
      await lost;
      rs.send("queued while down");
      server = await officialOn(server.port);
      const reconnected = once<[number]>(rs, "reconnect", { timeoutMs: 5000 });
      const echo = once<[string]>(rs, "message", { timeoutMs: 5000 });
      const [attempt] = await reconnected;
      expect(attempt).to.be.at.least(1);
      expect(rs.socket!.id).to.be.a("string").and.not.equal(firstId);
      expect((await echo)[0]).to.equal("queued while down");
    } finally {
      rs.close();
      await server.close();
    }
  });

  it("stops retrying when the server refuses the handshake (allowRequest → 403)", async () => {
    const server = await officialOn(0, { allowRequest: (_req: unknown, cb: (err: string | null, ok: boolean) => void) => cb("go away", false) });
    const rs = new ReconnectingSocket(`http://127.0.0.1:${server.port}`, { transports: ["polling"], reconnectionDelay: 10 });
    try {
      let attempts = 0;
      rs.on("reconnect_attempt", () => attempts++);
      const [details] = await once<[{ status?: number }]>(rs, "reconnect_failed");
      expect(details.status).to.equal(403);
      expect(rs.readyState).to.equal("closed");
      expect(attempts).to.equal(0);
    } finally {
      rs.close();
      await server.close();
    }
  });

  it("300 clients that lose the same server spread their retries over the backoff window", async function () {
    this.timeout(30_000);
    const COUNT = 300;
    const WINDOW = 1000; // reconnectionDelay: the first retry is uniform in [0, 1000] ms
    let server = await officialOn(0);
    const port = server.port;
    const clients: ReconnectingSocket[] = [];
    try {
      for (let i = 0; i < COUNT; i++) {
        clients.push(new ReconnectingSocket(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnectionDelay: WINDOW }));
      }
      await Promise.all(clients.map((c) => once(c, "open", { timeoutMs: 15_000 })));
      const firstDelays: number[] = [];
      for (const c of clients) c.on("reconnect_scheduled", (attempt, delay) => attempt === 1 && firstDelays.push(delay));
      const allBack = Promise.all(clients.map((c) => once(c, "reconnect", { timeoutMs: 15_000 })));
      const lostAt = performance.now();
      await server.close();
      server = await officialOn(port);
      const arrivals: number[] = [];
      server.engine.on("connection", () => arrivals.push(performance.now() - lostAt));
      await allBack;

      expect(firstDelays).to.have.length(COUNT);
      expect(Math.min(...firstDelays)).to.be.at.least(0).and.below(100);
      expect(Math.max(...firstDelays)).to.be.at.most(WINDOW).and.above(900);
      const buckets = new Array<number>(10).fill(0);
      for (const d of firstDelays) buckets[Math.min(9, Math.floor(d / 100))]!++;
      for (const b of buckets) expect(b, `delay histogram ${JSON.stringify(buckets)}`).to.be.within(10, 60);

      expect(arrivals).to.have.length(COUNT);
      // How the arrivals spread over time depends on the machine's speed: a load test
      // (test/load/client-reconnect.load.ts). Every client came back on its own drawn delay.
    } finally {
      for (const c of clients) c.close();
      await server.close();
    }
  });
});
