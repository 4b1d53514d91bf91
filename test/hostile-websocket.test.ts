/**
 * @module Hostile WebSocket upgrades and frames over raw TCP: sessions that may not upgrade,
 * malformed handshake headers, reserved bits, unmasked and fragmented frames, invalid UTF-8,
 * oversized and lying lengths, ping floods, and connections reset mid-upgrade or mid-frame.
 * Each case checks the exact close code or HTTP answer, a bounded time, and the control session.
 */

import { expect } from "chai";
import type { Socket } from "@heartwire/server";
import { once, waitUntil } from "./helpers/events.js";
import { engineUrl } from "./helpers/http.js";
import { PollingPeer } from "./helpers/polling.js";
import { WsPeer, wsRefusal } from "./helpers/ws.js";
import {
  ANSWER_WITHIN,
  arena,
  frame,
  framesAfterHandshake,
  heapReturnsToBaseline,
  rawExchange,
  rawWsSession,
  upgradeRequest,
  WS_HEADERS,
  type Arena,
  type RawWsSession,
} from "./hostile/harness.js";

const LIMIT = 10_000;

describe("hostile input: websocket upgrades and frames", () => {
  heapReturnsToBaseline();
  let a: Arena;
  beforeEach(async () => {
    a = await arena({ maxHttpBufferSize: LIMIT, upgradeTimeout: 300 });
  });
  afterEach(async () => a.done());

  /** A raw session plus its server socket's close reason. */
  const session = async (): Promise<{ raw: RawWsSession; closed: Promise<[string, Error | undefined]> }> => {
    const raw = await rawWsSession(a.srv.port);
    const socket = a.srv.server.clients[raw.sid] as Socket;
    return { raw, closed: once<[string, Error | undefined]>(socket, "close", { timeoutMs: ANSWER_WITHIN }) };
  };
  /** Writes `bytes` and expects the server to close with `code` and the session with `reason`. */
  const expectClose = async (bytes: Buffer, code: number, reason = "transport error"): Promise<void> => {
    const { raw, closed } = await session();
    raw.socket.write(bytes);
    expect(await raw.closed(), "connection closed").to.equal(true);
    expect(raw.closeCode()).to.equal(code);
    expect((await closed)[0]).to.equal(reason);
  };

  describe("upgrade requests", () => {
    it("an unknown transport with Upgrade headers gets a raw 400 'Transport unknown'", async () => {
      const res = await rawExchange(a.srv.port, [upgradeRequest("EIO=4&transport=flash")]);
      expect(res.text.startsWith("HTTP/1.1 400 Bad Request\r\n")).to.equal(true);
      expect(res.text.endsWith("\r\n\r\nTransport unknown")).to.equal(true);
      expect(res.closed).to.equal(true);
    });

    it("the sid of a session that was not offered the upgrade gets a raw 400 'Bad request'", async () => {
      await a.done();
      a = await arena({ allowUpgrades: false });
      const peer = await PollingPeer.connect(a.srv.url);
      expect(peer.open["upgrades"]).to.deep.equal([]);
      expect(await wsRefusal(engineUrl(a.srv.wsUrl, { EIO: "4", transport: "websocket", sid: peer.sid }))).to.deep.equal({ status: 400, body: "Bad request" });
      expect(a.srv.server.clients[peer.sid]?.transport.name).to.equal("polling");
    });

    it("a second upgrade after the first completed is opened, then closed at once", async () => {
      const peer = await PollingPeer.connect(a.srv.url);
      const probe = await WsPeer.open(engineUrl(a.srv.wsUrl, { EIO: "4", transport: "websocket", sid: peer.sid }));
      probe.send("2probe");
      expect(await probe.next()).to.equal("3probe");
      probe.send("5");
      await waitUntil(() => a.srv.server.clients[peer.sid]?.upgraded === true, ANSWER_WITHIN, "upgrade");
      const second = await WsPeer.open(engineUrl(a.srv.wsUrl, { EIO: "4", transport: "websocket", sid: peer.sid }));
      expect((await second.waitClose(ANSWER_WITHIN)).code).to.equal(1005);
      expect(second.pending).to.deep.equal([]);
      probe.send("4still");
      expect(await probe.next()).to.equal("4still");
      await probe[Symbol.asyncDispose]();
    });

    it("a probe that closes after 3probe (no 5) leaves the session on polling", async () => {
      const peer = await PollingPeer.connect(a.srv.url);
      const probe = await WsPeer.open(engineUrl(a.srv.wsUrl, { EIO: "4", transport: "websocket", sid: peer.sid }));
      probe.send("2probe");
      expect(await probe.next()).to.equal("3probe");
      await probe[Symbol.asyncDispose]();
      const socket = a.srv.server.clients[peer.sid]!;
      await waitUntil(() => !socket.upgrading, ANSWER_WITHIN, "probe given up");
      expect((await peer.post("4poll")).body).to.equal("ok");
      expect((await peer.get()).body).to.equal("4poll");
    });

    const headerCases: [string, ReadonlyArray<readonly [string, string]>, string][] = [
      ["a missing Sec-WebSocket-Key", WS_HEADERS.filter(([n]) => n !== "Sec-WebSocket-Key"), "Missing or invalid Sec-WebSocket-Key header"],
      ["an invalid Sec-WebSocket-Key", [...WS_HEADERS.filter(([n]) => n !== "Sec-WebSocket-Key"), ["Sec-WebSocket-Key", "short"]], "Missing or invalid Sec-WebSocket-Key header"],
      ["an unsupported Sec-WebSocket-Version", [...WS_HEADERS.filter(([n]) => n !== "Sec-WebSocket-Version"), ["Sec-WebSocket-Version", "99"]], "Missing or invalid Sec-WebSocket-Version header"],
      ["a malformed Sec-WebSocket-Protocol", [...WS_HEADERS, ["Sec-WebSocket-Protocol", "a,,b c"]], "Invalid Sec-WebSocket-Protocol header"],
    ];
    for (const [what, headers, message] of headerCases) {
      it(`${what} gets 400 '${message}'`, async () => {
        const res = await rawExchange(a.srv.port, [upgradeRequest("EIO=4&transport=websocket", [], headers)]);
        expect(res.status).to.equal(400);
        expect(res.text).to.include(message);
        expect(res.closed).to.equal(true);
        expect(a.srv.server.clientsCount).to.equal(1);
      });
    }

    it("a malformed Sec-WebSocket-Extensions is ignored without compression, refused (400) with it", async () => {
      const bad: [string, string] = ["Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=abc; ;;="];
      const ignored = await rawExchange(a.srv.port, [upgradeRequest("EIO=4&transport=websocket", [bad])], { until: (d) => framesAfterHandshake(d).length > 0 });
      expect(ignored.status).to.equal(101);
      expect(ignored.text).not.to.include("Sec-WebSocket-Extensions");
      await a.done();
      a = await arena({ perMessageDeflate: true });
      const refused = await rawExchange(a.srv.port, [upgradeRequest("EIO=4&transport=websocket", [bad])]);
      expect(refused.status).to.equal(400);
      expect(refused.text).to.include("Sec-WebSocket-Extensions");
      expect(refused.closed).to.equal(true);
    });

    it("a frame sent in the same packet as the upgrade request is processed", async () => {
      const res = await rawExchange(a.srv.port, [Buffer.concat([Buffer.from(upgradeRequest("EIO=4&transport=websocket")), frame({ payload: "4early" })])], {
        until: (d) => framesAfterHandshake(d).some((f) => f.payload.toString() === "4early"),
      });
      expect(res.status).to.equal(101);
    });

    it("a connection reset halfway through the upgrade request leaves no session", async () => {
      const before = a.srv.server.clientsCount;
      const head = upgradeRequest("EIO=4&transport=websocket");
      await rawExchange(a.srv.port, [head.slice(0, head.length / 2)], { resetAfterWrite: true, gapMs: 20 });
      await new Promise((r) => setTimeout(r, 50));
      expect(a.srv.server.clientsCount).to.equal(before);
    });

    it("a connection reset right after a complete upgrade request: any session it made closes", async () => {
      const before = a.srv.server.clientsCount;
      await rawExchange(a.srv.port, [upgradeRequest("EIO=4&transport=websocket")], { resetAfterWrite: true });
      await waitUntil(() => a.srv.server.clientsCount === before, ANSWER_WITHIN, "session reclaimed");
    });

    it("a reset in the middle of an upgrade probe leaves the polling session working", async () => {
      const peer = await PollingPeer.connect(a.srv.url);
      const head = upgradeRequest(`EIO=4&transport=websocket&sid=${peer.sid}`);
      await rawExchange(a.srv.port, [head, frame({ payload: "2pro" }).subarray(0, 4)], { resetAfterWrite: true, gapMs: 30 });
      const socket = a.srv.server.clients[peer.sid]!;
      await waitUntil(() => !socket.upgrading, ANSWER_WITHIN, "probe gone");
      expect((await peer.post("4ok")).body).to.equal("ok");
      expect((await peer.get()).body).to.equal("4ok");
    });
  });

  describe("frames", () => {
    it("RSV1 set without negotiated compression closes with 1002", async () => {
      await expectClose(frame({ rsv: 4, payload: "4x" }), 1002);
    });

    it("RSV2 and RSV3 set close with 1002", async () => {
      await expectClose(frame({ rsv: 3, payload: "4x" }), 1002);
    });

    it("an unmasked client frame closes with 1002", async () => {
      await expectClose(frame({ mask: false, payload: "4x" }), 1002);
    });

    it("invalid UTF-8 in a text frame closes with 1007", async () => {
      await expectClose(frame({ payload: Buffer.from([0x34, 0xc3, 0x28]) }), 1007);
    });

    it("invalid UTF-8 split across fragments closes with 1007", async () => {
      await expectClose(Buffer.concat([frame({ fin: false, payload: Buffer.from([0x34, 0xe2, 0x82]) }), frame({ opcode: 0, payload: Buffer.from([0x41]) })]), 1007);
    });

    it("a continuation frame with nothing to continue closes with 1002", async () => {
      await expectClose(frame({ opcode: 0, payload: "x" }), 1002);
    });

    it("a fragmented control frame closes with 1002", async () => {
      await expectClose(frame({ opcode: 9, fin: false }), 1002);
    });

    it("a control frame over 125 bytes closes with 1002", async () => {
      await expectClose(frame({ opcode: 9, payload: Buffer.alloc(126) }), 1002);
    });

    it("an unknown opcode closes with 1002", async () => {
      await expectClose(frame({ opcode: 3, payload: "x" }), 1002);
    });

    it("a close frame with a reserved code (999) closes with 1002", async () => {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(999);
      await expectClose(frame({ opcode: 8, payload }), 1002);
    });

    it("a header declaring 2^62 bytes closes with 1009 without waiting for them", async () => {
      await expectClose(frame({ payload: "", declaredLength: 1n << 62n }), 1009);
    });

    it("a flood of 20,000 one-byte fragments past maxPayload closes with 1009", async () => {
      const parts = [frame({ fin: false, payload: "4" })];
      for (let i = 0; i < 20_000; i++) parts.push(frame({ opcode: 0, fin: false, payload: "x" }));
      await expectClose(Buffer.concat(parts), 1009);
    });

    it("2,000 fragments within maxPayload reassemble into one message", async () => {
      const { raw } = await session();
      const parts = [frame({ fin: false, payload: "4" })];
      for (let i = 0; i < 1999; i++) parts.push(frame({ opcode: 0, fin: false, payload: "y" }));
      parts.push(frame({ opcode: 0, payload: "!" }));
      raw.socket.write(Buffer.concat(parts));
      const expected = `4${"y".repeat(1999)}!`;
      await waitUntil(() => raw.frames().some((f) => f.payload.toString() === expected), ANSWER_WITHIN, "echo");
      raw.socket.destroy();
    });

    it("a flood of 5,000 WebSocket pings from a peer that does not read its pongs is cut off ('transport close')", async () => {
      const { raw, closed } = await session();
      raw.socket.write(Buffer.concat(Array.from({ length: 5000 }, () => frame({ opcode: 9, payload: "p" }))));
      // ws answers at most 60 pings whose pongs are not yet written, then terminates the connection.
      expect(await raw.closed()).to.equal(true);
      expect(raw.frames().filter((f) => f.opcode === 10).length).to.be.at.most(60);
      expect((await closed)[0]).to.equal("transport close");
    });

    it("20 WebSocket pings are each answered with a pong; the session stays open", async () => {
      const { raw } = await session();
      const socket = a.srv.server.clients[raw.sid]!;
      raw.socket.write(Buffer.concat(Array.from({ length: 20 }, () => frame({ opcode: 9, payload: "p" }))));
      await waitUntil(() => raw.frames().filter((f) => f.opcode === 10).length === 20, ANSWER_WITHIN, "20 pongs");
      raw.socket.write(frame({ payload: "4after" }));
      await waitUntil(() => raw.frames().some((f) => f.payload.toString() === "4after"), ANSWER_WITHIN, "echo");
      expect(socket.readyState).to.equal("open");
      raw.socket.destroy();
    });

    it("1,000 unsolicited engine pongs in one write are ignored", async () => {
      const { raw } = await session();
      const socket = a.srv.server.clients[raw.sid]!;
      raw.socket.write(Buffer.concat([...Array.from({ length: 1000 }, () => frame({ payload: "3" })), frame({ payload: "4end" })]));
      await waitUntil(() => raw.frames().some((f) => f.payload.toString() === "4end"), ANSWER_WITHIN, "echo");
      expect(socket.readyState).to.equal("open");
      raw.socket.destroy();
    });

    it("a binary frame is a binary message (echoed as binary)", async () => {
      const { raw } = await session();
      raw.socket.write(frame({ opcode: 2, payload: Buffer.from([0, 0xff, 0x1e]) }));
      await waitUntil(() => raw.frames().some((f) => f.opcode === 2 && f.payload.equals(Buffer.from([0, 0xff, 0x1e]))), ANSWER_WITHIN, "binary echo");
      raw.socket.destroy();
    });

    it("a reset in the middle of a frame closes the session with 'transport close'", async () => {
      const { raw, closed } = await session();
      raw.socket.write(frame({ payload: "4" + "z".repeat(500) }).subarray(0, 100));
      await new Promise((r) => setTimeout(r, 20));
      raw.socket.resetAndDestroy();
      expect((await closed)[0]).to.equal("transport close");
    });

    it("a peer that never reads: the session is closed when its outgoing bound is passed", async () => {
      await a.done();
      a = await arena({ maxBufferedBytes: 200_000 });
      const { raw, closed } = await session();
      raw.socket.pause();
      const socket = a.srv.server.clients[raw.sid]!;
      const chunk = "x".repeat(10_000);
      let sent = 0;
      while (socket.readyState === "open" && sent < 2000) {
        socket.send(chunk);
        sent++;
        if (sent % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      const [reason, error] = await closed;
      expect(reason).to.equal("transport error");
      expect((error as Error & { code?: string }).code).to.equal("HW_ERR_BUFFER_FULL");
      expect(socket.unsent.length).to.be.greaterThan(0);
      raw.socket.destroy();
    });
  });
});
