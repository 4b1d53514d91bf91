/**
 * @module Hostile polling bodies: lying or missing lengths, chunked floods, trickles, resets,
 * pipelining, encodings we never inflate, invalid UTF-8, packets a client must not send, and the
 * bound on how long one payload may hold the event loop. Each case checks the exact answer, a
 * bounded time, and the control session.
 */

import { expect } from "chai";
import { request as httpRequest } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import type { Socket } from "@heartwire/server";
import { collect, once } from "./helpers/events.js";
import { engineUrl, request } from "./helpers/http.js";
import { PollingPeer } from "./helpers/polling.js";
import { ANSWER_WITHIN, arena, heapReturnsToBaseline, httpHead, rawExchange, within, type Arena } from "./hostile/harness.js";

const LIMIT = 10_000;

describe("hostile input: polling bodies", () => {
  heapReturnsToBaseline();
  let a: Arena;
  beforeEach(async () => {
    a = await arena({ maxHttpBufferSize: LIMIT, httpBodyTimeout: 300, maxPacketsPerPayload: 100 });
  });
  afterEach(async () => a.done());

  const session = async (): Promise<{ peer: PollingPeer; socket: Socket; closed: Promise<[string, Error | undefined]> }> => {
    const peer = await PollingPeer.connect(a.srv.url);
    const socket = a.srv.server.clients[peer.sid]!;
    const closed = once<[string, Error | undefined]>(socket, "close", { timeoutMs: ANSWER_WITHIN });
    return { peer, socket, closed };
  };
  const path = (peer: PollingPeer): string => peer.url().slice(a.srv.url.length);

  it("Expect: 100-continue with an oversized Content-Length gets 413 and no body is read", async () => {
    const { peer, closed } = await session();
    const res = await rawExchange(a.srv.port, [httpHead("POST", path(peer), [["Content-Length", LIMIT * 100], ["Expect", "100-continue"]])], {
      until: (d) => d.includes("413"),
    });
    expect(res.text).to.include("HTTP/1.1 413");
    expect((await closed)[0]).to.equal("transport error");
  });

  it("10,000 one-byte chunks without Content-Length get 413 once past the limit", async () => {
    const { peer, closed } = await session();
    const chunks = [httpHead("POST", path(peer), [["Transfer-Encoding", "chunked"]])];
    for (let i = 0; i < LIMIT + 10; i++) chunks.push("1\r\nx\r\n");
    const res = await rawExchange(a.srv.port, [chunks.join("")], { until: (d) => d.includes("\r\n\r\n") });
    expect(res.status).to.equal(413);
    expect((await closed)[0]).to.equal("transport error");
  });

  it("a chunked body that trickles gets 408 within httpBodyTimeout", async () => {
    const { peer, closed } = await session();
    const drip = Array.from({ length: 40 }, () => "1\r\n4\r\n");
    const res = await rawExchange(a.srv.port, [httpHead("POST", path(peer), [["Transfer-Encoding", "chunked"]]), ...drip], {
      gapMs: 50,
      until: (d) => d.includes("\r\n\r\n"),
    });
    expect(res.status).to.equal(408);
    expect(res.ms).to.be.below(10_000);
    expect((await closed)[0]).to.equal("transport error");
  });

  it("a body shorter than its Content-Length, then a reset: the session closes, nothing hangs", async () => {
    const { peer, closed } = await session();
    await rawExchange(a.srv.port, [httpHead("POST", path(peer), [["Content-Length", 100]], "4half")], { resetAfterWrite: true, gapMs: 20 });
    const [reason] = await closed;
    expect(["transport error", "transport close"]).to.include(reason);
  });

  for (const [what, value] of [["non-numeric", "abc"], ["negative", "-5"], ["duplicated and different", "5\r\nContent-Length: 7"]] as const) {
    it(`a ${what} Content-Length gets 400 from the HTTP layer; the session is untouched`, async () => {
      const { peer, socket } = await session();
      const res = await rawExchange(a.srv.port, [`POST ${path(peer)} HTTP/1.1\r\nHost: x\r\nContent-Length: ${value}\r\n\r\n4hello`]);
      expect(res.status).to.equal(400);
      expect(res.closed).to.equal(true);
      expect(socket.readyState).to.equal("open");
    });
  }

  it("two concurrent POSTs: the second gets 400 and the session closes with 'transport error'", async () => {
    const { peer, closed } = await session();
    const slow = httpRequest(peer.url(), { method: "POST", agent: false, headers: { "content-length": 50 } });
    slow.on("error", () => {});
    slow.write("4");
    await new Promise((r) => setTimeout(r, 30));
    const second = await peer.post("4two");
    expect(second.status).to.equal(400);
    expect((await closed)[0]).to.equal("transport error");
    slow.destroy();
  });

  it("two concurrent GETs: the second gets 400 ('overlap') and the first is released", async () => {
    const { peer, closed } = await session();
    const first = peer.get();
    await new Promise((r) => setTimeout(r, 30));
    const second = await peer.get();
    expect(second.status).to.equal(400);
    expect((await closed)[0]).to.equal("transport error");
    expect((await within(first, ANSWER_WITHIN, "first GET")).status).to.be.oneOf([200, 400]);
  });

  it("a gzip-encoded body is never inflated: it is text, and garbage text is a 'parse error'", async () => {
    const { peer, closed } = await session();
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x34), { level: 9 });
    expect(bomb.length).to.be.below(LIMIT);
    const post = await peer.post(bomb, { "content-type": "text/plain", "content-encoding": "gzip" });
    expect(post.status).to.equal(200);
    expect((await closed)[0]).to.equal("parse error");
  });

  it("invalid UTF-8 becomes U+FFFD and the message is delivered; the session stays open", async () => {
    const { peer, socket } = await session();
    const got = once<[string]>(socket, "message");
    expect((await peer.post(Buffer.from([0x34, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]))).body).to.equal("ok");
    const [message] = await got;
    expect(message.startsWith("\ufffd")).to.equal(true);
    expect(message).to.include("(");
    expect(socket.readyState).to.equal("open");
  });

  it("a body of only a byte-order mark is a 'parse error'", async () => {
    const { peer, closed } = await session();
    expect((await peer.post("\ufeff")).status).to.equal(200);
    expect((await closed)[0]).to.equal("parse error");
  });

  for (const body of ["b=", "b\u00e9\u00e9", "bAAA=A"]) {
    it(`invalid base64 ${JSON.stringify(body)} is a 'parse error'`, async () => {
      const { peer, closed } = await session();
      expect((await peer.post(body)).status).to.equal(200);
      expect((await closed)[0]).to.equal("parse error");
    });
  }

  it("a client ping inside a payload is a protocol error ('transport error')", async () => {
    const { peer, closed } = await session();
    expect((await peer.post("4a\x1e2")).status).to.equal(200);
    const [reason, error] = await closed;
    expect(reason).to.equal("transport error");
    expect(error?.message).to.equal("invalid heartbeat direction");
  });

  it("50 unsolicited pongs are ignored; messages around them arrive in order", async () => {
    const { peer, socket } = await session();
    const messages = collect<string>(socket, "message", 2);
    expect((await peer.post(["4first", ...Array.from({ length: 50 }, () => "3"), "4last"].join("\x1e"))).body).to.equal("ok");
    expect(await messages).to.deep.equal(["first", "last"]);
    expect(socket.readyState).to.equal("open");
  });

  it("open, upgrade and noop packets from the client are ignored", async () => {
    const { peer, socket } = await session();
    const got = once<[string]>(socket, "message");
    expect((await peer.post('0{"sid":"forged"}\x1e5\x1e6\x1e6probe\x1e4still')).body).to.equal("ok");
    expect((await got)[0]).to.equal("still");
    expect(socket.readyState).to.equal("open");
    expect((await peer.get()).body).to.equal("4still");
  });

  it("a close packet from the client closes the session with 'transport close'", async () => {
    const { peer, closed } = await session();
    expect((await peer.post("1")).status).to.equal(200);
    expect((await closed)[0]).to.equal("transport close");
  });

  it("a pipelined POST and GET on one connection are both answered in order", async () => {
    const { peer } = await session();
    const res = await rawExchange(
      a.srv.port,
      [httpHead("POST", path(peer), [["Content-Length", 5], ["Content-Type", "text/plain"]], "4pipe") + httpHead("GET", path(peer))],
      { until: (d) => d.toString("latin1").includes("4pipe") },
    );
    expect(res.text.startsWith("HTTP/1.1 200")).to.equal(true);
    expect(res.text.split("HTTP/1.1 200")).to.have.length(3);
  });

  it("one payload of maxPacketsPerPayload (10,000 default) messages holds the loop < 100 ms", async () => {
    await a.done();
    a = await arena();
    const peer = await PollingPeer.connect(a.srv.url);
    const socket = a.srv.server.clients[peer.sid]!;
    let count = 0;
    socket.on("message", () => count++);
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    expect((await peer.post(Array.from({ length: 10_000 }, () => "4").join("\x1e"))).body).to.equal("ok");
    lag.disable();
    expect(count).to.equal(10_000);
    // The parse yields to the loop: no single block near the seconds a record-by-record copy takes.
    expect(lag.max / 1e6).to.be.below(1000);
    // One more record is refused as a whole.
    const closed = once<[string]>(socket, "close");
    await peer.post(Array.from({ length: 10_001 }, () => "4").join("\x1e"));
    expect((await closed)[0]).to.equal("parse error");
  });

  it("a GET after the session closed is answered 400 code 1 at once", async () => {
    const { peer, closed } = await session();
    await peer.post("1");
    await closed;
    const res = await request(engineUrl(a.srv.url, { EIO: "4", transport: "polling", sid: peer.sid }));
    expect(res.status).to.equal(400);
    expect(res.json()).to.deep.equal({ code: 1, message: "Session ID unknown" });
  });
});
