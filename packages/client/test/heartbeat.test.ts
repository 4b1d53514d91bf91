/**
 * @module The client heartbeat on the fake clock: the deadline after the open packet and each ping,
 * expiry, checks before sends (sleep/wake with jump()), pongs ahead of queued messages, RTT samples,
 * handshake proposals, unref.
 */

import { expect } from "chai";
import { Socket } from "@heartwire/client";
import { FakeScheduler } from "@heartwire/shared/testing";
import { FakeIO, openPacket, settle, type FakeWebSocket } from "./helpers/fake-io.js";

const I = 1000;
const T = 500;

async function openSocket(extra: ConstructorParameters<typeof Socket>[1] = {}) {
  const io = new FakeIO();
  const scheduler = new FakeScheduler();
  const socket = new Socket("http://h", { transports: ["websocket"], io, scheduler, ...extra });
  const closes: string[] = [];
  socket.on("close", (reason) => closes.push(reason));
  await settle();
  const ws: FakeWebSocket = io.lastSocket;
  ws.accept();
  ws.deliver(openPacket({ pingInterval: I, pingTimeout: T }));
  return { io, scheduler, socket, ws, closes };
}

describe("client heartbeat (fake clock)", () => {
  it("closes with 'ping timeout' exactly pingInterval + pingTimeout after the open packet", async () => {
    const { scheduler, closes } = await openSocket();
    scheduler.advance(I + T - 1);
    expect(closes).to.deep.equal([]);
    scheduler.advance(1);
    expect(closes).to.deep.equal(["ping timeout"]);
    expect(scheduler.pendingCount()).to.equal(0);
  });

  it("every ping moves the deadline; pongs answer at once", async () => {
    const { scheduler, ws, closes, socket } = await openSocket();
    let pings = 0;
    socket.on("ping", () => pings++);
    for (let i = 0; i < 5; i++) {
      scheduler.advance(I + 10);
      ws.deliver("2");
    }
    await settle();
    expect(pings).to.equal(5);
    expect(ws.sent.filter((f) => f === "3")).to.have.length(5);
    scheduler.advance(I + T - 1);
    expect(closes).to.deep.equal([]);
    scheduler.advance(1);
    expect(closes).to.deep.equal(["ping timeout"]);
  });

  it("messages and other packets do not move the deadline (only pings do)", async () => {
    const { scheduler, ws, closes } = await openSocket();
    scheduler.advance(I);
    ws.deliver("4data");
    ws.deliver("6");
    scheduler.advance(T);
    expect(closes).to.deep.equal(["ping timeout"]);
  });

  it("after a sleep (clock jumped, timer not fired) send() writes nothing and closes with 'ping timeout'", async () => {
    const { scheduler, ws, socket, closes } = await openSocket();
    scheduler.jump(I + T + 5000);
    socket.send("into the void");
    expect(ws.sent).to.deep.equal([]);
    expect(closes).to.deep.equal([]); // not from inside send()
    await settle();
    expect(closes).to.deep.equal(["ping timeout"]);
    expect(ws.sent).to.deep.equal([]);
  });

  it("checkHeartbeat() reports expiry after a jump, and is true while alive", async () => {
    const { scheduler, socket, closes } = await openSocket();
    scheduler.jump(I + T - 1);
    expect(socket.checkHeartbeat()).to.equal(true);
    scheduler.jump(1);
    expect(socket.checkHeartbeat()).to.equal(false);
    await settle();
    expect(closes).to.deep.equal(["ping timeout"]);
  });

  it("a ping that arrives after the deadline (timer starved) is not answered; the socket closes", async () => {
    const { scheduler, ws, closes } = await openSocket();
    scheduler.jump(I + T + 1);
    ws.deliver("2");
    await settle();
    expect(ws.sent).to.deep.equal([]);
    expect(closes).to.deep.equal(["ping timeout"]);
  });

  it("the pong goes ahead of application messages still queued", async () => {
    const io = new FakeIO();
    const scheduler = new FakeScheduler();
    const socket = new Socket("http://h", { transports: ["polling"], io, scheduler });
    await settle();
    io.only("GET").respond(200, openPacket({ pingInterval: I, pingTimeout: T }));
    await settle();
    socket.send("a"); // goes out at once in a POST
    socket.send("b");
    socket.send("c"); // both wait for that POST
    expect(io.only("POST").body).to.equal("4a");
    io.only("GET").respond(200, "2");
    await settle();
    io.only("POST").respond(200, "ok");
    await settle();
    expect(io.only("POST").body).to.equal("3\x1e4b\x1e4c");
    io.only("POST").respond(200, "ok");
    socket.close();
    await settle();
    io.pending().forEach((r) => r.respond(200, "ok"));
    await settle();
  });

  it("RTT comes from the spacing of pings, skipping the open→first-ping gap", async () => {
    const { scheduler, ws, socket } = await openSocket();
    const samples: Array<[number, number]> = [];
    socket.on("rtt", (rtt, smoothed) => samples.push([rtt, smoothed]));
    scheduler.advance(I + 300); // open → first ping: no sample
    ws.deliver("2");
    expect(socket.rtt).to.equal(undefined);
    scheduler.advance(I + 40);
    ws.deliver("2");
    scheduler.advance(I + 80);
    ws.deliver("2");
    expect(samples.map((s) => s[0])).to.deep.equal([40, 80]);
    expect(socket.rtt).to.equal(80);
    expect(socket.smoothedRtt).to.equal(0.875 * 40 + 0.125 * 80);
    socket.close();
  });

  it("adopts the open packet's values and sends proposals as handshake query parameters", async () => {
    const io = new FakeIO();
    const scheduler = new FakeScheduler();
    const socket = new Socket("http://h", { transports: ["websocket"], io, scheduler, pingInterval: 100, pingTimeout: 50 });
    await settle();
    const url = new URL(io.lastSocket.url);
    expect(url.searchParams.get("pingInterval")).to.equal("100");
    expect(url.searchParams.get("pingTimeout")).to.equal("50");
    io.lastSocket.accept();
    io.lastSocket.deliver(openPacket({ pingInterval: 250, pingTimeout: 150 })); // server clamped
    expect([socket.pingInterval, socket.pingTimeout]).to.deep.equal([250, 150]);
    const closes: string[] = [];
    socket.on("close", (r) => closes.push(r));
    scheduler.advance(399);
    expect(closes).to.deep.equal([]);
    scheduler.advance(1);
    expect(closes).to.deep.equal(["ping timeout"]);
    expect(() => new Socket("http://h", { io, pingInterval: -1 })).to.throw(/pingInterval/);
  });

  it("unref() and autoUnref reach the network layer and return the socket", async () => {
    const { io, socket } = await openSocket();
    expect(socket.unref()).to.equal(socket);
    expect(io.unrefed).to.equal(true);
    socket.ref();
    expect(io.unrefed).to.equal(false);
    socket.close();
    const io2 = new FakeIO();
    const s2 = new Socket("http://h", { transports: ["websocket"], io: io2, autoUnref: true, scheduler: new FakeScheduler() });
    expect(io2.unrefed).to.equal(true);
    s2.close();
  });

  it("no timer is left behind after close", async () => {
    const { scheduler, socket } = await openSocket();
    socket.close();
    await settle();
    expect(scheduler.pendingCount()).to.equal(0);
  });
});

describe("HeartbeatWatch under its own stalls (fake clock)", () => {
  const timing = { pingInterval: 1000, pingTimeout: 400 };

  it("a deadline timer that fires late gives an unread ping a bounded grace", async () => {
    const { heartbeatWatch } = await import("../dist/heartbeat-watch.js");
    using clock = new FakeScheduler();
    let expired = 0;
    const watch = heartbeatWatch(clock, { expire: () => expired++, rtt: () => {} });
    watch.start(timing);
    clock.jump(1600); // blocked 200 ms past the deadline (1400)
    clock.runDue();
    expect(expired).to.equal(0);
    expect(watch.ping()).to.equal(true); // the ping that waited in the socket is read now
    clock.advance(1399);
    expect(expired).to.equal(0);
    clock.advance(1);
    expect(expired).to.equal(1);
  });

  it("the grace is bounded to pingTimeout / 4", async () => {
    const { heartbeatWatch } = await import("../dist/heartbeat-watch.js");
    using clock = new FakeScheduler();
    let expiredAt = -1;
    const watch = heartbeatWatch(clock, { expire: () => (expiredAt = clock.now()), rtt: () => {} });
    watch.start(timing);
    clock.jump(1600);
    clock.runDue();
    clock.advance(100);
    expect(expiredAt).to.equal(1700);
  });

  it("a timer that fires on time expires at once", async () => {
    const { heartbeatWatch } = await import("../dist/heartbeat-watch.js");
    using clock = new FakeScheduler();
    let expiredAt = -1;
    const watch = heartbeatWatch(clock, { expire: () => (expiredAt = clock.now()), rtt: () => {} });
    watch.start(timing);
    clock.advance(1400);
    expect(expiredAt).to.equal(1400);
  });
});
