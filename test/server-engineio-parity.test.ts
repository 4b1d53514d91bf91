/**
 * @module Server behaviours that engine.io 6.6's own test suite and socket.io 4.8's server suite rely
 * on, each checked here through real sockets on 127.0.0.1 (our tests, written from our reading of
 * engine.io's source; the upstream suites themselves run through scripts/upstream-suites.mjs).
 */

import { expect } from "chai";
import { execFile } from "node:child_process";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { Socket as OfficialClient } from "engine.io-client";
import { WebSocket } from "ws";
import type { ConnectionErrorEvent, Server, Socket } from "@heartwire/server";
import { once as onceAny, type Listenable } from "./helpers/events.js";
import { engineUrl, request } from "./helpers/http.js";
import { PollingPeer } from "./helpers/polling.js";
import { startServer, type RunningServer } from "./helpers/servers.js";
import { WsPeer, wsRefusal } from "./helpers/ws.js";

const once = <T extends unknown[] = unknown[]>(emitter: unknown, event: string, timeoutMs = 5000): Promise<T> =>
  onceAny<T>(emitter as Listenable, event, { timeoutMs });

/** Opens a websocket session: the raw peer (open packet read) and the server's socket. */
async function wsSession(srv: RunningServer<Server>): Promise<{ peer: WsPeer; socket: Socket }> {
  const connection = once<[Socket]>(srv.server, "connection");
  const peer = await WsPeer.open(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }));
  const [socket] = await connection;
  await peer.next();
  return { peer, socket };
}

/** Opens a polling session: the raw peer and the server's socket. */
async function pollingSession(srv: RunningServer<Server>): Promise<{ peer: PollingPeer; socket: Socket }> {
  const peer = await PollingPeer.connect(srv.url);
  return { peer, socket: srv.server.clients[peer.sid]! };
}

/** Upgrades a fresh polling session to WebSocket by hand. */
async function upgradedSession(srv: RunningServer<Server>): Promise<{ peer: PollingPeer; ws: WsPeer; socket: Socket }> {
  const { peer, socket } = await pollingSession(srv);
  const ws = await WsPeer.open(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket", sid: peer.sid }));
  ws.send("2probe");
  expect(await ws.next()).to.equal("3probe");
  const upgraded = once(socket, "upgrade");
  ws.send("5");
  await upgraded;
  return { peer, ws, socket };
}

describe("server: engine.io 6.6 parity", () => {
  describe("websocket", () => {
    it("a second websocket for an upgraded sid completes its handshake and is then closed; the session goes on", async () => {
      await using srv = await startServer();
      const { peer, ws, socket } = await upgradedSession(srv);
      const second = await WsPeer.open(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket", sid: peer.sid }));
      expect((await second.waitClose(2000)).code).to.equal(1005);
      expect(second.pending).to.deep.equal([]);
      socket.send("still here");
      expect(await ws.next()).to.equal("4still here");
      await ws[Symbol.asyncDispose]();
    });

    it("a second websocket for a websocket-only session is closed the same way", async () => {
      await using srv = await startServer();
      const { peer, socket } = await wsSession(srv);
      const second = await WsPeer.open(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket", sid: socket.id }));
      expect((await second.waitClose(2000)).code).to.equal(1005);
      expect(socket.readyState).to.equal("open");
      await peer[Symbol.asyncDispose]();
    });

    it("transport.writable is false while a batch is being written, true again once it was", async () => {
      await using srv = await startServer();
      const { peer, socket } = await wsSession(srv);
      expect(socket.transport.writable).to.equal(true);
      const written = new Promise<boolean>((resolve) => socket.send("a", () => resolve(socket.transport.writable)));
      expect(socket.transport.writable, "right after send").to.equal(false);
      // Queued meanwhile, sent as the next batch.
      socket.send("b");
      expect(socket.writeBuffer.map((p) => p.data)).to.deep.equal(["b"]);
      await written;
      expect(await peer.next()).to.equal("4a");
      expect(await peer.next()).to.equal("4b");
      await peer[Symbol.asyncDispose]();
    });

    it("a wsPreEncodedFrame is written as is without permessage-deflate, and ignored with it", async () => {
      // A text frame (FIN + opcode 1), length 4, unmasked: "4pre".
      const frame = [Buffer.from([0x81, 4]), Buffer.from("4pre")];
      {
        await using srv = await startServer();
        const { peer, socket } = await wsSession(srv);
        socket.send("data", { wsPreEncodedFrame: frame });
        expect(await peer.next()).to.equal("4pre");
        await peer[Symbol.asyncDispose]();
      }
      {
        await using srv = await startServer({ perMessageDeflate: true });
        const { peer, socket } = await wsSession(srv);
        socket.send("data", { wsPreEncodedFrame: frame });
        expect(await peer.next()).to.equal("4data");
        await peer[Symbol.asyncDispose]();
      }
    });

    it("headers a middleware sets when writeHead() is called reach the 101 (express-session's way)", async () => {
      await using srv = await startServer();
      srv.server.use((_req, res, next) => {
        const original = res.writeHead;
        res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
          this.setHeader("Set-Cookie", "session=abc");
          return (original as (...a: unknown[]) => ServerResponse).apply(this, args);
        } as typeof res.writeHead;
        next();
      });
      const ws = new WebSocket(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }));
      ws.on("error", () => {});
      const [response] = await once<[IncomingMessage]>(ws, "upgrade");
      expect(response.headers["set-cookie"]).to.deep.equal(["session=abc"]);
      ws.terminate();
    });
  });

  describe("options and handshake", () => {
    it("allowEIO3: true is accepted with one process warning (HW_ALLOW_EIO3), and v3 handshakes still get 400 code 5", async () => {
      const serverModule = fileURLToPath(import.meta.resolve("@heartwire/server"));
      const script = [
        `const { Server } = await import(${JSON.stringify(serverModule)});`,
        "const codes = [];",
        "process.on('warning', (w) => codes.push(w.code));",
        "new Server({ allowEIO3: true }); new Server({ allowEIO3: true }); new Server({ allowEIO3: false });",
        "setImmediate(() => console.log(JSON.stringify(codes)));",
      ].join("\n");
      const output = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ["--input-type=module", "-e", script], { timeout: 10_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
      );
      expect(JSON.parse(output)).to.deep.equal(["HW_ALLOW_EIO3"]);
      await using srv = await startServer({ allowEIO3: true });
      const v3 = await request(engineUrl(srv.url, { EIO: "3", transport: "polling" }));
      expect(v3.status).to.equal(400);
      expect(v3.json()).to.deep.equal({ code: 5, message: "Unsupported protocol version" });
    });

    it("connection_error for an unsupported version carries protocol as a number (3)", async () => {
      await using srv = await startServer();
      const error = once<[ConnectionErrorEvent]>(srv.server, "connection_error");
      await request(engineUrl(srv.url, { EIO: "7", transport: "polling" }));
      const [event] = await error;
      expect(event.code).to.equal(5);
      expect(event.context).to.deep.equal({ protocol: 3 });
    });

    it("a repeated EIO counts with its last value, as engine.io reads the query", async () => {
      await using srv = await startServer();
      const lastIsFour = await request(`${srv.url}/engine.io/?EIO=3&EIO=4&transport=polling`);
      expect(lastIsFour.status).to.equal(200);
      const lastIsThree = await request(`${srv.url}/engine.io/?EIO=4&EIO=3&transport=polling`);
      expect(lastIsThree.status).to.equal(400);
      expect(lastIsThree.json()).to.deep.equal({ code: 5, message: "Unsupported protocol version" });
    });

    it("a request of a session, or an upgrade, with another EIO than the session's is refused (PROTOCOL_MISMATCH)", async () => {
      await using srv = await startServer();
      const { peer, socket } = await pollingSession(srv);
      const errors: ConnectionErrorEvent[] = [];
      srv.server.on("connection_error", (e) => errors.push(e));
      const poll = await request(engineUrl(srv.url, { EIO: "3", transport: "polling", sid: peer.sid }));
      expect(poll.status).to.equal(400);
      expect(poll.json()).to.deep.equal({ code: 3, message: "Bad request" });
      expect((await wsRefusal(engineUrl(srv.wsUrl, { EIO: "3", transport: "websocket", sid: peer.sid }))).status).to.equal(400);
      expect(errors.map((e) => e.context)).to.deep.equal([
        { name: "PROTOCOL_MISMATCH", protocol: 3, previousProtocol: 4 },
        { name: "PROTOCOL_MISMATCH", protocol: 3, previousProtocol: 4 },
      ]);
      expect(socket.readyState).to.equal("open");
    });

    it("req._query holds the query on every request, handshake and later ones", async () => {
      await using srv = await startServer();
      const queries: Record<string, string>[] = [];
      srv.server.on("headers", (_headers, req) => queries.push({ ...(req as IncomingMessage & { _query: Record<string, string> })._query }));
      const connection = once<[Socket]>(srv.server, "connection");
      const peer = await PollingPeer.connect(srv.url, { token: "t1" });
      const [socket] = await connection;
      expect((socket.request as IncomingMessage & { _query?: unknown })._query).to.deep.equal({ EIO: "4", transport: "polling", token: "t1" });
      await peer.post("4hi");
      expect(queries.at(-1)).to.deep.equal({ EIO: "4", transport: "polling", sid: peer.sid });
    });

    it("prepare(req) runs before the checks and `ws` is the WebSocket server", async () => {
      await using srv = await startServer();
      expect(srv.server.ws).to.not.equal(undefined);
      const prepare = srv.server.prepare.bind(srv.server);
      srv.server.prepare = (req) => {
        prepare(req);
        req.headers.origin = "http://a.example\n";
      };
      const error = once<[ConnectionErrorEvent]>(srv.server, "connection_error");
      const res = await request(engineUrl(srv.url, { EIO: "4", transport: "polling" }));
      expect(res.status).to.equal(400);
      expect((await error)[0].context).to.deep.equal({ name: "INVALID_ORIGIN", origin: "http://a.example\n" });
    });
  });

  describe("cors", () => {
    it("a preflight echoes Access-Control-Request-Headers when allowedHeaders is unset", async () => {
      await using srv = await startServer({ cors: { origin: true } });
      const res = await request(engineUrl(srv.url, { EIO: "4", transport: "polling" }), {
        method: "OPTIONS",
        headers: { origin: "http://a.example", "access-control-request-headers": "x-token, x-trace.id" },
      });
      expect(res.status).to.equal(204);
      expect(res.headers["access-control-allow-headers"]).to.equal("x-token, x-trace.id");
    });

    it("`headers` is an alias of allowedHeaders (as in the cors package)", async () => {
      await using srv = await startServer({ cors: { origin: true, headers: ["my-header"] } });
      const res = await request(engineUrl(srv.url, { EIO: "4", transport: "polling" }), {
        method: "OPTIONS",
        headers: { origin: "http://a.example", "access-control-request-headers": "other" },
      });
      expect(res.headers["access-control-allow-headers"]).to.equal("my-header");
    });
  });

  describe("close reasons", () => {
    it("server close() on a websocket-only session: the client sees 'transport close'", async () => {
      await using srv = await startServer({ transports: ["websocket"] });
      const client = new OfficialClient(srv.url, { transports: ["websocket"] });
      await once(client, "open");
      const closed = once<[string]>(client, "close");
      srv.server.close();
      expect((await closed)[0]).to.equal("transport close");
    });

    it("a pending poll whose connection drops closes the session with 'transport error'", async () => {
      await using srv = await startServer();
      const { peer, socket } = await pollingSession(srv);
      const closed = once<[string, Error]>(socket, "close");
      const poll = request(peer.url(), { timeoutMs: 200 }).catch(() => undefined);
      await poll;
      const [reason, description] = await closed;
      expect(reason).to.equal("transport error");
      expect(description.message).to.equal("poll connection closed prematurely");
    });

    it("socket.close() on polling: the pending GET carries the close packet, reason 'forced close'", async () => {
      await using srv = await startServer();
      const { peer, socket } = await pollingSession(srv);
      const poll = peer.get();
      await new Promise<void>((resolve) => socket.transport.once("ready", resolve));
      const closed = once<[string]>(socket, "close");
      socket.close();
      expect((await poll).body).to.equal("1");
      expect((await closed)[0]).to.equal("forced close");
    });

    it("socket.close() on polling with queued packets: the next GET gets them, the one after it 6␞1", async () => {
      await using srv = await startServer();
      const { peer, socket } = await pollingSession(srv);
      const closed = once<[string]>(socket, "close");
      socket.send("last");
      socket.close();
      expect((await peer.get()).body).to.equal("4last");
      expect(socket.readyState).to.equal("closing");
      expect((await peer.get()).body).to.equal("6\x1e1");
      expect((await closed)[0]).to.equal("forced close");
    });

    it("the server takes sessions again after a close() that drained (an http.Server that listens again)", async () => {
      await using srv = await startServer();
      const { peer } = await wsSession(srv);
      const ended = new Promise<void>((resolve) => srv.server.close({}, resolve));
      await ended;
      await peer.waitClose(2000);
      const res = await request(engineUrl(srv.url, { EIO: "4", transport: "polling" }));
      expect(res.status).to.equal(200);
      expect(res.body.startsWith("0{")).to.equal(true);
    });
  });

  describe("send", () => {
    it("send(null, callback), numbers and false are sent as engine.io sends them", async () => {
      await using srv = await startServer();
      const { peer, socket } = await wsSession(srv);
      const called = new Promise<void>((resolve) => socket.send(null, () => resolve()));
      socket.send(42);
      socket.send(0);
      socket.send(false);
      await called;
      expect([await peer.next(), await peer.next(), await peer.next(), await peer.next()]).to.deep.equal(["4", "442", "4", "4"]);
      await peer[Symbol.asyncDispose]();
    });

    it("a send from inside a send callback goes out after the batch that called it", async () => {
      await using srv = await startServer();
      const { peer, socket } = await pollingSession(srv);
      const inner = new Promise<void>((resolve) => socket.send("outer", () => socket.send("inner", () => resolve())));
      expect((await peer.get()).body).to.equal("4outer");
      expect((await peer.get()).body).to.equal("4inner");
      await inner;
    });

    it("drain comes with an empty writeBuffer after every flush, on the socket and the server", async () => {
      await using srv = await startServer();
      const { peer, socket } = await pollingSession(srv);
      const seen: number[] = [];
      socket.on("drain", () => seen.push(socket.writeBuffer.length));
      const serverDrain = once<[Socket]>(srv.server, "drain");
      socket.send("a");
      expect(socket.writeBuffer.length).to.equal(1);
      expect((await peer.get()).body).to.equal("4a");
      expect((await serverDrain)[0]).to.equal(socket);
      expect(seen).to.deep.equal([0]);
    });
  });

  describe("headers events", () => {
    it("polling: initial_headers on the handshake; later responses get headers, then the transport's headers event", async () => {
      await using srv = await startServer();
      const order: string[] = [];
      srv.server.on("initial_headers", (headers: OutgoingHttpHeaders) => {
        order.push("initial_headers");
        headers["x-initial"] = "1";
      });
      srv.server.on("headers", () => order.push("headers"));
      srv.server.on("connection", (socket) => socket.transport.on("headers", (headers) => {
        order.push("transport");
        headers["x-transport"] = "1";
      }));
      const handshake = await request(engineUrl(srv.url, { EIO: "4", transport: "polling" }));
      expect(handshake.headers["x-initial"]).to.equal("1");
      // The handshake is answered before `connection`, so only the server's events saw it.
      expect(order).to.deep.equal(["initial_headers", "headers"]);
      const sid = (JSON.parse(handshake.body.slice(1)) as { sid: string }).sid;
      order.length = 0;
      const post = await request(engineUrl(srv.url, { EIO: "4", transport: "polling", sid }), { method: "POST", body: "4x" });
      expect(post.headers["x-transport"]).to.equal("1");
      expect(order).to.deep.equal(["headers", "transport"]);
    });

    it("websocket: initial_headers and headers add to the 101", async () => {
      await using srv = await startServer();
      srv.server.on("initial_headers", (headers: OutgoingHttpHeaders) => (headers["x-initial"] = "1"));
      srv.server.on("headers", (headers: OutgoingHttpHeaders) => (headers["x-every"] = "1"));
      const ws = new WebSocket(engineUrl(srv.wsUrl, { EIO: "4", transport: "websocket" }));
      ws.on("error", () => {});
      const [response] = await once<[IncomingMessage]>(ws, "upgrade");
      expect([response.headers["x-initial"], response.headers["x-every"]]).to.deep.equal(["1", "1"]);
      ws.terminate();
    });

    it("old IE user agents get X-XSS-Protection: 0 on polling responses", async () => {
      await using srv = await startServer();
      const res = await request(engineUrl(srv.url, { EIO: "4", transport: "polling" }), {
        headers: { "user-agent": "Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko" },
      });
      expect(res.headers["x-xss-protection"]).to.equal("0");
    });
  });
});
