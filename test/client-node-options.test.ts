/**
 * @module The Node client's connection options against our server on 127.0.0.1: TLS (`ca`,
 * `rejectUnauthorized`, client certificates), `agent`, `requestTimeout`, `protocols`,
 * `perMessageDeflate` and `transportOptions`, each on both transports where it applies.
 */

import { expect } from "chai";
import { readFileSync } from "node:fs";
import { Agent, createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from "node:https";
import type { AddressInfo, Socket as NetSocket } from "node:net";
import type { TLSSocket } from "node:tls";
import { Socket, type SocketOptions } from "@heartwire/client";
import { Server, type ServerOptions, type Socket as ServerSocket } from "@heartwire/server";
import { once, waitUntil } from "./helpers/events.js";
import { selfSigned, type KeyPair } from "./helpers/tls.js";

interface Running extends AsyncDisposable {
  readonly url: string;
  readonly server: Server;
  /** Every session the server opened, in order. */
  readonly sessions: ServerSocket[];
}

/** Our server (echoing) on an http or https server listening on 127.0.0.1:0. */
async function serve(options: ServerOptions, https?: HttpsServerOptions): Promise<Running> {
  const httpServer: HttpServer = https ? createHttpsServer(https) : createHttpServer();
  const server = new Server(options);
  server.attach(httpServer);
  const sessions: ServerSocket[] = [];
  server.on("connection", (socket) => {
    sessions.push(socket);
    socket.on("message", (data) => socket.send(data));
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address() as AddressInfo;
  const close = async (): Promise<void> => {
    server.close();
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  };
  return { url: `${https ? "https" : "http"}://127.0.0.1:${port}`, server, sessions, [Symbol.asyncDispose]: close };
}

/** Opens a socket, waits for `open` (and `upgrade` when polling starts and may upgrade), echoes once, closes. */
async function roundTrip(url: string, options: SocketOptions): Promise<{ transport: string }> {
  const socket = new Socket(url, options);
  const failure = new Promise<never>((_, reject) => socket.once("close", (reason, details) => reject(new Error(`closed: ${reason} ${String((details as Error | undefined)?.message ?? "")}`))));
  failure.catch(() => undefined); // it also settles when the socket closes at the end
  const transports = options.transports ?? ["polling", "websocket"];
  try {
    await Promise.race([once(socket, "open", { timeoutMs: 5000 }), failure]);
    if (transports[0] === "polling" && transports.includes("websocket")) await Promise.race([once(socket, "upgrade", { timeoutMs: 5000 }), failure]);
    const echoed = once(socket, "message", { timeoutMs: 5000 });
    socket.send("héllo");
    expect((await Promise.race([echoed, failure]))[0]).to.equal("héllo");
    return { transport: socket.transport.name };
  } finally {
    const closed = once(socket, "close", { timeoutMs: 5000 });
    socket.close();
    await closed.catch(() => undefined);
  }
}

/** Opens a socket and resolves with its close reason and error (it must close by itself). */
async function closeOf(url: string, options: SocketOptions): Promise<{ reason: string; error: unknown; openedAt: number | undefined; closedAt: number }> {
  const socket = new Socket(url, options);
  let openedAt: number | undefined;
  socket.once("open", () => (openedAt = performance.now()));
  const [reason, error] = await once(socket, "close", { timeoutMs: 10_000 });
  return { reason: reason as string, error, openedAt, closedAt: performance.now() };
}

describe("@heartwire/client Node connection options", function () {
  describe("TLS", function () {
    let serverPair: KeyPair | undefined;
    let clientPair: KeyPair | undefined;

    before(function () {
      serverPair = selfSigned("127.0.0.1", "IP:127.0.0.1");
      clientPair = selfSigned("hw-client");
      if (serverPair === undefined || clientPair === undefined) this.skip();
    });

    it("ca: trusts a self-signed server for polling, the upgrade to wss, and websocket alone", async () => {
      await using srv = await serve({}, serverPair);
      expect(await roundTrip(srv.url, { ca: serverPair!.cert })).to.deep.equal({ transport: "websocket" });
      expect(await roundTrip(srv.url, { ca: serverPair!.cert, transports: ["websocket"] })).to.deep.equal({ transport: "websocket" });
      expect(await roundTrip(srv.url, { ca: serverPair!.cert, transports: ["polling"] })).to.deep.equal({ transport: "polling" });
      expect(srv.sessions).to.have.length(3);
    });

    it("without ca the same server is refused on both transports; rejectUnauthorized: false lets it through", async () => {
      await using srv = await serve({}, serverPair);
      for (const transport of ["polling", "websocket"]) {
        const { reason, error } = await closeOf(srv.url, { transports: [transport] });
        expect(reason, transport).to.equal("transport error");
        expect(error, transport).to.be.instanceOf(Error);
      }
      expect(srv.sessions).to.have.length(0);
      expect(await roundTrip(srv.url, { rejectUnauthorized: false })).to.deep.equal({ transport: "websocket" });
    });

    it("cert and key: a server that requires a client certificate accepts ours on polling and on the websocket", async () => {
      const mutual = { ...serverPair!, requestCert: true, rejectUnauthorized: true, ca: [clientPair!.cert] };
      await using srv = await serve({}, mutual);
      const peers: Array<{ authorized: boolean; name: string }> = [];
      srv.server.on("connection", (socket) => {
        const tls = socket.request.socket as TLSSocket;
        peers.push({ authorized: tls.authorized, name: String(tls.getPeerCertificate().subject?.CN) });
      });
      const identity = { ca: serverPair!.cert, cert: clientPair!.cert, key: clientPair!.key };
      expect(await roundTrip(srv.url, identity)).to.deep.equal({ transport: "websocket" });
      expect(await roundTrip(srv.url, { ...identity, transports: ["websocket"] })).to.deep.equal({ transport: "websocket" });
      expect(peers).to.deep.equal([{ authorized: true, name: "hw-client" }, { authorized: true, name: "hw-client" }]);
      // Without the certificate the server ends the TLS handshake: no session.
      const { reason } = await closeOf(srv.url, { ca: serverPair!.cert, transports: ["polling"] });
      expect(reason).to.equal("transport error");
      expect(srv.sessions).to.have.length(2);
    });
  });

  it("agent: every polling request and the websocket go through the given http.Agent", async () => {
    await using srv = await serve({ pingInterval: 100, pingTimeout: 1000 });
    const agentPorts = new Set<number>();
    class RecordingAgent extends Agent {
      override createConnection(...args: Parameters<Agent["createConnection"]>): ReturnType<Agent["createConnection"]> {
        const socket = super.createConnection(...args) as NetSocket;
        socket.once("connect", () => agentPorts.add(socket.localPort!));
        return socket;
      }
    }
    const agent = new RecordingAgent({ keepAlive: true });
    const requestPorts: number[] = [];
    srv.server.on("headers", (_headers, req) => requestPorts.push(req.socket.remotePort!));
    try {
      const socket = new Socket(srv.url, { transports: ["polling"], agent });
      await once(socket, "open", { timeoutMs: 5000 });
      // A few heartbeats: each one is a GET answered with a ping and a POST carrying the pong.
      await waitUntil(() => requestPorts.length >= 8, 5000, "eight polling requests");
      const closed = once(socket, "close", { timeoutMs: 5000 });
      socket.close();
      await closed;
    } finally {
      agent.destroy();
    }
    expect(requestPorts.filter((port) => !agentPorts.has(port))).to.deep.equal([]);
    expect(agentPorts.size).to.be.below(requestPorts.length);

    // The websocket, alone and as the upgrade of a polling session, is connected by the agent too.
    const upgradePorts: number[] = [];
    srv.server.on("headers", (_headers, req) => {
      if (req.headers.upgrade === "websocket") upgradePorts.push(req.socket.remotePort!);
    });
    const wsAgent = new RecordingAgent();
    try {
      for (const transports of [["websocket"], ["polling", "websocket"]]) {
        agentPorts.clear();
        upgradePorts.length = 0;
        expect(await roundTrip(srv.url, { transports, agent: wsAgent })).to.deep.equal({ transport: "websocket" });
        expect(upgradePorts, String(transports)).to.have.length(1);
        expect(agentPorts.has(upgradePorts[0]!), String(transports)).to.equal(true);
      }
    } finally {
      wsAgent.destroy();
    }
  });

  describe("requestTimeout (real timers)", function () {
    it("a poll the server holds past it closes the socket with 'transport error' (HW_ERR_TIMEOUT)", async () => {
      // The server holds each GET until its next ping, 2 s away.
      await using srv = await serve({ pingInterval: 2000, pingTimeout: 2000 });
      const { reason, error, openedAt, closedAt } = await closeOf(srv.url, { transports: ["polling"], requestTimeout: 300 });
      expect(reason).to.equal("transport error");
      expect(error).to.include({ code: "HW_ERR_TIMEOUT", message: "xhr poll error" });
      expect(openedAt).to.be.a("number");
      // The first poll starts at open: closed 300 ms later, never much before (HW_ERR_TIMEOUT above
      // proves it was the timeout; the upper limit only catches one that never fires).
      expect(closedAt - openedAt!).to.be.within(250, 10_000);
    });

    it("longer than the server's pingInterval, it leaves a healthy session alone for many polls", async () => {
      await using srv = await serve({ pingInterval: 100, pingTimeout: 1000 });
      const warnings: string[] = [];
      const onWarning = (warning: Error): number => warnings.push(warning.name);
      process.on("warning", onWarning);
      try {
        for (const options of [{}, { rejectUnauthorized: true }] satisfies SocketOptions[]) {
          // fetch, and (with a TLS option) node:http: each poll held until the next ping.
          const socket = new Socket(srv.url, { transports: ["polling"], requestTimeout: 1000, ...options });
          const closes: string[] = [];
          socket.on("close", (reason) => closes.push(reason));
          let pings = 0;
          socket.on("ping", () => pings++);
          await once(socket, "open", { timeoutMs: 5000 });
          await waitUntil(() => pings >= 15, 5000, "fifteen pings");
          expect(closes).to.deep.equal([]);
          const closed = once(socket, "close", { timeoutMs: 5000 });
          socket.close();
          await closed;
        }
        await new Promise((resolve) => setImmediate(resolve));
        // Fifteen GETs share one abort signal: a listener left per request would trip Node's leak warning.
        expect(warnings).to.not.include("MaxListenersExceededWarning");
      } finally {
        process.off("warning", onWarning);
      }
    });
  });

  it("protocols: offered to the server in Sec-WebSocket-Protocol", async () => {
    await using srv = await serve({});
    await roundTrip(srv.url, { transports: ["websocket"], protocols: ["hw.v2", "hw.v1"] });
    await roundTrip(srv.url, { transports: ["websocket"], protocols: "hw.v3" });
    await roundTrip(srv.url, { transports: ["websocket"] });
    expect(srv.sessions.map((s) => s.request.headers["sec-websocket-protocol"])).to.deep.equal(["hw.v2,hw.v1", "hw.v3", undefined]);
  });

  it("perMessageDeflate: offered by default, and not at all with false", async () => {
    await using srv = await serve({ perMessageDeflate: true });
    await roundTrip(srv.url, { transports: ["websocket"] });
    await roundTrip(srv.url, { transports: ["websocket"], perMessageDeflate: false });
    const offers = srv.sessions.map((s) => s.request.headers["sec-websocket-extensions"]);
    expect(offers[0]).to.match(/permessage-deflate/);
    expect(offers[1]).to.equal(undefined);
  });

  it("transportOptions: headers and query of one transport reach the server on that transport only, across the upgrade", async () => {
    await using srv = await serve({});
    const seen: Array<{ transport: string | null; socketHeader: unknown; pollingHeader: unknown; token: string | null; lane: string | null }> = [];
    srv.server.on("headers", (_headers, req) => {
      const query = new URL(req.url ?? "/", "http://x").searchParams;
      seen.push({
        transport: query.get("transport"),
        socketHeader: req.headers["x-socket"],
        pollingHeader: req.headers["x-polling"],
        token: query.get("token"),
        lane: query.get("lane"),
      });
    });
    const result = await roundTrip(srv.url, {
      extraHeaders: { "x-socket": "s" },
      query: { token: "abc" },
      transportOptions: {
        polling: { extraHeaders: { "x-socket": "s", "x-polling": "p" } },
        websocket: { query: { lane: "ws" } },
      },
    });
    expect(result).to.deep.equal({ transport: "websocket" });
    const polling = seen.filter((r) => r.transport === "polling");
    const websocket = seen.filter((r) => r.transport === "websocket");
    // The handshake at least (polling makes no new request while the upgrade probe runs).
    expect(polling.length).to.be.at.least(1);
    expect(websocket).to.have.length(1);
    for (const r of polling) expect(r).to.include({ socketHeader: "s", pollingHeader: "p", token: "abc", lane: null });
    // The websocket's own query replaces the socket's; its headers are the socket's.
    expect(websocket[0]).to.include({ socketHeader: "s", pollingHeader: undefined, token: null, lane: "ws" });
  });

  it("wrongly typed TLS, agent and perMessageDeflate options throw HW_ERR_INVALID_OPTION naming the option", async () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ["ca", { ca: 123 }],
      ["cert", { cert: [readFileSync(new URL(import.meta.url)), 5] }],
      ["key", { key: {} }],
      ["pfx", { pfx: true }],
      ["passphrase", { passphrase: 42 }],
      ["ciphers", { ciphers: ["AES"] }],
      ["rejectUnauthorized", { rejectUnauthorized: "no" }],
      ["agent", { agent: {} }],
      ["agent", { agent: null }],
      ["perMessageDeflate", { perMessageDeflate: "yes" }],
    ];
    for (const [name, options] of bad) {
      expect(() => new Socket("https://127.0.0.1:1", { ...options, autoUnref: true } as SocketOptions), name)
        .to.throw(new RegExp(`^${name} must be`))
        .with.property("code", "HW_ERR_INVALID_OPTION");
    }
    // Well-typed values (and engine.io-client's `agent: false`) are taken; the socket then works.
    await using srv = await serve({});
    const agent = new Agent({ keepAlive: true });
    try {
      for (const options of [{ agent: false as const }, { agent, rejectUnauthorized: true, ciphers: "DEFAULT", ca: [] }]) {
        expect(await roundTrip(srv.url, { ...options, transports: ["polling"] })).to.deep.equal({ transport: "polling" });
      }
    } finally {
      agent.destroy();
    }
  });
});
