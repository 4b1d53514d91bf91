/** @module Heartbeat end to end on real timers with short intervals (100 ms / 100 ms). */

import { expect } from "chai";
import { Socket as ClientSocket } from "engine.io-client";
import type { Socket } from "@heartwire/server";
import { collect, once, type Listenable } from "./helpers/events.js";
import { engineUrl, pollingHandshake, request } from "./helpers/http.js";
import { startServer } from "./helpers/servers.js";
import { WsPeer } from "./helpers/ws.js";

describe("server heartbeat (real timers)", () => {
  for (const transports of [["websocket"], ["polling"]]) {
    // pingTimeout 2 s: a busy machine delays pongs, it does not lose them.
    it(`keeps an official ${transports[0]} client alive across many ping rounds and reports RTT`, async () => {
      await using srv = await startServer({ pingInterval: 100, pingTimeout: 2000 });
      const connection = once<[Socket]>(srv.server, "connection");
      const client = new ClientSocket(srv.url, { transports });
      client.on("error", () => {});
      try {
        const [socket] = await connection;
        const rtts = await collect<number>(socket, "rtt", 4, 10_000);
        for (const rtt of rtts) expect(rtt).to.be.within(0, 2000);
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
    const [reason] = await once<[string]>(socket, "close", { timeoutMs: 10_000 });
    const elapsed = Date.now() - started;
    expect(reason).to.equal("ping timeout");
    // Never before the bound; the upper limit only catches a deadline that never fires.
    expect(elapsed).to.be.within(180, 8000);
    expect(peer.pending.filter((f) => f === "2")).to.have.length(1);
  });

  it("a poll arriving pingTimeout after the ping was read finds the session gone: 400, code 1, 'ping timeout'", async () => {
    const PING_TIMEOUT = 200;
    await using srv = await startServer({ pingInterval: 100, pingTimeout: PING_TIMEOUT });
    const connection = once<[Socket]>(srv.server, "connection");
    const { sid } = await pollingHandshake(srv.url);
    const [socket] = await connection;
    const closed = once<[string]>(socket, "close", { timeoutMs: 5000 });
    const url = engineUrl(srv.url, { EIO: "4", transport: "polling", sid });
    const ping = await request(url);
    expect(ping.body).to.equal("2");
    // Same process, same clock: the server queued the ping before we read it, so from here on
    // its pong deadline has passed, whether or not its timer has run yet.
    const due = performance.now() + PING_TIMEOUT;
    while (performance.now() < due) await new Promise((resolve) => setTimeout(resolve, due - performance.now() + 1));
    const late = await request(url);
    expect(late.status).to.equal(400);
    expect(late.json()).to.deep.equal({ code: 1, message: "Session ID unknown" });
    expect((await closed)[0]).to.equal("ping timeout");
  });

  it("tiny values (pingInterval 5, pingTimeout 5): a silent peer is closed with 'ping timeout'", async () => {
    await using srv = await startServer({ pingInterval: 5, pingTimeout: 5 });
    const connection = once<[Socket]>(srv.server, "connection");
    await using peer = await WsPeer.open(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }));
    const [socket] = await connection;
    const [reason] = await once<[string]>(socket, "close", { timeoutMs: 5000 });
    expect(reason).to.equal("ping timeout");
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
