/** @module The polling → websocket upgrade, scripted step by step: order, pause, failures, close during upgrade. */

import { expect } from "chai";
import { Socket } from "@heartwire/client";
import { FakeScheduler } from "@heartwire/shared/testing";
import { FakeIO, openPacket, settle, type FakeWebSocket } from "./helpers/fake-io.js";

/** How long polling makes no new request while a probe runs: min(500, pingTimeout / 2) with openPacket's 500. */
const PROBE_HOLD = 250;

/**
 * A socket whose handshake (offering websocket) is done. With `slowProbe` (the default), the probe
 * outlasts the poll hold, so a GET is in flight again when `3probe` comes, as on a slow network.
 */
async function upgradingSocket(options: ConstructorParameters<typeof Socket>[1] = {}, slowProbe = true) {
  const io = new FakeIO();
  const scheduler = new FakeScheduler();
  const socket = new Socket("http://h", { io, scheduler, ...options });
  const events: string[] = [];
  socket.on("upgrading", () => events.push("upgrading"));
  socket.on("upgrade", () => events.push("upgrade"));
  socket.on("upgradeError", () => events.push("upgradeError"));
  socket.on("close", (reason) => events.push(`close:${reason}`));
  await settle();
  io.only("GET").respond(200, openPacket({ sid: "s1", upgrades: ["websocket"] }));
  await settle();
  if (slowProbe) {
    scheduler.advance(PROBE_HOLD);
    await settle();
  }
  return { io, socket, events, scheduler };
}

/** Drives the probe up to `3probe`; returns the probe socket. */
async function toProbeAnswered(io: FakeIO): Promise<FakeWebSocket> {
  const ws = io.lastSocket;
  expect(new URL(ws.url).searchParams.get("sid")).to.equal("s1");
  ws.accept();
  await settle();
  expect(ws.sent).to.deep.equal(["2probe"]);
  ws.deliver("3probe");
  return ws;
}

describe("upgrade (scripted)", () => {
  it("probes, pauses polling until the GET returns, sends 5, swaps and flushes in order", async () => {
    const { io, socket, events } = await upgradingSocket();
    expect(socket.transport.name).to.equal("polling");
    socket.send("before");
    io.only("POST").respond(200, "ok");
    await settle();
    const ws = await toProbeAnswered(io);
    expect(events).to.deep.equal(["upgrading"]);
    socket.send("during-1");
    socket.send("during-2");
    await settle();
    expect(io.pending("POST")).to.have.length(0); // held back during the pause
    expect(ws.sent).to.deep.equal(["2probe"]);
    const received: unknown[] = [];
    socket.on("message", (m) => received.push(m));
    io.only("GET").respond(200, "4last-poll\x1e6"); // server releases the poll
    await settle();
    expect(received).to.deep.equal(["last-poll"]);
    expect(io.pending("GET")).to.have.length(0); // no new poll
    expect(ws.sent).to.deep.equal(["2probe", "5", "4during-1", "4during-2"]);
    expect(events).to.deep.equal(["upgrading", "upgrade"]);
    expect(socket.transport.name).to.equal("websocket");
    ws.deliver("4over-ws");
    expect(received).to.deep.equal(["last-poll", "over-ws"]);
    socket.close();
    await settle();
    expect(events.at(-1)).to.equal("close:forced close");
  });

  it("a ping during the pause is answered over polling at once, and the pause waits for that POST", async () => {
    const { io, socket } = await upgradingSocket();
    const ws = await toProbeAnswered(io);
    socket.send("held");
    io.only("GET").respond(200, "2");
    await settle();
    const pong = io.only("POST");
    expect(pong.body).to.equal("3");
    expect(ws.sent).to.deep.equal(["2probe"]);
    pong.respond(200, "ok");
    await settle();
    expect(ws.sent).to.deep.equal(["2probe", "5", "4held"]);
    socket.close();
    await settle();
  });

  it("a probe that fails before 3probe emits upgradeError and polling goes on", async () => {
    const { io, socket, events } = await upgradingSocket();
    io.lastSocket.fail();
    await settle();
    expect(events).to.deep.equal(["upgradeError"]);
    expect(socket.transport.name).to.equal("polling");
    socket.send("still polling");
    expect(io.only("POST").body).to.equal("4still polling");
    io.only("POST").respond(200, "ok");
    socket.close();
    await settle();
    io.pending().forEach((r) => r.respond(200, "ok"));
    await settle();
  });

  it("a probe that dies between 3probe and 5 resumes polling and sends what was held", async () => {
    const { io, socket, events } = await upgradingSocket();
    const ws = await toProbeAnswered(io);
    socket.send("held-1");
    ws.drop(1006);
    await settle();
    expect(events).to.deep.equal(["upgrading", "upgradeError"]);
    expect(socket.transport.name).to.equal("polling");
    expect(io.only("POST").body).to.equal("4held-1");
    io.only("POST").respond(200, "ok");
    // The in-flight GET is still the original one; answering it leads to a fresh poll.
    io.only("GET").respond(200, "6");
    await settle();
    expect(io.pending("GET")).to.have.length(1);
    expect(socket.readyState).to.equal("open");
    socket.close();
    await settle();
    io.pending().forEach((r) => r.respond(200, "ok"));
    await settle();
  });

  it("a probe answering anything but 3probe is abandoned", async () => {
    const { io, events, socket } = await upgradingSocket();
    io.lastSocket.accept();
    await settle();
    io.lastSocket.deliver("4surprise");
    expect(events).to.deep.equal(["upgradeError"]);
    expect(io.lastSocket.readyState).to.equal(3);
    socket.close();
    await settle();
    io.pending().forEach((r) => r.respond(200, "ok"));
    await settle();
  });

  it("close() during the pause waits for the upgrade and then closes on the websocket", async () => {
    const { io, socket, events } = await upgradingSocket();
    const ws = await toProbeAnswered(io);
    socket.close();
    await settle();
    expect(events).to.deep.equal(["upgrading"]);
    io.only("GET").respond(200, "6");
    await settle();
    expect(events).to.deep.equal(["upgrading", "upgrade", "close:forced close"]);
    expect(ws.sent).to.deep.equal(["2probe", "5"]);
    expect(ws.closeCalls).to.equal(1);
  });

  it("close() before 3probe abandons the probe", async () => {
    const { io, socket, events } = await upgradingSocket();
    const ws = io.lastSocket;
    socket.close();
    await settle();
    expect(events).to.deep.equal(["close:forced close"]);
    expect(ws.readyState).to.equal(3);
    io.pending().forEach((r) => r.respond(200, "ok"));
    await settle();
  });

  it("upgrade: false keeps polling; rememberUpgrade starts on websocket after a success", async () => {
    const first = await upgradingSocket({ upgrade: false });
    expect(first.io.sockets).to.have.length(0);
    first.socket.close();
    await settle();
    first.io.pending().forEach((r) => r.respond(200, "ok"));
    // A successful upgrade is remembered…
    const { io, socket } = await upgradingSocket();
    await toProbeAnswered(io);
    io.only("GET").respond(200, "6");
    await settle();
    socket.close();
    await settle();
    // …so the next rememberUpgrade socket starts with a websocket.
    const io3 = new FakeIO();
    const s3 = new Socket("http://h", { io: io3, rememberUpgrade: true, scheduler: new FakeScheduler() });
    expect(s3.transport.name).to.equal("websocket");
    s3.close();
    await settle();
  });

  describe("poll hold while probing (no idle GET for the server to release)", () => {
    it("makes no GET after the handshake while the probe runs, so 3probe leads to 5 at once", async () => {
      const { io, socket, events } = await upgradingSocket({}, false);
      expect(io.pending("GET"), "no poll after the handshake").to.have.length(0);
      const ws = await toProbeAnswered(io);
      await settle();
      expect(ws.sent).to.deep.equal(["2probe", "5"]);
      expect(events).to.deep.equal(["upgrading", "upgrade"]);
      expect(socket.transport.name).to.equal("websocket");
      expect(io.pending("GET")).to.have.length(0);
      socket.close();
      await settle();
    });

    it("polls again when the probe fails during the hold", async () => {
      const { io, socket, events } = await upgradingSocket({}, false);
      expect(io.pending("GET")).to.have.length(0);
      io.lastSocket.fail();
      await settle();
      expect(events).to.deep.equal(["upgradeError"]);
      const received: unknown[] = [];
      socket.on("message", (m) => received.push(m));
      io.only("GET").respond(200, "4still-polling");
      await settle();
      expect(received).to.deep.equal(["still-polling"]);
      socket.close();
      await settle();
    });

    it("polls again once the hold expires (a probe that hangs), at most half the pingTimeout", async () => {
      const { io, socket, scheduler } = await upgradingSocket({}, false);
      scheduler.advance(PROBE_HOLD - 1);
      await settle();
      expect(io.pending("GET")).to.have.length(0);
      scheduler.advance(1);
      await settle();
      expect(io.pending("GET")).to.have.length(1);
      socket.close();
      await settle();
    });
  });
});
