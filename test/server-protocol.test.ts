/**
 * @module Protocol conformance, after the ideas of engine.io-protocol's 24-case suite (PROTOCOL.md
 * §5.1), written against our server with raw HTTP and WebSocket peers. Where that suite is lax
 * (cases 6, 7, 11) these assert the exact answer.
 */

import { expect } from "chai";
import type { Server } from "@heartwire/server";
import { waitUntil } from "./helpers/events.js";
import { engineUrl, request } from "./helpers/http.js";
import { PollingPeer } from "./helpers/polling.js";
import { startServer, type RunningServer } from "./helpers/servers.js";
import { WsPeer, wsRefusal } from "./helpers/ws.js";

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;

describe("server protocol conformance", () => {
  let srv: RunningServer<Server>;
  const peers: WsPeer[] = [];
  beforeEach(async () => {
    srv = await startServer({ echo: true, pingInterval: PING_INTERVAL, pingTimeout: PING_TIMEOUT, cors: { origin: "*" } });
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) await p[Symbol.asyncDispose]();
    await srv.close();
  });
  const ws = async (query: Record<string, string>): Promise<WsPeer> => {
    const peer = await WsPeer.open(engineUrl(srv.wsUrl, query));
    peers.push(peer);
    return peer;
  };

  describe("handshake", () => {
    it("1. polling: opens a session", async () => {
      const res = await request(engineUrl(srv.url, { EIO: "4", transport: "polling" }));
      expect(res.status).to.equal(200);
      expect(res.headers["content-type"]).to.equal("text/plain; charset=UTF-8");
      expect(res.headers["cache-control"]).to.equal("no-store");
      expect(res.body[0]).to.equal("0");
      const open = JSON.parse(res.body.slice(1)) as Record<string, unknown>;
      expect(open).to.have.all.keys("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
      expect(open["sid"]).to.be.a("string").with.length.greaterThan(0);
      expect(open["upgrades"]).to.deep.equal(["websocket"]);
      expect(open["pingInterval"]).to.equal(PING_INTERVAL);
      expect(open["pingTimeout"]).to.equal(PING_TIMEOUT);
      expect(open["maxPayload"]).to.equal(1e6);
    });

    it("2. polling: refuses a missing or invalid EIO with code 5", async () => {
      for (const eio of [undefined, "abc", "3"]) {
        const query: Record<string, string> = { transport: "polling" };
        if (eio !== undefined) query["EIO"] = eio;
        const res = await request(engineUrl(srv.url, query));
        expect(res.status, `EIO=${eio}`).to.equal(400);
        expect(res.headers["content-type"]).to.equal("application/json");
        expect(res.json()).to.deep.equal({ code: 5, message: "Unsupported protocol version" });
      }
    });

    it("3. polling: refuses a missing or unknown transport with code 0", async () => {
      for (const transport of [undefined, "abc", "webtransport", "__proto__"]) {
        const query: Record<string, string> = { EIO: "4" };
        if (transport !== undefined) query["transport"] = transport;
        const res = await request(engineUrl(srv.url, query));
        expect(res.status).to.equal(400);
        expect(res.json()).to.deep.equal({ code: 0, message: "Transport unknown" });
      }
    });

    it("4. polling: refuses a handshake over POST or PUT with code 2", async () => {
      for (const method of ["POST", "PUT", "DELETE"]) {
        const res = await request(engineUrl(srv.url, { EIO: "4", transport: "polling" }), method === "DELETE" ? { method } : { method, body: "4hi" });
        expect(res.status, method).to.equal(400);
        expect(res.json()).to.deep.equal({ code: 2, message: "Bad handshake method" });
      }
    });

    it("5. websocket: opens a session with no upgrades", async () => {
      const peer = await ws({ EIO: "4", transport: "websocket" });
      const frame = await peer.next();
      expect(frame).to.be.a("string");
      expect((frame as string)[0]).to.equal("0");
      const open = JSON.parse((frame as string).slice(1)) as Record<string, unknown>;
      expect(open["upgrades"]).to.deep.equal([]);
      expect(open["pingInterval"]).to.equal(PING_INTERVAL);
      expect(open["maxPayload"]).to.equal(1e6);
    });

    it("6. websocket: refuses an invalid EIO with a raw 400", async () => {
      const refusal = await wsRefusal(engineUrl(srv.wsUrl, { EIO: "abc", transport: "websocket" }));
      expect(refusal).to.deep.equal({ status: 400, body: "Unsupported protocol version" });
      const missing = await wsRefusal(engineUrl(srv.wsUrl, { transport: "websocket" }));
      expect(missing.status).to.equal(400);
    });

    it("7. websocket: refuses an invalid transport with a raw 400", async () => {
      const refusal = await wsRefusal(engineUrl(srv.wsUrl, { EIO: "4", transport: "abc" }));
      expect(refusal).to.deep.equal({ status: 400, body: "Transport unknown" });
      const polling = await wsRefusal(engineUrl(srv.wsUrl, { EIO: "4", transport: "polling" }));
      expect(polling).to.deep.equal({ status: 400, body: "Bad request" });
    });
  });

  describe("message", () => {
    it("8. polling: one text packet round-trips", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const post = await peer.post("4hello");
      expect(post.status).to.equal(200);
      expect(post.body).to.equal("ok");
      expect(post.headers["content-type"]).to.equal("text/html");
      const poll = await peer.get();
      expect(poll.status).to.equal(200);
      expect(poll.body).to.equal("4hello");
    });

    it("9. polling: several packets come back batched in one poll", async () => {
      const peer = await PollingPeer.connect(srv.url);
      expect((await peer.post("4test1\x1e4test2\x1e4test3")).body).to.equal("ok");
      const poll = await peer.get();
      expect(poll.body).to.equal("4test1\x1e4test2\x1e4test3");
    });

    it("10. polling: text and base64 binary packets round-trip", async () => {
      const peer = await PollingPeer.connect(srv.url);
      await peer.post("4hello\x1ebAQIDBA==");
      expect((await peer.get()).body).to.equal("4hello\x1ebAQIDBA==");
    });

    it("11. polling: an invalid packet closes the session (parse error)", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const closed = new Promise<string>((resolve) => srv.server.clients[peer.sid]!.once("close", resolve));
      const post = await peer.post("abc");
      expect(post.status).to.equal(200);
      expect(await closed).to.equal("parse error");
      const poll = await peer.get();
      expect(poll.status).to.equal(400);
      expect(poll.json()).to.deep.equal({ code: 1, message: "Session ID unknown" });
    });

    it("12. polling: a duplicate poll closes the session", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const first = peer.get();
      // Make sure the first GET is held before the second one arrives.
      await waitUntil(() => srv.server.clients[peer.sid]?.transport.writable === true, 2000, "first GET held");
      const second = await peer.get();
      expect(second.status).to.equal(400);
      const firstRes = await first;
      expect(firstRes.status).to.equal(200);
      expect(firstRes.body).to.equal("1");
      const third = await peer.get();
      expect(third.status).to.equal(400);
      expect(third.json()).to.deep.equal({ code: 1, message: "Session ID unknown" });
    });

    it("13. websocket: a text packet round-trips", async () => {
      const peer = await ws({ EIO: "4", transport: "websocket" });
      await peer.next();
      peer.send("4hello");
      expect(await peer.next()).to.equal("4hello");
    });

    it("14. websocket: a binary frame round-trips as binary", async () => {
      const peer = await ws({ EIO: "4", transport: "websocket" });
      await peer.next();
      peer.send(Buffer.from([1, 2, 3, 4]));
      const frame = await peer.next();
      expect(Buffer.isBuffer(frame)).to.equal(true);
      expect([...(frame as Buffer)]).to.deep.equal([1, 2, 3, 4]);
    });

    it("14b. websocket with b64=1: binary comes back as b<base64> text", async () => {
      const peer = await ws({ EIO: "4", transport: "websocket", b64: "1" });
      await peer.next();
      peer.send(Buffer.from([1, 2, 3, 4]));
      expect(await peer.next()).to.equal("bAQIDBA==");
    });

    it("15. websocket: an invalid packet closes the session", async () => {
      const peer = await ws({ EIO: "4", transport: "websocket" });
      await peer.next();
      peer.send("abc");
      await peer.waitClose();
    });
  });

  describe("heartbeat", () => {
    it("16. polling: sends ping, accepts pong, three rounds", async () => {
      const peer = await PollingPeer.connect(srv.url);
      for (let i = 0; i < 3; i++) {
        const poll = await peer.get();
        expect(poll.body).to.equal("2");
        expect((await peer.post("3")).body).to.equal("ok");
      }
    });

    it("17. polling: closes the session on ping timeout", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const socket = srv.server.clients[peer.sid]!;
      const reason = await new Promise<string>((resolve) => socket.once("close", resolve));
      expect(reason).to.equal("ping timeout");
      const poll = await peer.get();
      expect(poll.status).to.equal(400);
    });

    it("18. websocket: sends ping, accepts pong, three rounds", async () => {
      const peer = await ws({ EIO: "4", transport: "websocket" });
      await peer.next();
      for (let i = 0; i < 3; i++) {
        expect(await peer.next(2000)).to.equal("2");
        peer.send("3");
      }
    });

    it("19. websocket: closes the session on ping timeout", async () => {
      const peer = await ws({ EIO: "4", transport: "websocket" });
      await peer.next();
      expect(await peer.next(2000)).to.equal("2");
      await peer.waitClose(2000);
    });
  });

  describe("close", () => {
    it("20. polling: a POSTed close releases the pending GET with a noop and ends the session", async () => {
      const peer = await PollingPeer.connect(srv.url);
      const pending = peer.get();
      await waitUntil(() => srv.server.clients[peer.sid]?.transport.writable === true, 2000, "GET held");
      const socket = srv.server.clients[peer.sid]!;
      const reason = new Promise<string>((resolve) => socket.once("close", resolve));
      expect((await peer.post("1")).body).to.equal("ok");
      expect((await pending).body).to.equal("6");
      expect(await reason).to.equal("transport close");
      expect((await peer.get()).status).to.equal(400);
    });

    it("21. websocket: a close packet closes the session at once (not by ping timeout)", async () => {
      const peer = await ws({ EIO: "4", transport: "websocket" });
      const open = JSON.parse(((await peer.next()) as string).slice(1)) as { sid: string };
      const socket = srv.server.clients[open.sid]!;
      const reason = new Promise<string>((resolve) => socket.once("close", resolve));
      peer.send("1");
      expect(await reason).to.equal("transport close");
      await peer.waitClose(PING_INTERVAL); // well before a ping timeout could have closed it
    });
  });

  describe("upgrade", () => {
    async function upgrade(): Promise<{ peer: PollingPeer; socketWs: WsPeer }> {
      const peer = await PollingPeer.connect(srv.url);
      const pending = peer.get();
      const socketWs = await ws({ EIO: "4", transport: "websocket", sid: peer.sid });
      socketWs.send("2probe");
      expect(await socketWs.next()).to.equal("3probe");
      expect((await pending).body).to.equal("6");
      socketWs.send("5");
      return { peer, socketWs };
    }

    it("22. upgrades from polling to websocket", async () => {
      const { socketWs } = await upgrade();
      socketWs.send("4hello");
      expect(await socketWs.next()).to.equal("4hello");
    });

    it("23. ignores HTTP requests with the same sid after the upgrade", async () => {
      const { peer, socketWs } = await upgrade();
      socketWs.send("4sync");
      await socketWs.next();
      const poll = await peer.get();
      expect(poll.status).to.equal(400);
      expect(poll.json()).to.deep.equal({ code: 3, message: "Bad request" });
    });

    it("24. closes a second websocket for an upgraded sid once it is open (as engine.io does)", async () => {
      const { peer, socketWs } = await upgrade();
      socketWs.send("4sync");
      await socketWs.next();
      const second = await WsPeer.open(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket", sid: peer.sid }));
      expect((await second.waitClose(2000)).code).to.equal(1005); // a close frame without a status, as engine.io sends
      expect(second.pending).to.deep.equal([]);
      socketWs.send("4still-alive");
      expect(await socketWs.next()).to.equal("4still-alive");
    });
  });
});
