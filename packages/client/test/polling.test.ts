/** @module The polling transport through the Socket, with scripted HTTP: requests, batching, limits, errors. */

import { expect } from "chai";
import { Socket, TransportError } from "@heartwire/client";
import { FakeScheduler } from "@heartwire/shared/testing";
import { FakeIO, openPacket, settle } from "./helpers/fake-io.js";

async function pollingSocket(options: ConstructorParameters<typeof Socket>[1] = {}, open: Parameters<typeof openPacket>[0] = {}) {
  const io = new FakeIO();
  const scheduler = new FakeScheduler();
  const socket = new Socket("https://example.test:8443/", { transports: ["polling"], io, scheduler, ...options });
  const closes: Array<[string, unknown]> = [];
  socket.on("close", (reason, details) => closes.push([reason, details]));
  await settle();
  const handshake = io.only("GET");
  handshake.respond(200, openPacket({ sid: "s1", ...open }));
  await settle();
  return { io, scheduler, socket, closes, handshake };
}

async function finish(io: FakeIO, socket: Socket): Promise<void> {
  socket.close();
  await settle();
  for (const r of io.pending()) r.respond(200, r.method === "GET" ? "6" : "ok");
  await settle();
}

describe("Socket (polling, scripted)", () => {
  it("handshakes with EIO/transport/t, then long-polls with the sid, one GET at a time", async () => {
    const { io, socket, handshake } = await pollingSocket();
    expect(handshake.url.origin + handshake.url.pathname).to.equal("https://example.test:8443/engine.io/");
    expect(handshake.url.searchParams.get("EIO")).to.equal("4");
    expect(handshake.url.searchParams.get("transport")).to.equal("polling");
    expect(handshake.url.searchParams.get("t")).to.be.a("string").and.not.equal("");
    expect(handshake.url.searchParams.has("sid")).to.equal(false);
    expect(socket.readyState).to.equal("open");
    const poll = io.only("GET");
    expect(poll.url.searchParams.get("sid")).to.equal("s1");
    const messages: unknown[] = [];
    socket.on("message", (m) => messages.push(m));
    poll.respond(200, "4a\x1ebAQID\x1e4b");
    await settle();
    expect(messages.map((m) => (typeof m === "string" ? m : [...(m as Buffer)]))).to.deep.equal(["a", [1, 2, 3], "b"]);
    const next = io.only("GET");
    expect(next.url.searchParams.get("t")).to.not.equal(poll.url.searchParams.get("t"));
    await finish(io, socket);
  });

  it("POSTs batches as text/plain, one POST at a time, binary as b+base64", async () => {
    const { io, socket } = await pollingSocket();
    socket.send("x");
    socket.send(new Uint8Array([1, 2, 3, 4]));
    socket.send("y");
    const first = io.only("POST");
    expect(first.headers["Content-type"]).to.equal("text/plain;charset=UTF-8");
    expect(first.body).to.equal("4x");
    first.respond(200, "ok");
    await settle();
    expect(io.only("POST").body).to.equal("bAQIDBA==\x1e4y");
    io.only("POST").respond(200, "ok");
    await finish(io, socket);
  });

  it("never has two POSTs in flight, even for sends right after a drain", async () => {
    const { io, socket } = await pollingSocket();
    socket.send("a");
    io.only("POST").respond(200, "ok");
    await settle();
    socket.send("b");
    await settle();
    socket.send("c");
    socket.send("d");
    expect(io.pending("POST")).to.have.length(1);
    expect(io.only("POST").body).to.equal("4b");
    io.only("POST").respond(200, "ok");
    await settle();
    expect(io.only("POST").body).to.equal("4c\x1e4d");
    io.only("POST").respond(200, "ok");
    await finish(io, socket);
  });

  it("splits what is buffered so each POST stays within maxPayload", async () => {
    const { io, socket } = await pollingSocket({}, { maxPayload: 100 });
    socket.send("first");
    const bodies: string[] = [];
    for (let i = 0; i < 10; i++) socket.send("m".repeat(30) + i);
    for (let guard = 0; guard < 20 && io.pending("POST").length > 0; guard++) {
      const post = io.only("POST");
      bodies.push(post.body!);
      post.respond(200, "ok");
      await settle();
    }
    expect(bodies.length).to.be.greaterThan(3);
    for (const body of bodies) expect(Buffer.byteLength(body)).to.be.at.most(100);
    const sent = bodies.join("\x1e").split("\x1e");
    expect(sent).to.deep.equal(["4first", ...Array.from({ length: 10 }, (_, i) => "4" + "m".repeat(30) + i)]);
    await finish(io, socket);
  });

  it("close() waits for the buffer, emits 'forced close', POSTs '1', then aborts what is left", async () => {
    const { io, socket, closes } = await pollingSocket();
    socket.send("last");
    socket.close();
    await settle();
    expect(closes).to.deep.equal([]);
    io.only("POST").respond(200, "ok");
    await settle();
    expect(closes.map((c) => c[0])).to.deep.equal(["forced close"]);
    const farewell = io.only("POST");
    expect(farewell.body).to.equal("1");
    expect(farewell.url.searchParams.get("sid")).to.equal("s1");
    expect(io.pending("GET")).to.have.length(1); // left for the server to release with a noop
    farewell.respond(200, "ok");
    await settle();
    expect(io.pending()).to.have.length(0);
  });

  it("the farewell POST is abandoned after a bounded time if the server never answers", async () => {
    const { io, socket, scheduler } = await pollingSocket();
    socket.close();
    await settle();
    const farewell = io.only("POST");
    scheduler.advance(5000);
    expect(farewell.aborted).to.equal(true);
    await settle();
    expect(io.pending()).to.have.length(0);
    expect(scheduler.pendingCount()).to.equal(0);
  });

  it("a non-200 poll is a 'transport error' carrying the status and the Engine.IO code", async () => {
    const { io, closes } = await pollingSocket();
    io.only("GET").respond(400, '{"code":1,"message":"Session ID unknown"}');
    await settle();
    expect(closes[0]![0]).to.equal("transport error");
    const error = closes[0]![1] as TransportError;
    expect(error).to.be.instanceOf(TransportError);
    expect([error.status, error.protocolCode, error.message, error.type]).to.deep.equal([400, 1, "xhr poll error", "TransportError"]);
  });

  it("a 413 on a POST is a 'transport error'", async () => {
    const { io, socket, closes } = await pollingSocket();
    socket.send("too big");
    io.only("POST").respond(413, "");
    await settle();
    expect(closes[0]![0]).to.equal("transport error");
    expect((closes[0]![1] as TransportError).status).to.equal(413);
  });

  it("a refused handshake (403 Forbidden) closes with the status", async () => {
    const io = new FakeIO();
    const socket = new Socket("http://h", { transports: ["polling"], io, scheduler: new FakeScheduler() });
    const closes: Array<[string, unknown]> = [];
    socket.on("close", (r, d) => closes.push([r, d]));
    await settle();
    io.only("GET").respond(403, '{"code":4,"message":"nope"}');
    await settle();
    const error = closes[0]![1] as TransportError;
    expect([closes[0]![0], error.status, error.protocolCode, error.serverMessage]).to.deep.equal(["transport error", 403, 4, "nope"]);
  });

  it("an undecodable payload closes with 'parse error'", async () => {
    const { io, closes } = await pollingSocket();
    io.only("GET").respond(200, "4ok\x1ezzz");
    await settle();
    expect(closes.map((c) => c[0])).to.deep.equal(["parse error"]);
  });

  it("a close packet in a poll gives 'transport close'", async () => {
    const { io, closes } = await pollingSocket();
    io.only("GET").respond(200, "1");
    await settle();
    expect(closes[0]).to.deep.equal(["transport close", { description: "transport closed by the server" }]);
  });

  it("a close packet while a POST is in flight waits for it: a 200 runs its callbacks, then 'transport close'", async () => {
    const { io, socket, closes } = await pollingSocket();
    const written: string[] = [];
    socket.send("a", () => written.push("a"));
    const post = io.only("POST");
    socket.send("b", () => written.push("b"));
    io.only("GET").respond(200, "1");
    await settle();
    expect(closes, "no close before the POST settled").to.deep.equal([]);
    expect(post.aborted).to.equal(false);
    post.respond(200, "ok");
    await settle();
    expect(written).to.deep.equal(["a"]);
    expect(closes[0]).to.deep.equal(["transport close", { description: "transport closed by the server" }]);
    expect(socket.unsent).to.deep.equal(["b"]);
    expect(io.pending(), "no farewell POST to a server that closed").to.deep.equal([]);
  });

  it("a close packet while a POST is in flight that the server refuses: the batch is reported in unsent", async () => {
    const { io, socket, closes } = await pollingSocket();
    const written: string[] = [];
    socket.send("a", () => written.push("a"));
    const post = io.only("POST");
    socket.send("b", () => written.push("b"));
    io.only("GET").respond(200, "1");
    await settle();
    post.respond(400, JSON.stringify({ code: 1, message: "Session ID unknown" }));
    await settle();
    expect(written).to.deep.equal([]);
    expect(closes[0]).to.deep.equal(["transport close", { description: "transport closed by the server" }]);
    expect(socket.unsent).to.deep.equal(["a", "b"]);
  });

  it("a failed poll lets the POST in flight finish first: its callbacks run, then 'transport error'", async () => {
    const { io, socket, closes } = await pollingSocket();
    const written: string[] = [];
    socket.send("a", () => written.push("a"));
    const post = io.only("POST");
    io.only("GET").respond(400, JSON.stringify({ code: 1, message: "Session ID unknown" }));
    await settle();
    expect(closes).to.deep.equal([]);
    expect(post.aborted).to.equal(false);
    post.respond(200, "ok");
    await settle();
    expect(written).to.deep.equal(["a"]);
    expect(closes.map((c) => c[0])).to.deep.equal(["transport error"]);
    expect((closes[0]![1] as TransportError).status).to.equal(400);
  });

  it("a POST answered with an HTTP error: 'transport error', its batch in unsent ahead of later sends", async () => {
    const { io, socket, closes } = await pollingSocket();
    socket.send("a");
    socket.send("b");
    const post = io.only("POST");
    socket.send("c");
    post.respond(400, JSON.stringify({ code: 1, message: "Session ID unknown" }));
    await settle();
    expect(closes.map((c) => c[0])).to.deep.equal(["transport error"]);
    expect(socket.unsent).to.deep.equal(["a", "b", "c"]);
  });

  it("applies extraHeaders, query (object or string) and timestampRequests:false", async () => {
    const io = new FakeIO();
    const socket = new Socket("http://h:81/?fromUri=1", {
      transports: ["polling"], io, scheduler: new FakeScheduler(),
      extraHeaders: { "x-token": "abc" }, query: "a=1&b=two", timestampRequests: false, path: "/custom/", addTrailingSlash: false,
    });
    await settle();
    const req = io.only("GET");
    expect(req.headers["x-token"]).to.equal("abc");
    expect(req.url.pathname).to.equal("/custom");
    expect(req.url.port).to.equal("81");
    expect(Object.fromEntries(req.url.searchParams)).to.deep.equal({ a: "1", b: "two", fromUri: "1", EIO: "4", transport: "polling" });
    socket.close();
    await settle();
  });

  describe("requestTimeout", () => {
    const slowServer = { pingInterval: 60_000, pingTimeout: 60_000 };

    it("aborts a poll unanswered at the deadline: 'transport error', HW_ERR_TIMEOUT, 'xhr poll error'", async () => {
      const { io, scheduler, socket, closes } = await pollingSocket({ requestTimeout: 1000 }, slowServer);
      const poll = io.only("GET");
      scheduler.advance(999);
      await settle();
      expect(poll.aborted).to.equal(false);
      expect(socket.readyState).to.equal("open");
      scheduler.advance(1);
      await settle();
      expect(poll.aborted).to.equal(true);
      expect(closes).to.have.length(1);
      const [reason, error] = closes[0]!;
      expect(reason).to.equal("transport error");
      expect(error).to.be.instanceOf(TransportError);
      expect(error).to.include({ code: "HW_ERR_TIMEOUT", message: "xhr poll error" });
      expect((error as TransportError).context).to.deep.equal({ requestTimeout: 1000 });
    });

    it("aborts a POST unanswered at the deadline with 'xhr post error'", async () => {
      const { io, scheduler, socket, closes } = await pollingSocket({ requestTimeout: 1000 }, slowServer);
      scheduler.advance(400);
      socket.send("held");
      const post = io.only("POST");
      // The poll is answered in time, so only the POST (deadline 1400) can expire.
      scheduler.advance(500);
      io.only("GET").respond(200, "6");
      await settle();
      scheduler.advance(499);
      await settle();
      expect(post.aborted).to.equal(false);
      scheduler.advance(1);
      await settle();
      expect(post.aborted).to.equal(true);
      expect(closes.map(([reason]) => reason)).to.deep.equal(["transport error"]);
      expect(closes[0]![1]).to.include({ code: "HW_ERR_TIMEOUT", message: "xhr post error" });
    });

    it("answered requests cancel their timers: polls go on far past the timeout", async () => {
      const { io, scheduler, socket, closes } = await pollingSocket({ requestTimeout: 1000 }, slowServer);
      // Armed now: the heartbeat deadline and the pending poll's timeout.
      const armed = scheduler.pendingCount();
      // 40 polls, each answered after 900 ms: 36 s in all, 36 timeouts' worth.
      for (let i = 0; i < 40; i++) {
        scheduler.advance(900);
        io.only("GET").respond(200, "6");
        await settle();
        expect(scheduler.pendingCount(), `poll ${i}`).to.equal(armed);
      }
      expect(closes).to.deep.equal([]);
      expect(socket.readyState).to.equal("open");
      await finish(io, socket);
    });

    it("is validated like the other delays", () => {
      for (const requestTimeout of [0, -1, 1.5, Number.NaN, 2 ** 31]) {
        expect(() => new Socket("http://127.0.0.1:1", { requestTimeout, io: new FakeIO(), autoUnref: true }), String(requestTimeout)).to.throw(/requestTimeout/);
      }
    });
  });

  describe("openTimeout", () => {
    it("a handshake unanswered at the deadline fails: 'transport error', HW_ERR_TIMEOUT 'open timeout', request aborted", async () => {
      const io = new FakeIO();
      const scheduler = new FakeScheduler();
      const socket = new Socket("http://example.test/", { transports: ["polling"], io, scheduler, openTimeout: 2000 });
      const events: unknown[][] = [];
      socket.on("error", (error) => events.push(["error", error]));
      socket.on("close", (reason, details) => events.push(["close", reason, details]));
      await settle();
      const handshake = io.only("GET");
      scheduler.advance(1999);
      await settle();
      expect(socket.readyState).to.equal("opening");
      scheduler.advance(1);
      await settle();
      expect(handshake.aborted).to.equal(true);
      expect(events.map((e) => e.slice(0, 2).map((x) => (x instanceof Error ? x.message : x)))).to.deep.equal([["error", "open timeout"], ["close", "transport error"]]);
      expect(events[1]![2]).to.be.instanceOf(TransportError).and.include({ code: "HW_ERR_TIMEOUT" });
    });

    it("an answer in time cancels it; with tryAllTransports the next transport gets a fresh deadline", async () => {
      const io = new FakeIO();
      const scheduler = new FakeScheduler();
      const answered = new Socket("http://example.test/", { transports: ["polling"], io, scheduler, openTimeout: 2000 });
      await settle();
      scheduler.advance(1500);
      io.only("GET").respond(200, openPacket({ pingInterval: 60_000, pingTimeout: 60_000 }));
      await settle();
      scheduler.advance(10_000);
      await settle();
      expect(answered.readyState).to.equal("open");
      await finish(io, answered);

      const io2 = new FakeIO();
      const clock = new FakeScheduler();
      const fallback = new Socket("http://example.test/", { transports: ["polling", "websocket"], tryAllTransports: true, io: io2, scheduler: clock, openTimeout: 2000 });
      await settle();
      clock.advance(2000);
      await settle();
      expect(io2.requests[0]!.aborted).to.equal(true);
      expect(io2.sockets).to.have.length(1); // failed over to websocket
      clock.advance(1999);
      await settle();
      expect(fallback.readyState).to.equal("opening");
      clock.advance(1);
      await settle();
      expect(fallback.readyState).to.equal("closed");
      expect(io2.sockets[0]!.terminated).to.equal(true);
    });
  });
});
