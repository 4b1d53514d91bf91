/** @module The engine.io-compatible public API: attach/listen, options, hooks, events and socket methods. */

import { expect } from "chai";
import { createServer, request as httpRequest } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { Socket as ClientSocket } from "engine.io-client";
import { WebSocket, WebSocketServer } from "ws";
import { attach, listen, Server, type Socket } from "@heartwire/server";
import { collect, once as onceAny, type Listenable } from "./helpers/events.js";
import { engineUrl, request } from "./helpers/http.js";
import { PollingPeer } from "./helpers/polling.js";
import { startServer } from "./helpers/servers.js";
import { WsPeer, wsRefusal } from "./helpers/ws.js";

const once = <T extends unknown[] = unknown[]>(emitter: unknown, event: string, timeoutMs = 5000): Promise<T> =>
  onceAny<T>(emitter as Listenable, event, { timeoutMs });
const handshakeUrl = (base: string, extra: Record<string, string> = {}): string =>
  engineUrl(base, { EIO: "4", transport: "polling", ...extra });

/** Opens a websocket session on `srv`: the raw peer (its open packet read) and the server's socket. */
async function openWsSession(srv: { server: Server; wsUrl: string }): Promise<{ peer: WsPeer; socket: Socket }> {
  const connection = once<[Socket]>(srv.server, "connection");
  const peer = await WsPeer.open(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }));
  const [socket] = await connection;
  await peer.next();
  return { peer, socket };
}

describe("server API", () => {
  describe("attach / listen", () => {
    it("attach() keeps other request listeners for other paths and serves the engine path", async () => {
      const http = createServer((_req, res) => res.end("app"));
      const engine = attach(http);
      await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
      const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      try {
        expect((await request(`${base}/other`)).body).to.equal("app");
        expect((await request(handshakeUrl(base))).body[0]).to.equal("0");
        expect((await request(`${base}/engine.io`)).body, "the path is /engine.io/").to.equal("app");
      } finally {
        engine.close();
        await new Promise<void>((r) => (http.close(() => r()), http.closeAllConnections()));
      }
    });

    it("listen() answers 501 elsewhere and keeps its http.Server as httpServer", async () => {
      const engine = await new Promise<Server>((resolve) => {
        const e = listen(0, { host: "127.0.0.1" }, () => resolve(e));
      });
      const http = engine.httpServer!;
      const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      try {
        const other = await request(`${base}/nope`);
        expect(other.status).to.equal(501);
        expect((await request(handshakeUrl(base))).status).to.equal(200);
      } finally {
        await new Promise<void>((r) => (http.close(() => r()), http.closeAllConnections()));
      }
      expect(engine.clientsCount).to.equal(0);
    });

    it("listen() bounds request heads: maxHeaderSize (16 KiB by default) and headersTimeout", async () => {
      const start = (options: Parameters<typeof listen>[1]): Promise<Server> =>
        new Promise<Server>((resolve) => {
          const e = listen(0, { host: "127.0.0.1", ...(options as object) }, () => resolve(e));
        });
      const handshake = (engine: Server, padding: number) =>
        request(handshakeUrl(`http://127.0.0.1:${(engine.httpServer!.address() as AddressInfo).port}`), { headers: { "x-pad": "p".repeat(padding) } });
      const small = await start({ maxHeaderSize: 2048, headersTimeout: 5000 });
      const standard = await start({});
      try {
        expect((await handshake(small, 1000)).status).to.equal(200);
        expect((await handshake(small, 3000)).status).to.equal(431);
        expect((await handshake(standard, 12_000)).status).to.equal(200);
        expect((await handshake(standard, 17_000)).status).to.equal(431);
        expect([small.httpServer!.headersTimeout, standard.httpServer!.headersTimeout]).to.deep.equal([5000, 60_000]);
        expect(() => listen(0, { maxHeaderSize: 0 })).to.throw(/maxHeaderSize must be a positive integer/);
      } finally {
        for (const { httpServer } of [small, standard]) await new Promise<void>((r) => (httpServer!.close(() => r()), httpServer!.closeAllConnections()));
      }
    });

    it("listen() accepts a Unix socket path", async () => {
      const dir = mkdtempSync(join(tmpdir(), "hw-"));
      const path = join(dir, "engine.sock");
      const engine = await new Promise<Server>((resolve) => {
        const e = listen(path, () => resolve(e));
      });
      try {
        const status = await new Promise<number>((resolve, reject) => {
          const req = httpRequest({ socketPath: path, path: "/engine.io/?EIO=4&transport=polling" }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", reject);
          req.end();
        });
        expect(status).to.equal(200);
      } finally {
        const http = engine.httpServer!;
        await new Promise<void>((r) => (http.close(() => r()), http.closeAllConnections()));
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("honours path and addTrailingSlash: false (with the official client)", async () => {
      await using srv = await startServer({ path: "/rt", addTrailingSlash: false, echo: true });
      const client = new ClientSocket(srv.url, { path: "/rt", addTrailingSlash: false, transports: ["polling", "websocket"] });
      try {
        await once(client, "open");
        await once(client, "upgrade");
        client.send("x");
        expect((await once<[string]>(client, "message"))[0]).to.equal("x");
      } finally {
        client.close();
      }
      expect((await request(`${srv.url}/rtx?EIO=4&transport=polling`)).status).to.equal(200); // prefix match, as engine.io
    });
  });

  describe("sessions", () => {
    it("tracks clients (null-prototype record) and clientsCount", async () => {
      await using srv = await startServer();
      expect(Object.getPrototypeOf(srv.server.clients)).to.equal(null);
      const a = await PollingPeer.connect(srv.url);
      const b = await PollingPeer.connect(srv.url);
      expect(srv.server.clientsCount).to.equal(2);
      expect(Object.keys(srv.server.clients).sort()).to.deep.equal([a.sid, b.sid].sort());
      const socket = srv.server.clients[a.sid]!;
      expect(socket.id).to.equal(a.sid);
      expect(socket.protocol).to.equal(4);
      expect(socket.remoteAddress).to.equal("127.0.0.1");
      expect(socket.request.url).to.contain("transport=polling");
      expect(socket.readyState).to.equal("open");
      const closed = once(socket, "close");
      await a.post("1");
      await closed;
      expect(srv.server.clientsCount).to.equal(1);
      expect(srv.server.clients[a.sid]).to.equal(undefined);
    });

    it("close() ends every session with 'server shutting down'", async () => {
      await using srv = await startServer();
      const ws = await WsPeer.open(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }));
      const poll = await PollingPeer.connect(srv.url);
      const reasons = collect<string>(srv.server.clients[poll.sid]!, "close", 1);
      const pending = poll.get();
      await (await import("./helpers/events.js")).waitUntil(() => srv.server.clients[poll.sid]!.transport.writable, 2000, "GET held");
      srv.server.close();
      expect(await reasons).to.deep.equal(["server shutting down"]);
      expect((await pending).body).to.equal("1");
      await ws.waitClose();
      expect(srv.server.clientsCount).to.equal(0);
    });

    it("close({ graceful: true }) flushes buffers first ('forced close')", async () => {
      await using srv = await startServer();
      const { peer, socket } = await openWsSession(srv);
      const closed = once<[string]>(socket, "close");
      socket.send("last words");
      srv.server.close({ graceful: true });
      expect(await peer.next()).to.equal("4last words");
      expect((await closed)[0]).to.equal("forced close");
    });

    it("after close() handshakes get 503 'Server shutting down' on both transports, while sessions drain", async () => {
      await using srv = await startServer();
      const peer = await PollingPeer.connect(srv.url);
      srv.server.close({ graceful: true });
      const polling = await request(handshakeUrl(srv.url));
      expect(polling.status).to.equal(503);
      expect(polling.json()).to.deep.equal({ code: 3, message: "Server shutting down" });
      expect((await wsRefusal(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }))).status).to.equal(503);
      // The draining session still gets its close packet (after a noop, as engine.io answers a later GET).
      expect((await peer.get()).body).to.equal("6\x1e1");
      expect(srv.server.clientsCount).to.equal(0);
    });

    it("close(options, callback): the callback runs once the last session has ended, after its close event", async () => {
      await using srv = await startServer();
      const { peer: ws, socket: wsSocket } = await openWsSession(srv);
      const poll = await PollingPeer.connect(srv.url);
      const order: string[] = [];
      wsSocket.on("close", (reason) => order.push(`websocket ${reason}`));
      srv.server.clients[poll.sid]!.on("close", (reason) => order.push(`polling ${reason}`));
      const drained = new Promise<void>((resolve) => srv.server.close({ graceful: true }, () => (order.push("callback"), resolve())));
      await ws.waitClose();
      await new Promise((resolve) => setImmediate(resolve));
      // The polling session waits for its next GET to carry the close packet: no callback yet.
      expect(order).to.deep.equal(["websocket forced close"]);
      expect((await poll.get()).body).to.equal("6\x1e1");
      await drained;
      expect(order).to.deep.equal(["websocket forced close", "polling forced close", "callback"]);
      // Without sessions the callback still comes, on a microtask.
      let called = false;
      srv.server.close({}, () => (called = true));
      expect(called).to.equal(false);
      await Promise.resolve();
      expect(called).to.equal(true);
    });

    it("close({ graceful, timeout }) drops sessions still open at the timeout ('server shutting down')", async () => {
      await using srv = await startServer();
      const poll = await PollingPeer.connect(srv.url);
      const socket = srv.server.clients[poll.sid]!;
      const closed = once<[string]>(socket, "close", 3000);
      const startedAt = performance.now();
      const drained = new Promise<void>((resolve) => srv.server.close({ graceful: true, timeout: 200 }, resolve));
      // The client never comes back for its close packet.
      expect((await closed)[0]).to.equal("server shutting down");
      await drained;
      expect(performance.now() - startedAt).to.be.within(190, 10_000);
      expect(() => srv.server.close({ graceful: true, timeout: -1 })).to.throw(/timeout must be a finite number/);
    });

    it("socket.close() on polling: the next GET gets what was queued, the one after it the close packet (as engine.io)", async () => {
      await using srv = await startServer();
      const peer = await PollingPeer.connect(srv.url);
      const socket = srv.server.clients[peer.sid]!;
      const closed = once<[string]>(socket, "close");
      socket.send("bye");
      socket.close();
      expect(socket.readyState).to.equal("closing");
      expect((await peer.get()).body).to.equal("4bye");
      expect((await peer.get()).body).to.equal("6\x1e1");
      expect((await closed)[0]).to.equal("forced close");
    });
  });

  describe("handshake hooks", () => {
    it("allowRequest (callback) refuses with 403 and its message on polling, raw 400 on websocket", async () => {
      const seen: string[] = [];
      await using srv = await startServer({
        echo: true,
        allowRequest: (req, cb) => {
          seen.push(req.url ?? "");
          if (req.url?.includes("deny")) cb("custom deny msg", false);
          else cb(null, true);
        },
      });
      const denied = await request(handshakeUrl(srv.url, { deny: "1" }));
      expect(denied.status).to.equal(403);
      expect(denied.json()).to.deep.equal({ code: 4, message: "custom deny msg" });
      const wsDenied = await wsRefusal(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket", deny: "1" }));
      expect(wsDenied).to.deep.equal({ status: 400, body: "custom deny msg" });
      const peer = await PollingPeer.connect(srv.url);
      const before = seen.length;
      await peer.post("4x");
      await peer.get();
      expect(seen.length, "not called for requests with a sid").to.equal(before);
    });

    it("allowRequest may return a Promise", async () => {
      await using srv = await startServer({ allowRequest: async (req) => !req.url?.includes("deny") });
      const denied = await request(handshakeUrl(srv.url, { deny: "1" }));
      expect(denied.status).to.equal(403);
      expect(denied.json()).to.deep.equal({ code: 4, message: "Forbidden" });
      expect((await request(handshakeUrl(srv.url))).status).to.equal(200);
      await using rejecting = await startServer({ allowRequest: () => Promise.reject(new Error("nope")) });
      expect((await request(handshakeUrl(rejecting.url))).json()).to.deep.equal({ code: 4, message: "nope" });
    });

    it("generateId: sync, async, overridden method, and a failing one (code 3)", async () => {
      await using sync = await startServer({ generateId: () => "custom-id" });
      expect((await PollingPeer.connect(sync.url)).sid).to.equal("custom-id");
      expect((await request(handshakeUrl(sync.url))).json()).to.deep.equal({ code: 3, message: "Bad request" }); // id taken
      await using async = await startServer({ generateId: async () => "async-id" });
      expect((await PollingPeer.connect(async.url)).sid).to.equal("async-id");
      await using overridden = await startServer();
      overridden.server.generateId = () => "over";
      expect((await PollingPeer.connect(overridden.url)).sid).to.equal("over");
      await using failing = await startServer({ generateId: () => Promise.reject(new Error("db down")) });
      const res = await request(handshakeUrl(failing.url));
      expect(res.status).to.equal(400);
      expect(res.json()).to.deep.equal({ code: 3, message: "Bad request" });
    });

    it("default ids are 20 url-safe characters", async () => {
      await using srv = await startServer();
      const { sid } = await PollingPeer.connect(srv.url);
      expect(sid).to.match(/^[A-Za-z0-9_-]{20}$/);
    });

    it("sessionIdPrefix goes in front of default and generateId ids; a bad prefix throws", async () => {
      await using srv = await startServer({ sessionIdPrefix: "node-a." });
      expect((await PollingPeer.connect(srv.url)).sid).to.match(/^node-a\.[A-Za-z0-9_-]{20}$/);
      await using custom = await startServer({ sessionIdPrefix: "b.", generateId: () => "mine" });
      const peer = await PollingPeer.connect(custom.url);
      expect(peer.sid).to.equal("b.mine");
      expect(Object.keys(custom.server.clients)).to.deep.equal(["b.mine"]); // the session's own id
      for (const bad of ["a/b", "a b", "x".repeat(65), 7]) {
        expect(() => new Server({ sessionIdPrefix: bad as string })).to.throw(/sessionIdPrefix/);
      }
    });

    it("initialPacket follows the open packet", async () => {
      await using srv = await startServer({ initialPacket: "welcome" });
      const peer = await PollingPeer.connect(srv.url);
      expect(peer.handshakeBody.split("\x1e")[1]).to.equal("4welcome");
    });

    it("sends from the connection handler wait for the next GET", async () => {
      await using srv = await startServer();
      srv.server.on("connection", (socket) => socket.send("hi"));
      const peer = await PollingPeer.connect(srv.url);
      expect(peer.handshakeBody.includes("\x1e")).to.equal(false);
      expect((await peer.get()).body).to.equal("4hi");
    });

    it("transports and allowUpgrades restrict what is offered", async () => {
      await using wsOnly = await startServer({ transports: ["websocket"] });
      expect((await request(handshakeUrl(wsOnly.url))).json()).to.deep.equal({ code: 0, message: "Transport unknown" });
      await using pollOnly = await startServer({ transports: ["polling"] });
      expect((await PollingPeer.connect(pollOnly.url)).open["upgrades"]).to.deep.equal([]);
      expect((await wsRefusal(engineUrl(pollOnly.wsUrl, { EIO: "4", transport: "websocket" }))).status).to.equal(400);
      await using noUpgrades = await startServer({ allowUpgrades: false });
      expect((await PollingPeer.connect(noUpgrades.url)).open["upgrades"]).to.deep.equal([]);
    });
  });

  describe("headers, cookie, CORS, middlewares, compression", () => {
    it("initial_headers on the handshake only, headers on every response, also on the WebSocket 101", async () => {
      await using srv = await startServer({ echo: true });
      srv.server.on("initial_headers", (headers) => (headers["x-initial"] = "yes"));
      srv.server.on("headers", (headers) => (headers["x-every"] = "1"));
      const hs = await request(handshakeUrl(srv.url));
      expect(hs.headers["x-initial"]).to.equal("yes");
      expect(hs.headers["x-every"]).to.equal("1");
      const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
      const post = await request(engineUrl(srv.url, { EIO: "4", transport: "polling", sid }), { method: "POST", body: "4a" });
      expect(post.headers["x-initial"]).to.equal(undefined);
      expect(post.headers["x-every"]).to.equal("1");
      const poll = await request(engineUrl(srv.url, { EIO: "4", transport: "polling", sid }));
      expect(poll.headers["x-every"]).to.equal("1");
      expect(poll.headers["cache-control"]).to.equal("no-store");
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const ws = new WebSocket(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }));
        ws.on("upgrade", (res) => resolve(res.headers));
        ws.on("error", reject);
        ws.on("open", () => ws.terminate());
      });
      expect(headers["x-initial"]).to.equal("yes");
      expect(headers["x-every"]).to.equal("1");
    });

    it("sets the sid cookie on the polling handshake when asked", async () => {
      await using srv = await startServer({ cookie: true });
      const hs = await request(handshakeUrl(srv.url));
      const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
      expect(hs.headers["set-cookie"]).to.deep.equal([`io=${sid}; Path=/; HttpOnly; SameSite=Lax`]);
      const poll = await request(engineUrl(srv.url, { EIO: "4", transport: "polling", sid }), { method: "POST", body: "4x" });
      expect(poll.headers["set-cookie"]).to.equal(undefined);
      await using custom = await startServer({ cookie: { name: "s", path: "/app", sameSite: "strict", secure: true, maxAge: 60 } });
      const cookie = (await request(handshakeUrl(custom.url))).headers["set-cookie"]![0]!;
      expect(cookie).to.match(/^s=[\w-]+; Max-Age=60; Path=\/app; HttpOnly; Secure; SameSite=Strict$/);
    });

    it("answers CORS preflights and adds CORS headers", async () => {
      await using srv = await startServer({ cors: { origin: ["https://a.example", /\.b\.example$/], credentials: true } });
      const pre = await request(handshakeUrl(srv.url), {
        method: "OPTIONS",
        headers: { origin: "https://x.b.example", "access-control-request-headers": "content-type" },
      });
      expect(pre.status).to.equal(204);
      expect(pre.headers["access-control-allow-origin"]).to.equal("https://x.b.example");
      expect(pre.headers["access-control-allow-credentials"]).to.equal("true");
      expect(pre.headers["access-control-allow-methods"]).to.equal("GET,HEAD,PUT,PATCH,POST,DELETE");
      expect(pre.headers["access-control-allow-headers"]).to.equal("content-type");
      const ok = await request(handshakeUrl(srv.url), { headers: { origin: "https://a.example" } });
      expect(ok.headers["access-control-allow-origin"]).to.equal("https://a.example");
      const other = await request(handshakeUrl(srv.url), { headers: { origin: "https://evil.example" } });
      expect(other.headers["access-control-allow-origin"]).to.equal(undefined);
      const error = await request(engineUrl(srv.url, { EIO: "4", transport: "nope" }), { headers: { origin: "https://a.example" } });
      expect(error.headers["access-control-allow-origin"]).to.equal("https://a.example");
    });

    it("supports origin '*', true (reflect), a string and a function", async () => {
      const cases: [unknown, string | undefined][] = [
        ["*", "*"],
        [true, "https://o.example"],
        ["https://fixed.example", "https://fixed.example"],
        [(origin: string | undefined, cb: (e: Error | null, v?: boolean) => void) => cb(null, origin === "https://o.example"), "https://o.example"],
        [false, undefined],
      ];
      for (const [origin, expected] of cases) {
        await using srv = await startServer({ cors: { origin: origin as never } });
        const res = await request(handshakeUrl(srv.url), { headers: { origin: "https://o.example" } });
        expect(res.headers["access-control-allow-origin"], String(origin)).to.equal(expected);
      }
    });

    it("use(): middlewares run on polling and upgrades; an error refuses with code 3", async () => {
      await using srv = await startServer({ echo: true });
      const seen: string[] = [];
      srv.server.use((req, res, next) => {
        seen.push(req.headers.upgrade ? "upgrade" : req.method ?? "");
        res.setHeader("x-mw", "ran");
        if (req.url?.includes("fail")) next(new Error("no"));
        else next();
      });
      const hs = await request(handshakeUrl(srv.url));
      expect(hs.headers["x-mw"]).to.equal("ran");
      const failed = await request(handshakeUrl(srv.url, { fail: "1" }));
      expect(failed.status).to.equal(400);
      expect(failed.json()).to.deep.equal({ code: 3, message: "Bad request" });
      const wsFailed = await wsRefusal(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket", fail: "1" }));
      expect(wsFailed).to.deep.equal({ status: 400, body: "Bad request" });
      const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const ws = new WebSocket(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }));
        ws.on("upgrade", (res) => resolve(res.headers));
        ws.on("error", reject);
        ws.on("open", () => ws.terminate());
      });
      expect(headers["x-mw"]).to.equal("ran");
      expect(seen).to.include("upgrade");
    });

    it("gzips large poll responses when accepted, not small ones, not when disabled", async () => {
      await using srv = await startServer();
      const peer = await PollingPeer.connect(srv.url);
      const socket = srv.server.clients[peer.sid]!;
      const big = "x".repeat(5000);
      socket.send(big);
      const res = await new Promise<{ encoding: unknown; body: Buffer }>((resolve, reject) => {
        const req = httpRequest(peer.url(), { headers: { "accept-encoding": "gzip, deflate" }, agent: false }, (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => resolve({ encoding: r.headers["content-encoding"], body: Buffer.concat(chunks) }));
        });
        req.on("error", reject);
        req.end();
      });
      expect(res.encoding).to.equal("gzip");
      expect(gunzipSync(res.body).toString()).to.equal("4" + big);
      socket.send("small");
      const small = await request(peer.url(), { headers: { "accept-encoding": "gzip" } });
      expect(small.headers["content-encoding"]).to.equal(undefined);
      expect(small.body).to.equal("4small");
      socket.send(big, { compress: false });
      const uncompressed = await request(peer.url(), { headers: { "accept-encoding": "gzip" } });
      expect(uncompressed.headers["content-encoding"]).to.equal(undefined);
      await using off = await startServer({ httpCompression: false });
      const p2 = await PollingPeer.connect(off.url);
      off.server.clients[p2.sid]!.send(big);
      expect((await request(p2.url(), { headers: { "accept-encoding": "gzip" } })).headers["content-encoding"]).to.equal(undefined);
    });

    it("perMessageDeflate is negotiated only when enabled", async () => {
      await using plain = await startServer();
      const a = await WsPeer.open(engineUrl(plain.wsUrl, { EIO: "4", transport: "websocket" }));
      expect(a.ws.extensions).to.equal("");
      await a[Symbol.asyncDispose]();
      await using deflate = await startServer({ perMessageDeflate: true, echo: true });
      const b = await WsPeer.open(engineUrl(deflate.wsUrl, { EIO: "4", transport: "websocket" }));
      expect(b.ws.extensions).to.contain("permessage-deflate");
      await b.next();
      b.send("4" + "y".repeat(3000));
      expect(await b.next()).to.equal("4" + "y".repeat(3000));
      await b[Symbol.asyncDispose]();
    });
    it("wsEngine: the given WebSocket server class is made once, with the engine's limits, and serves handshakes and upgrades", async () => {
      const made: unknown[] = [];
      let upgrades = 0;
      class CountingServer extends WebSocketServer {
        constructor(options: ConstructorParameters<typeof WebSocketServer>[0]) {
          super(options);
          made.push(options);
        }
        override handleUpgrade(...args: Parameters<WebSocketServer["handleUpgrade"]>): void {
          upgrades++;
          super.handleUpgrade(...args);
        }
      }
      await using srv = await startServer({ wsEngine: CountingServer, maxHttpBufferSize: 4096, echo: true });
      await using peer = await WsPeer.open(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }));
      expect((await peer.next())[0]).to.equal("0");
      peer.send("4hi");
      expect(await peer.next()).to.equal("4hi");
      const client = new ClientSocket(srv.url, { transports: ["polling", "websocket"] });
      try {
        await once(client, "upgrade");
        client.send("x");
        expect((await once<[string]>(client, "message"))[0]).to.equal("x");
      } finally {
        client.close();
      }
      expect(made).to.deep.equal([{ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: 4096 }]);
      expect(upgrades).to.equal(2);
    });
  });

  describe("socket events and send", () => {
    it("send callbacks run once written; write and data are aliases; packet events fire", async () => {
      await using srv = await startServer();
      const { peer, socket } = await openWsSession(srv);
      const created: string[] = [];
      socket.on("packetCreate", (p) => created.push(p.type));
      const flushed = once(srv.server, "flush");
      const drained = once(srv.server, "drain");
      const written = new Promise<string>((resolve) => socket.write("via write", {}, (t) => resolve(t.name)));
      expect(await written).to.equal("websocket");
      await flushed;
      await drained;
      expect(created).to.deep.equal(["message"]);
      expect(await peer.next()).to.equal("4via write");
      const data = once<[string]>(socket, "data");
      const packet = once<[{ type: string; data: string }]>(socket, "packet");
      peer.send("4in");
      expect((await data)[0]).to.equal("in");
      expect((await packet)[0]).to.deep.equal({ type: "message", data: "in" });
    });

    it("send callbacks on polling run after the GET response is written", async () => {
      await using srv = await startServer();
      const peer = await PollingPeer.connect(srv.url);
      const socket = srv.server.clients[peer.sid]!;
      let called = 0;
      socket.send("a", () => called++);
      socket.send("b", () => called++);
      expect(called).to.equal(0);
      expect((await peer.get()).body).to.equal("4a\x1e4b");
      await (await import("./helpers/events.js")).waitUntil(() => called === 2, 2000, "callbacks");
    });

    it("sends nothing once closing or closed", async () => {
      await using srv = await startServer();
      const peer = await PollingPeer.connect(srv.url);
      const socket = srv.server.clients[peer.sid]!;
      const closed = once(socket, "close");
      await peer.post("1");
      await closed;
      let called = false;
      socket.send("late", () => (called = true));
      expect(socket.readyState).to.equal("closed");
      expect(called).to.equal(false);
    });
  });
});
