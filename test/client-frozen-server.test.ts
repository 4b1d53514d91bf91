/**
 * @module A frozen server (SIGSTOP of a child process: its sockets stay open, nothing answers) is
 * detected by our client within pingInterval + pingTimeout of the last ping, with real timers; a
 * handshake it never answers ends at `openTimeout`, and a reconnecting socket gets through once the
 * server thaws.
 */

import { expect } from "chai";
import { performance } from "node:perf_hooks";
import { ReconnectingSocket, Socket, TransportError } from "@heartwire/client";
import { fixturePath, startChildPeer } from "./helpers/child-peer.js";
import { collect, once } from "./helpers/events.js";

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
/**
 * Only catches a deadline that never fires: a loaded machine may delay a wake-up by a lot, and the
 * bound itself is measured by the load test test/load/liveness-fault.load.ts. The lower bounds
 * (never before pingInterval + pingTimeout) are what a fast machine cannot fake.
 */
const ALLOWANCE = 3000;

describe("@heartwire/client: frozen official server", () => {
  for (const transports of [["websocket"], ["polling"], ["polling", "websocket"]]) {
    it(`over ${JSON.stringify(transports)} closes with 'ping timeout' within pingInterval + pingTimeout`, async () => {
      await using server = await startChildPeer(fixturePath("server.mjs"), ["engine.io", String(PING_INTERVAL), String(PING_TIMEOUT)]);
      const socket = new Socket(`http://127.0.0.1:${String(server.ready["port"])}`, { transports });
      try {
        let lastPingAt = 0;
        socket.on("ping", () => (lastPingAt = performance.now()));
        await once(socket, "open");
        if (transports.length === 2) await once(socket, "upgrade");
        await collect(socket, "ping", 2, 3000);
        const closed = once<[string]>(socket, "close", { timeoutMs: 5000 });
        server.freeze();
        const frozenAt = performance.now();
        const [reason] = await closed;
        const closedAt = performance.now();
        expect(reason).to.equal("ping timeout");
        const sinceLastPing = closedAt - lastPingAt;
        expect(sinceLastPing).to.be.at.least(PING_INTERVAL + PING_TIMEOUT - 5);
        expect(sinceLastPing).to.be.at.most(PING_INTERVAL + PING_TIMEOUT + ALLOWANCE);
        expect(closedAt - frozenAt).to.be.at.most(PING_INTERVAL + PING_TIMEOUT + ALLOWANCE);
      } finally {
        socket.close();
        server.thaw();
        await server.kill();
      }
    });
  }

  for (const transports of [["websocket"], ["polling"]]) {
    it(`over ${JSON.stringify(transports)} a handshake the frozen server never answers ends at openTimeout`, async () => {
      await using server = await startChildPeer(fixturePath("server.mjs"), ["engine.io", String(PING_INTERVAL), String(PING_TIMEOUT)]);
      server.freeze();
      try {
        // The kernel still accepts the connection; the process never answers the handshake.
        const startedAt = performance.now();
        const socket = new Socket(`http://127.0.0.1:${String(server.ready["port"])}`, { transports, openTimeout: 400 });
        const [reason, error] = await once<[string, unknown]>(socket, "close", { timeoutMs: 5000 });
        const elapsed = performance.now() - startedAt;
        expect(reason).to.equal("transport error");
        expect(error).to.be.instanceOf(TransportError).and.include({ code: "HW_ERR_TIMEOUT", message: "open timeout" });
        expect(elapsed).to.be.within(400 - 5, 400 + ALLOWANCE);
      } finally {
        server.thaw();
        await server.kill();
      }
    });
  }

  it("a ReconnectingSocket retries a frozen server at each openTimeout and opens once it thaws", async () => {
    await using server = await startChildPeer(fixturePath("server.mjs"), ["engine.io", String(PING_INTERVAL), String(PING_TIMEOUT)]);
    server.freeze();
    const rs = new ReconnectingSocket(`http://127.0.0.1:${String(server.ready["port"])}`, { transports: ["websocket"], openTimeout: 300, reconnectionDelay: 50, reconnectionDelayMax: 50 });
    try {
      const failed = await collect<string>(rs, "close", 2, 5000);
      expect(failed).to.deep.equal(["transport error", "transport error"]);
      server.thaw();
      await once(rs, "open", { timeoutMs: 5000 });
      expect(rs.readyState).to.equal("open");
    } finally {
      rs.close();
      server.thaw();
      await server.kill();
    }
  });
});
