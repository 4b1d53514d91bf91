/**
 * @module Load test (`npm run test:load`; needs an otherwise idle machine): 300 ReconnectingSockets
 * that lose the same server spread their arrivals over the backoff window (no 100 ms slice gets
 * more than a fifth of them). `npm test` checks the drawn delays and that all come back
 * (test/client-reconnect.test.ts); when they arrive depends on how fast the machine opens them.
 */

import { expect } from "chai";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { attach } from "engine.io";
import { ReconnectingSocket } from "@heartwire/client";
import { once } from "../helpers/events.js";

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

describe("ReconnectingSocket (load): a crowd's arrivals", () => {
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
      const arrivalBuckets = new Map<number, number>();
      for (const a of arrivals) arrivalBuckets.set(Math.floor(a / 100), (arrivalBuckets.get(Math.floor(a / 100)) ?? 0) + 1);
      const busiest = Math.max(...arrivalBuckets.values());
      expect(busiest, `arrivals per 100 ms: ${JSON.stringify([...arrivalBuckets].sort((x, y) => x[0] - y[0]))}`).to.be.at.most(COUNT * 0.2);
      expect(Math.max(...arrivals) - Math.min(...arrivals)).to.be.above(700);
    } finally {
      for (const c of clients) c.close();
      await server.close();
    }
  });
});
