/** @module Socket over a scripted websocket: handshake, messages, binary types, close reasons, hostile input. */

import { expect } from "chai";
import { Socket, TransportError, type SocketCloseReason } from "@heartwire/client";
import { FakeScheduler } from "@heartwire/shared/testing";
import { FakeIO, openPacket, settle } from "./helpers/fake-io.js";

function wsSocket(options: ConstructorParameters<typeof Socket>[1] = {}) {
  const io = new FakeIO();
  const scheduler = new FakeScheduler();
  const socket = new Socket("http://example.test:3000", { transports: ["websocket"], io, scheduler, ...options });
  const closes: Array<[SocketCloseReason, unknown]> = [];
  socket.on("close", (reason, details) => closes.push([reason, details]));
  return { io, scheduler, socket, closes };
}

describe("Socket (websocket, scripted)", () => {
  it("emits nothing synchronously from the constructor and opens on the open packet", async () => {
    const io = new FakeIO();
    const events: string[] = [];
    const socket = new Socket("ws://example.test", { transports: ["websocket"], io, scheduler: new FakeScheduler() });
    for (const name of ["open", "handshake", "error", "close"] as const) socket.on(name, () => events.push(name));
    expect(events).to.deep.equal([]);
    expect(socket.readyState).to.equal("opening");
    expect(socket.transport.name).to.equal("websocket");
    await settle();
    const ws = io.lastSocket;
    expect(ws.url).to.match(/^ws:\/\/example\.test\/engine\.io\/\?EIO=4&transport=websocket$/);
    ws.accept();
    ws.deliver(openPacket({ sid: "abc", pingInterval: 300, pingTimeout: 200 }));
    expect(events).to.deep.equal(["handshake", "open"]);
    expect(socket.id).to.equal("abc");
    expect(socket.readyState).to.equal("open");
    expect([socket.pingInterval, socket.pingTimeout]).to.deep.equal([300, 200]);
    expect(socket.upgrades).to.deep.equal([]);
    socket.close();
  });

  it("sends text, binary and astral Unicode, buffered while opening, in order", async () => {
    const { io, socket } = wsSocket();
    socket.send("early");
    await settle();
    const ws = io.lastSocket;
    ws.accept();
    ws.deliver(openPacket());
    socket.send("héllo 😀").send(new Uint8Array([1, 2, 3]));
    await settle();
    expect(ws.sent.slice(0, 3)).to.deep.equal(["4early", "4héllo 😀", new Uint8Array([1, 2, 3])]);
    socket.close();
  });

  it("delivers binary as Buffer by default, ArrayBuffer with binaryType 'arraybuffer'", async () => {
    const { io, socket } = wsSocket();
    const got: unknown[] = [];
    socket.on("message", (data) => got.push(data));
    await settle();
    const ws = io.lastSocket;
    ws.accept();
    ws.deliver(openPacket());
    ws.deliver(new Uint8Array([7, 8]));
    socket.binaryType = "arraybuffer";
    ws.deliver(new Uint8Array([9]));
    ws.deliver("bAQI="); // base64 binary (b64 mode)
    ws.deliver("4text");
    expect(Buffer.isBuffer(got[0])).to.equal(true);
    expect([...(got[0] as Buffer)]).to.deep.equal([7, 8]);
    expect(got[1]).to.be.instanceOf(ArrayBuffer);
    expect([...new Uint8Array(got[2] as ArrayBuffer)]).to.deep.equal([1, 2]);
    expect(got[3]).to.equal("text");
    socket.close();
  });

  it("forceBase64 asks for b64=1 and sends binary as base64 text", async () => {
    const { io, socket } = wsSocket({ forceBase64: true });
    await settle();
    const ws = io.lastSocket;
    expect(new URL(ws.url).searchParams.get("b64")).to.equal("1");
    ws.accept();
    ws.deliver(openPacket());
    socket.send(new Uint8Array([1, 2, 3, 4]));
    await settle();
    expect(ws.sent).to.deep.equal(["bAQIDBA=="]);
    socket.close();
  });

  it("close(): flushes, then 'forced close'; the send callback ran", async () => {
    const { io, socket, closes } = wsSocket();
    await settle();
    const ws = io.lastSocket;
    ws.accept();
    ws.deliver(openPacket());
    let written = false;
    socket.send("bye", () => (written = true));
    socket.close();
    expect(closes).to.deep.equal([]);
    await settle();
    expect(written).to.equal(true);
    expect(ws.sent).to.deep.equal(["4bye"]);
    expect(closes.map((c) => c[0])).to.deep.equal(["forced close"]);
    expect(ws.closeCalls).to.equal(1);
    expect(socket.readyState).to.equal("closed");
    socket.send("ignored");
    expect(ws.sent).to.have.length(1);
  });

  it("the server closing the websocket gives 'transport close' with the close event", async () => {
    const { io, closes } = wsSocket();
    await settle();
    io.lastSocket.accept();
    io.lastSocket.deliver(openPacket());
    io.lastSocket.drop(1001);
    expect(closes[0]![0]).to.equal("transport close");
    expect(closes[0]![1]).to.deep.include({ description: "websocket connection closed" });
    expect((closes[0]![1] as { context: { code: number } }).context.code).to.equal(1001);
  });

  it("a connection error gives 'error' then 'transport error' with the HTTP status", async () => {
    const { io, socket, closes } = wsSocket();
    const errors: unknown[] = [];
    socket.on("error", (e) => errors.push(e));
    await settle();
    io.lastSocket.fail("Unexpected server response: 403");
    expect(errors).to.have.length(1);
    expect(closes[0]![0]).to.equal("transport error");
    expect(closes[0]![1]).to.be.instanceOf(TransportError);
    expect((closes[0]![1] as TransportError).status).to.equal(403);
  });

  const hostileOpens: Array<[string, string]> = [
    ["not JSON", "0{nope"],
    ["no sid", '0{"upgrades":[],"pingInterval":100,"pingTimeout":100}'],
    ["zero pingInterval", '0{"sid":"x","upgrades":[],"pingInterval":0,"pingTimeout":100}'],
    ["huge timers", '0{"sid":"x","upgrades":[],"pingInterval":2147483647,"pingTimeout":2147483647}'],
    ["an array", "0[1,2]"],
  ];
  for (const [what, frame] of hostileOpens) {
    it(`an invalid open packet (${what}) gives 'error' and 'parse error', no open`, async () => {
      const { io, socket, closes } = wsSocket();
      let opened = false;
      let error: unknown;
      socket.on("open", () => (opened = true));
      socket.on("error", (e) => (error = e));
      await settle();
      io.lastSocket.accept();
      io.lastSocket.deliver(frame);
      expect(opened).to.equal(false);
      expect((error as { code?: string }).code).to.equal("HW_ERR_INVALID_HANDSHAKE");
      expect(closes.map((c) => c[0])).to.deep.equal(["parse error"]);
    });
  }

  for (const frame of ["", "9x", "bnot base64!"]) {
    it(`an undecodable frame ${JSON.stringify(frame)} closes with 'parse error'`, async () => {
      const { io, closes } = wsSocket();
      await settle();
      io.lastSocket.accept();
      io.lastSocket.deliver(openPacket());
      io.lastSocket.deliver(frame);
      expect(closes.map((c) => c[0])).to.deep.equal(["parse error"]);
    });
  }

  it("a message before the open packet is a protocol error", async () => {
    const { io, closes } = wsSocket();
    await settle();
    io.lastSocket.accept();
    io.lastSocket.deliver("4hi");
    expect(closes.map((c) => c[0])).to.deep.equal(["parse error"]);
  });

  it("a close packet from the server gives 'transport close'", async () => {
    const { io, closes } = wsSocket();
    await settle();
    io.lastSocket.accept();
    io.lastSocket.deliver(openPacket());
    io.lastSocket.deliver("1");
    expect(closes[0]).to.deep.equal(["transport close", { description: "transport closed by the server" }]);
  });

  it("once the server's close frame arrived (readyState CLOSING), sends wait and end in unsent", async () => {
    const { io, socket, closes } = wsSocket();
    await settle();
    io.lastSocket.accept();
    io.lastSocket.deliver(openPacket());
    socket.send("before");
    await settle();
    // The closing handshake began: a frame sent now would be discarded by the WebSocket.
    io.lastSocket.readyState = 2;
    let called = false;
    socket.send("during", () => (called = true));
    await settle();
    expect(io.lastSocket.sent).to.deep.equal(["4before"]);
    io.lastSocket.drop(1000);
    expect(closes.map((c) => c[0])).to.deep.equal(["transport close"]);
    expect(socket.unsent).to.deep.equal(["during"]);
    expect(called).to.equal(false);
  });

  it("emits packet, packetCreate, heartbeat, flush and drain", async () => {
    const { io, socket } = wsSocket();
    const events: string[] = [];
    socket.on("packet", (p) => events.push(`packet:${p.type}`));
    socket.on("packetCreate", (p) => events.push(`create:${p.type}`));
    socket.on("heartbeat", () => events.push("heartbeat"));
    socket.on("flush", () => events.push("flush"));
    socket.on("drain", () => events.push("drain"));
    await settle();
    io.lastSocket.accept();
    io.lastSocket.deliver(openPacket());
    socket.send("x");
    await settle();
    expect(events).to.deep.equal(["packet:open", "heartbeat", "create:message", "flush", "drain"]);
    socket.close();
  });

  it("tryAllTransports moves to polling when the websocket fails while opening", async () => {
    const { io, socket, closes } = wsSocket({ transports: ["websocket", "polling"], tryAllTransports: true });
    await settle();
    io.lastSocket.fail();
    await settle();
    expect(socket.transport.name).to.equal("polling");
    expect(closes).to.deep.equal([]);
    io.only("GET").respond(200, openPacket({ sid: "p1" }));
    await settle();
    expect(socket.readyState).to.equal("open");
    socket.close();
    await settle();
  });

  it("ignores webtransport and reports a list with no supported transport as engine.io-client does", () => {
    const io = new FakeIO();
    const scheduler = new FakeScheduler();
    const socket = new Socket("http://h", { transports: ["webtransport", "websocket"], io, scheduler });
    expect(socket.transport.name).to.equal("websocket");
    socket.close();
    for (const transports of [["webtransport"], []]) {
      const none = new Socket("http://h", { transports, io, scheduler });
      const errors: unknown[] = [];
      none.on("error", (e) => errors.push(e));
      expect(errors, "not synchronously").to.deep.equal([]);
      scheduler.advance(0);
      expect(errors).to.deep.equal(["No transports available"]);
      expect(io.sockets.length, "no connection attempted").to.equal(1);
      none.close();
    }
  });

  describe("outgoing bound (maxBufferedBytes)", () => {
    async function openWs(options: ConstructorParameters<typeof Socket>[1] = {}) {
      const made = wsSocket(options);
      await settle();
      const ws = made.io.lastSocket;
      ws.accept();
      ws.deliver(openPacket());
      return { ...made, ws };
    }

    it("counts what the WebSocket has not transmitted, and closes as a slow consumer past the bound", async () => {
      const { socket, ws, closes } = await openWs({ maxBufferedBytes: 100 });
      const errors: Array<Error | string> = [];
      socket.on("error", (e) => errors.push(e));
      socket.send("a".repeat(49)); // counts 50
      expect(socket.bufferedAmount).to.equal(0); // handed to the WebSocket at once, which took it
      ws.bufferedAmount = 60;
      expect(socket.bufferedAmount).to.equal(60);
      socket.send("b".repeat(39)); // 60 + 40 = 100: still within
      socket.send("c"); // passes it: refused
      socket.send("d"); // after the refusal: refused too, the socket is closing
      await settle();
      expect(closes).to.have.length(1);
      expect(closes[0]![0]).to.equal("transport error");
      expect((closes[0]![1] as Error).message).to.match(/^slow consumer/);
      expect((closes[0]![1] as Error & { code: string }).code).to.equal("HW_ERR_BUFFER_FULL");
      expect(errors.map((e) => (e as Error).message)).to.deep.equal([(closes[0]![1] as Error).message]);
      expect(socket.unsent).to.deep.equal(["c", "d"]);
    });

    it("accepts one message larger than the bound when nothing else is held", async () => {
      const { socket, ws, closes } = await openWs({ maxBufferedBytes: 100 });
      socket.send("x".repeat(1000));
      await settle();
      expect(ws.sent).to.include(`4${"x".repeat(1000)}`);
      expect(closes).to.deep.equal([]);
      ws.bufferedAmount = 1001; // still being transmitted: the next one does not fit
      socket.send("y");
      await settle();
      expect(closes[0]?.[0]).to.equal("transport error");
      expect(socket.unsent).to.deep.equal(["y"]);
    });

    it("messages queued before the open count too, and come back in order before refused ones", async () => {
      const { socket, closes } = wsSocket({ maxBufferedBytes: 10 });
      socket.send("12345").send("6789").send("0");
      await settle();
      expect(closes[0]?.[0]).to.equal("transport error");
      expect(socket.unsent).to.deep.equal(["12345", "6789", "0"]);
    });
  });
});
