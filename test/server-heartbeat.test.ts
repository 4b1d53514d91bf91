/** @module Heartbeat end to end on real timers with short intervals (100 ms / 100 ms). */

import { expect } from "chai";
import { Socket as ClientSocket } from "engine.io-client";
import type { Socket } from "@heartwire/server";
import { collect, once, type Listenable } from "./helpers/events.js";
import { engineUrl } from "./helpers/http.js";
import { startServer } from "./helpers/servers.js";
import { WsPeer } from "./helpers/ws.js";

describe("server heartbeat (real timers)", () => {
  for (const transports of [["websocket"], ["polling"]]) {
    it(`keeps an official ${transports[0]} client alive across many ping rounds and reports RTT`, async () => {
      await using srv = await startServer({ pingInterval: 100, pingTimeout: 100 });
      const connection = once<[Socket]>(srv.server, "connection");
      const client = new ClientSocket(srv.url, { transports });
      client.on("error", () => {});
      try {
        const [socket] = await connection;
        const rtts = await collect<number>(socket, "rtt", 4, 3000);
        for (const rtt of rtts) expect(rtt).to.be.within(0, 100);
        expect(socket.rtt).to.be.a("number");
        expect(socket.smoothedRtt).to.be.a("number");
        expect(socket.readyState).to.equal("open");
        expect(client.readyState).to.equal("open");
      } finally {
        client.close();
      }
    });
  }

  it("a peer that stops answering is closed within pingInterval + pingTimeout", async () => {
    await using srv = await startServer({ pingInterval: 100, pingTimeout: 100 });
    const connection = once<[Socket]>(srv.server, "connection");
    await using peer = await WsPeer.open(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }));
    const [socket] = await connection;
    const started = Date.now();
    const [reason] = await once<[string]>(socket, "close", { timeoutMs: 2000 });
    const elapsed = Date.now() - started;
    expect(reason).to.equal("ping timeout");
    expect(elapsed).to.be.within(180, 600);
    expect(peer.pending.filter((f) => f === "2")).to.have.length(1);
  });

  it("the official client sees the server vanish as 'ping timeout' or 'transport close'", async () => {
    const srv = await startServer({ pingInterval: 100, pingTimeout: 100 });
    const client = new ClientSocket(srv.url, { transports: ["websocket"] });
    client.on("error", () => {});
    await once(client as unknown as Listenable, "open");
    const closed = once<[string]>(client as unknown as Listenable, "close", { timeoutMs: 2000 });
    await srv.close();
    const [reason] = await closed;
    expect(["transport close", "ping timeout"]).to.include(reason);
  });
});
