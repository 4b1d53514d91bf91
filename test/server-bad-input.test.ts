/**
 * @module Bad input gets engine.io's answer (status, code, close reason) and disturbs nothing else:
 * every test ends by proving a control session on the same server still echoes.
 */

import { expect } from "chai";
import { request as httpRequest } from "node:http";
import { connect as netConnect } from "node:net";
import type { Server, Socket } from "@heartwire/server";
import { ControlSession } from "./helpers/control.js";
import { once, waitUntil } from "./helpers/events.js";
import { engineUrl, request, type RawResponse } from "./helpers/http.js";
import { PollingPeer } from "./helpers/polling.js";
import { startServer, type RunningServer } from "./helpers/servers.js";
import { WsPeer, wsRefusal } from "./helpers/ws.js";

const LIMIT = 1000;

describe("server bad input", () => {
  let srv: RunningServer<Server>;
  let control: ControlSession;
  const peers: WsPeer[] = [];

  beforeEach(async () => {
    srv = await startServer({ echo: true, maxHttpBufferSize: LIMIT, httpBodyTimeout: 300, upgradeTimeout: 300, maxPacketsPerPayload: 100 });
    control = await ControlSession.open(srv.url);
  });
  afterEach(async () => {
    await control.assertWorks();
    control.close();
    for (const p of peers.splice(0)) await p[Symbol.asyncDispose]();
    await srv.close();
  });

  const wsPeer = async (query: Record<string, string>): Promise<WsPeer> => {
    const peer = await WsPeer.open(engineUrl(srv.wsUrl, query));
    peers.push(peer);
    return peer;
  };
  const closeReason = (sid: string): Promise<[string, Error | undefined]> =>
    once<[string, Error | undefined]>(srv.server.clients[sid] as Socket, "close");
  const expectError = (res: RawResponse, status: number, code: number, message: string): void => {
    expect(res.status).to.equal(status);
    expect(res.headers["content-type"]).to.equal("application/json");
    expect(res.json()).to.deep.equal({ code, message });
  };

  describe("query", () => {
    it("unknown, missing and invalid EIO get code 5", async () => {
      for (const eio of ["", "3", "5", "4.0", "abc"]) {
        expectError(await request(engineUrl(srv.url, { EIO: eio, transport: "polling" })), 400, 5, "Unsupported protocol version");
      }
      expectError(await request(`${srv.url}/engine.io/?transport=polling`), 400, 5, "Unsupported protocol version");
    });

    it("unknown and missing transport get code 0, also with object-key names", async () => {
      for (const transport of ["", "flash", "__proto__", "constructor", "toString"]) {
        expectError(await request(engineUrl(srv.url, { EIO: "4", transport })), 400, 0, "Transport unknown");
      }
      expectError(await request(`${srv.url}/engine.io/?EIO=4`), 400, 0, "Transport unknown");
      expectError(await request(`${srv.url}/engine.io/?%%%&&==&transport`), 400, 0, "Transport unknown");
    });

    it("unknown sids get code 1, including object-key names", async () => {
      for (const sid of ["nope", "__proto__", "constructor", "hasOwnProperty", "a".repeat(5000)]) {
        expectError(await request(engineUrl(srv.url, { EIO: "4", transport: "polling", sid })), 400, 1, "Session ID unknown");
        const post = await request(engineUrl(srv.url, { EIO: "4", transport: "polling", sid }), { method: "POST", body: "4x" });
        expectError(post, 400, 1, "Session ID unknown");
      }
    });

    it("a connection_error event carries req, code, message and context", async () => {
      const event = once<[{ code: number; message: string; context: Record<string, unknown>; req: unknown }]>(srv.server, "connection_error");
      await request(engineUrl(srv.url, { EIO: "4", transport: "polling", sid: "missing" }));
      const [error] = await event;
      expect(error.code).to.equal(1);
      expect(error.message).to.equal("Session ID unknown");
      expect(error.context).to.deep.equal({ sid: "missing" });
      expect(error.req).to.have.property("url");
    });
  });

  describe("methods and transports", () => {
    it("other methods on a session get 500, and the session goes on", async () => {
      const peer = await PollingPeer.connect(srv.url);
      for (const method of ["PUT", "DELETE", "PATCH"]) {
        expect((await request(peer.url(), { method })).status, method).to.equal(500);
      }
      expect((await peer.post("4still")).body).to.equal("ok");
      expect((await peer.get()).body).to.equal("4still");
    });

    it("a handshake over POST gets code 2; OPTIONS without cors too", async () => {
      const url = engineUrl(srv.url, { EIO: "4", transport: "polling" });
      expectError(await request(url, { method: "POST", body: "4hi" }), 400, 2, "Bad handshake method");
      expectError(await request(url, { method: "OPTIONS" }), 400, 2, "Bad handshake method");
    });

    it("a websocket handshake without Upgrade gets code 3", async () => {
      expectError(await request(engineUrl(srv.url, { EIO: "4", transport: "websocket" })), 400, 3, "Bad request");
    });

    it("a polling request for a websocket session gets code 3", async () => {
      const peer = await wsPeer({ EIO: "4", transport: "websocket" });
      const { sid } = JSON.parse(((await peer.next()) as string).slice(1)) as { sid: string };
      expectError(await request(engineUrl(srv.url, { EIO: "4", transport: "polling", sid })), 400, 3, "Bad request");
      peer.send("4alive");
      expect(await peer.next()).to.equal("4alive");
    });

    it("an upgrade for an unknown sid gets a raw 400", async () => {
      const refusal = await wsRefusal(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket", sid: "unknown" }));
      expect(refusal).to.deep.equal({ status: 400, body: "Session ID unknown" });
    });

    it("a failed upgrade is a raw 'HTTP/1.1 400 Bad Request' and the TCP socket is closed", async () => {
      const socket = netConnect(srv.port, "127.0.0.1");
      socket.on("error", () => {});
      const chunks: Buffer[] = [];
      socket.on("data", (c: Buffer) => chunks.push(c));
      const ended = once(socket, "close");
      socket.write(
        "GET /engine.io/?EIO=4&transport=websocket&sid=nope HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n" +
          "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      );
      await ended;
      const text = Buffer.concat(chunks).toString();
      expect(text.startsWith("HTTP/1.1 400 Bad Request\r\n")).to.equal(true);
      expect(text.endsWith("\r\n\r\nSession ID unknown")).to.equal(true);
    });

    it("a second websocket while upgrading is opened then closed (as engine.io does) and the first probe continues", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const probe = await wsPeer({ EIO: "4", transport: "websocket", sid: peer.sid });
      probe.send("2probe");
      expect(await probe.next()).to.equal("3probe");
      const second = await wsPeer({ EIO: "4", transport: "websocket", sid: peer.sid });
      expect((await second.waitClose(2000)).code).to.equal(1005); // a close frame without a status, as engine.io sends
      expect(second.pending).to.deep.equal([]);
      probe.send("5");
      probe.send("4after");
      expect(await probe.next()).to.equal("4after");
    });
  });

  describe("upgrade", () => {
    it("a probe that never completes is closed after upgradeTimeout; polling goes on", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const socket = srv.server.clients[peer.sid]!;
      const probe = await wsPeer({ EIO: "4", transport: "websocket", sid: peer.sid });
      probe.send("2probe");
      expect(await probe.next()).to.equal("3probe");
      expect(socket.upgrading).to.equal(true);
      await probe.waitClose(2000);
      expect(socket.upgrading).to.equal(false);
      expect(socket.transport.name).to.equal("polling");
      expect((await peer.post("4poll")).body).to.equal("ok");
      expect((await peer.get()).body).to.equal("4poll");
    });

    it("a probe that stays silent (no 2probe) is closed after upgradeTimeout", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const probe = await wsPeer({ EIO: "4", transport: "websocket", sid: peer.sid });
      await probe.waitClose(2000);
      expect(srv.server.clients[peer.sid]?.readyState).to.equal("open");
    });

    it("any other packet before 5 aborts the upgrade", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const probe = await wsPeer({ EIO: "4", transport: "websocket", sid: peer.sid });
      probe.send("2probe");
      expect(await probe.next()).to.equal("3probe");
      probe.send("4sneaky");
      await probe.waitClose(2000);
      const socket = srv.server.clients[peer.sid]!;
      expect(socket.transport.name).to.equal("polling");
      expect(socket.upgraded).to.equal(false);
    });
  });

  describe("packets and payloads", () => {
    const payloads: [string, string][] = [
      ["a bad type digit", "9hello"],
      ["an empty body", ""],
      ["invalid base64", "b!!!notbase64"],
      ["a separator storm", "\x1e".repeat(LIMIT - 1)],
      ["a storm of empty messages", "4\x1e".repeat(300) + "4"],
      ["more packets than maxPacketsPerPayload", Array.from({ length: 200 }, () => "4x").join("\x1e")],
      ["a valid packet followed by garbage", "4ok\x1e\x00\x01"],
    ];
    for (const [what, body] of payloads) {
      it(`polling: ${what} closes the session with 'parse error'`, async () => {
        const peer = await PollingPeer.connect(srv.url);
        const closed = closeReason(peer.sid);
        const post = await peer.post(body);
        expect(post.status).to.equal(200);
        expect((await closed)[0]).to.equal("parse error");
        expectError(await peer.get(), 400, 1, "Session ID unknown");
      });
    }

    for (const [what, frame] of [["a bad type digit", "9"], ["an empty frame", ""], ["invalid base64", "b%%%"]] as const) {
      it(`websocket: ${what} closes the session with 'parse error'`, async () => {
        const peer = await wsPeer({ EIO: "4", transport: "websocket" });
        const { sid } = JSON.parse(((await peer.next()) as string).slice(1)) as { sid: string };
        const closed = closeReason(sid);
        peer.send(frame);
        expect((await closed)[0]).to.equal("parse error");
        await peer.waitClose();
      });
    }

    it("a 1 MB separator storm on default limits is refused quickly", async () => {
      await using big = await startServer();
      const peer = await PollingPeer.connect(big.url);
      const closed = once<[string]>(big.server.clients[peer.sid]!, "close");
      const started = Date.now();
      expect((await peer.post("\x1e".repeat(999_999))).status).to.equal(200);
      expect((await closed)[0]).to.equal("parse error");
      // Refused as a whole, not record by record (that would take minutes): bounded for any machine.
      expect(Date.now() - started).to.be.lessThan(10_000);
    });

    it("a ping from the client is a protocol error ('transport error')", async () => {
      const peer = await wsPeer({ EIO: "4", transport: "websocket" });
      const { sid } = JSON.parse(((await peer.next()) as string).slice(1)) as { sid: string };
      const closed = closeReason(sid);
      peer.send("2");
      const [reason, error] = await closed;
      expect(reason).to.equal("transport error");
      expect(error?.message).to.equal("invalid heartbeat direction");
    });

    it("binary content-type (application/octet-stream) on a v4 session gets 400 and 'transport error'", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const closed = closeReason(peer.sid);
      const post = await peer.post(Buffer.from([4, 1, 2]), { "content-type": "application/octet-stream" });
      expect(post.status).to.equal(400);
      expect((await closed)[0]).to.equal("transport error");
    });
  });

  describe("size and time limits", () => {
    it("a POST declaring more than maxHttpBufferSize gets 413 before the body is read", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const closed = closeReason(peer.sid);
      const res = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(peer.url(), { method: "POST", agent: false, headers: { "content-length": 10 * LIMIT } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on("error", reject);
        // Headers only, no body ever: the server must answer without waiting for it.
        req.flushHeaders();
      });
      expect(res).to.equal(413);
      expect((await closed)[0]).to.equal("transport error");
    });

    it("a chunked POST without Content-Length gets 413 once it passes the limit", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const closed = closeReason(peer.sid);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(peer.url(), { method: "POST", agent: false, headers: { "transfer-encoding": "chunked" } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on("error", reject);
        req.write("4" + "x".repeat(LIMIT + 10));
      });
      expect(status).to.equal(413);
      expect((await closed)[0]).to.equal("transport error");
    });

    it("a POST exactly at the limit is accepted", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const body = "4" + "y".repeat(LIMIT - 1);
      expect((await peer.post(body)).body).to.equal("ok");
      expect((await peer.get()).body).to.equal(body);
    });

    it("a trickling POST is answered 408 within httpBodyTimeout", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const closed = closeReason(peer.sid);
      const started = Date.now();
      let req: ReturnType<typeof httpRequest> | undefined;
      const status = await new Promise<number>((resolve, reject) => {
        req = httpRequest(peer.url(), { method: "POST", agent: false, headers: { "content-length": 100 } }, (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
        });
        req.on("error", reject);
        req.write("4tr");
      });
      req?.destroy();
      expect(status).to.equal(408);
      expect(Date.now() - started).to.be.lessThan(10_000);
      expect((await closed)[0]).to.equal("transport error");
    });

    it("a websocket frame over maxHttpBufferSize closes with 1009 and 'transport error'", async () => {
      const peer = await wsPeer({ EIO: "4", transport: "websocket" });
      const { sid } = JSON.parse(((await peer.next()) as string).slice(1)) as { sid: string };
      const closed = closeReason(sid);
      peer.send("4" + "z".repeat(LIMIT + 1));
      const { code } = await peer.waitClose();
      expect(code).to.equal(1009);
      expect((await closed)[0]).to.equal("transport error");
    });

    it("an abandoned polling session dies by ping timeout", async () => {
      await using short = await startServer({ pingInterval: 100, pingTimeout: 100 });
      const peer = await PollingPeer.connect(short.url);
      const socket = short.server.clients[peer.sid]!;
      const [reason] = await once<[string]>(socket, "close", { timeoutMs: 2000 });
      expect(reason).to.equal("ping timeout");
      expect(short.server.clientsCount).to.equal(0);
      expectError(await peer.get(), 400, 1, "Session ID unknown");
    });

    it("a client that never reads is closed when the outgoing buffer limit is passed", async () => {
      await using small = await startServer({ maxBufferedPackets: 50 });
      const peer = await PollingPeer.connect(small.url);
      const socket = small.server.clients[peer.sid]!;
      const closed = once<[string, Error]>(socket, "close");
      for (let i = 0; i < 60; i++) socket.send(`m${i}`);
      const [reason, error] = await closed;
      expect(reason).to.equal("transport error");
      expect((error as Error & { code?: string }).code).to.equal("HW_ERR_BUFFER_FULL");
    });
  });

  it("non-engine upgrades are destroyed after destroyUpgradeTimeout", async () => {
    await using other = await startServer({ destroyUpgradeTimeout: 100 });
    const socket = netConnect(other.port, "127.0.0.1");
    socket.on("error", () => {});
    const closed = once(socket, "close", { timeoutMs: 3000 });
    socket.write(
      "GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    await closed;
    await waitUntil(() => socket.destroyed, 1000, "socket destroyed");
  });
});
