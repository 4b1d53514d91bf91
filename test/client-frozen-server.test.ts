/**
 * @module A frozen server (SIGSTOP of a child process: its sockets stay open, nothing answers) is
 * detected by our client within pingInterval + pingTimeout of the last ping, with real timers.
 */

import { expect } from "chai";
import { performance } from "node:perf_hooks";
import { Socket } from "@heartwire/client";
import { fixturePath, startChildPeer } from "./helpers/child-peer.js";
import { collect, once } from "./helpers/events.js";

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
/** Timer lateness and scheduling on a loaded 2-core machine. */
const ALLOWANCE = 150;

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
});
