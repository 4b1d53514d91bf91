/** @module Server heartbeat on the fake clock, observed through a real loopback WebSocket. */

import { expect } from "chai";
import type { Socket } from "@heartwire/server";
import { FakeScheduler } from "@heartwire/shared/testing";
import { harness, http, next, Peer, until } from "./helpers.js";

const INTERVAL = 1000;
const TIMEOUT = 500;

describe("server heartbeat (fake clock)", () => {
  let clock: FakeScheduler;
  beforeEach(() => {
    clock = new FakeScheduler();
  });
  afterEach(() => clock[Symbol.dispose]());

  async function openWs(h: Awaited<ReturnType<typeof harness>>, query = ""): Promise<{ peer: Peer; socket: Socket }> {
    const connection = next<[Socket]>(h.server, "connection");
    const peer = await Peer.open(`${h.wsBase}/engine.io/?EIO=4&transport=websocket${query}`);
    const [socket] = await connection;
    expect(String(await peer.next())[0]).to.equal("0");
    return { peer, socket };
  }

  it("pings pingInterval after open, not before", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    await using conn = (await openWs(h)).peer;
    clock.advance(INTERVAL - 1);
    await conn.barrier();
    clock.advance(1);
    expect(await conn.next()).to.equal("2");
  });

  it("closes with 'ping timeout' pingTimeout after the ping, not before", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const { peer, socket } = await openWs(h);
    await using _ = peer;
    const closed = next<[string]>(socket, "close");
    clock.advance(INTERVAL);
    expect(await peer.next()).to.equal("2");
    clock.advance(TIMEOUT - 1);
    await peer.barrier();
    expect(socket.readyState).to.equal("open");
    clock.advance(1);
    expect((await closed)[0]).to.equal("ping timeout");
    await peer.waitClose();
  });

  it("data does not count as a pong", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const { peer, socket } = await openWs(h);
    await using _ = peer;
    const closed = next<[string]>(socket, "close");
    clock.advance(INTERVAL);
    expect(await peer.next()).to.equal("2");
    for (let i = 0; i < 5; i++) {
      clock.advance(TIMEOUT / 5 - 1);
      await peer.barrier(`data${i}`);
    }
    clock.advance(5);
    expect((await closed)[0]).to.equal("ping timeout");
  });

  it("pings again pingInterval after the pong arrives, and measures RTT from ping to pong", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const { peer, socket } = await openWs(h);
    await using _ = peer;
    expect(socket.rtt).to.equal(undefined);
    clock.advance(INTERVAL);
    expect(await peer.next()).to.equal("2");
    clock.advance(30);
    const beat = next(socket, "heartbeat");
    const rtt = next<[number]>(socket, "rtt");
    peer.ws.send("3");
    await beat;
    expect((await rtt)[0]).to.equal(30);
    expect(socket.rtt).to.equal(30);
    expect(socket.smoothedRtt).to.equal(30);
    clock.advance(INTERVAL - 1);
    await peer.barrier();
    clock.advance(1);
    expect(await peer.next()).to.equal("2");
    clock.advance(10);
    const rtt2 = next<[number]>(socket, "rtt");
    peer.ws.send("3");
    expect((await rtt2)[0]).to.equal(10);
    expect(socket.smoothedRtt).to.equal(0.875 * 30 + 0.125 * 10);
    expect(socket.readyState).to.equal("open");
  });

  it("an unsolicited pong changes nothing", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const { peer, socket } = await openWs(h);
    await using _ = peer;
    let beats = 0;
    socket.on("heartbeat", () => beats++);
    clock.advance(INTERVAL / 2);
    peer.ws.send("3");
    await peer.barrier();
    expect(beats).to.equal(0);
    clock.advance(INTERVAL / 2);
    expect(await peer.next()).to.equal("2");
  });

  it("exposes the negotiated pingInterval/pingTimeout, clamping client proposals into the ranges", async () => {
    await using h = await harness({
      scheduler: clock,
      pingInterval: INTERVAL,
      pingTimeout: TIMEOUT,
      pingIntervalRange: [500, 2000],
      pingTimeoutRange: [200, 800],
    });
    const { peer, socket } = await openWs(h, "&pingInterval=5000&pingTimeout=300");
    await using _ = peer;
    expect(socket.pingInterval).to.equal(2000);
    expect(socket.pingTimeout).to.equal(300);
    clock.advance(1999);
    await peer.barrier();
    clock.advance(1);
    expect(await peer.next()).to.equal("2");
  });

  it("runs the heartbeats of many sockets on one host timer", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const peers: Peer[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        peers.push((await openWs(h)).peer);
        clock.advance(7);
      }
      expect(h.server.clientsCount).to.equal(20);
      expect(clock.pendingCount()).to.equal(1);
    } finally {
      for (const p of peers) await p[Symbol.asyncDispose]();
    }
  });

  it("a polling session that never polls again dies by ping timeout", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const connection = next<[Socket]>(h.server, "connection");
    const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
    expect(hs.status).to.equal(200);
    const [socket] = await connection;
    const closed = next<[string]>(socket, "close");
    clock.advance(INTERVAL + TIMEOUT - 1);
    expect(socket.readyState).to.equal("open");
    clock.advance(1);
    expect((await closed)[0]).to.equal("ping timeout");
  });

  it("a pong to a ping still queued (never polled for) does not count: ping timeout all the same", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const connection = next<[Socket]>(h.server, "connection");
    const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
    const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
    const [socket] = await connection;
    const closed = next<[string]>(socket, "close");
    let beats = 0;
    socket.on("heartbeat", () => beats++);
    clock.advance(INTERVAL); // the ping is queued: no GET is there to carry it
    expect(socket.readyState).to.equal("open");
    const post = await http(`${h.base}/engine.io/?EIO=4&transport=polling&sid=${sid}`, "POST", "3");
    expect(post.status).to.equal(200);
    expect(beats).to.equal(0);
    clock.advance(TIMEOUT);
    expect((await closed)[0]).to.equal("ping timeout");
  });

  it("a pong to a ping written in a poll response counts", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const connection = next<[Socket]>(h.server, "connection");
    const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
    const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
    const [socket] = await connection;
    const url = `${h.base}/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const poll = http(url);
    await until(() => socket.transport.writable, "poll held");
    clock.advance(INTERVAL);
    expect((await poll).body).to.equal("2");
    const beat = next(socket, "heartbeat");
    expect((await http(url, "POST", "3")).status).to.equal(200);
    await beat;
    clock.advance(TIMEOUT);
    expect(socket.readyState).to.equal("open");
  });

  it("an upgrade does not cancel an outstanding pong deadline (engine.io's bug avoided)", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const connection = next<[Socket]>(h.server, "connection");
    const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
    const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
    const [socket] = await connection;
    const closed = next<[string]>(socket, "close");
    clock.advance(INTERVAL); // ping queued on polling; deadline running
    await using peer = await Peer.open(`${h.wsBase}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    peer.ws.send("2probe");
    expect(await peer.next()).to.equal("3probe");
    const upgraded = next(socket, "upgrade");
    peer.ws.send("5");
    await upgraded;
    expect(await peer.next()).to.equal("2"); // the buffered ping moves to the new transport
    clock.advance(TIMEOUT);
    expect((await closed)[0]).to.equal("ping timeout");
  });

  it("keeps pinging after an upgrade", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const connection = next<[Socket]>(h.server, "connection");
    const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
    const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
    const [socket] = await connection;
    await using peer = await Peer.open(`${h.wsBase}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    peer.ws.send("2probe");
    expect(await peer.next()).to.equal("3probe");
    const upgraded = next(socket, "upgrade");
    peer.ws.send("5");
    await upgraded;
    for (let i = 0; i < 3; i++) {
      clock.advance(INTERVAL);
      expect(await peer.next()).to.equal("2");
      const beat = next(socket, "heartbeat");
      peer.ws.send("3");
      await beat;
    }
    await until(() => socket.readyState === "open", "open");
  });
});
