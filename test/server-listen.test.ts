/**
 * @module `listen()` the ways deployments need: every target Node's `server.listen` takes, errors on
 * the callback or the `error` event (never uncaught), Unix socket files (stale, live, mode), the
 * http.Server closed with the engine, and `systemdListenFds()`.
 */

import { expect } from "chai";
import { type Agent, request as httpRequest, type RequestOptions } from "node:http";
import { linkSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listen, systemdListenFds, type ListenTarget, type ListenOptions, type Server } from "@heartwire/server";
import { Socket } from "@heartwire/client";
import { once } from "./helpers/events.js";

interface Reply {
  readonly status: number;
  readonly body: string;
}

/** One request (a handshake by default) to a port or a Unix socket, bounded in time. */
function get(where: { port?: number; socketPath?: string; agent?: Agent }, path = "/engine.io/?EIO=4&transport=polling"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options: RequestOptions = { path, agent: where.agent ?? false, timeout: 5000 };
    if (where.socketPath !== undefined) options.socketPath = where.socketPath;
    else Object.assign(options, { host: "127.0.0.1", port: where.port });
    const req = httpRequest(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`request timed out: ${path}`)));
    req.on("error", reject);
    req.end();
  });
}

/** Resolves with the engine once listening, or rejects with the error the callback got. */
function start(target: ListenTarget, options: ListenOptions = {}): Promise<Server> {
  return new Promise((resolve, reject) => {
    const engine = listen(target, options, (error) => (error ? reject(error) : resolve(engine)));
  });
}

/** The listen() error, given to the callback. */
function failure(target: ListenTarget, options: ListenOptions = {}): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve, reject) => {
    listen(target, options, (error) => (error ? resolve(error) : reject(new Error(`listen(${JSON.stringify(target)}) succeeded`))));
  });
}

/** Closes the engine (and with it the http.Server listen() made) and waits for the http.Server's `close`. */
async function stop(engine: Server): Promise<void> {
  const http = engine.httpServer!;
  const closed = http.listening || http.listenerCount("connection") > 0 ? once(http, "close") : Promise.resolve();
  engine.close();
  http.closeAllConnections();
  await closed;
}

const portOf = (engine: Server): number => (engine.httpServer!.address() as AddressInfo).port;

/** Whether a new TCP connection to `port` is accepted (false: refused). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNREFUSED" ? resolve(false) : reject(error)));
  });
}

describe("listen()", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hw-listen-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("targets", () => {
    it("takes a port with options.host, a port as a string of digits, and { port, host }", async () => {
      for (const [target, options] of [[0, { host: "127.0.0.1" }], ["0", { host: "127.0.0.1" }], [{ port: 0, host: "127.0.0.1" }, {}]] as const) {
        const engine = await start(target, options);
        try {
          expect((engine.httpServer!.address() as AddressInfo).address).to.equal("127.0.0.1");
          const reply = await get({ port: portOf(engine) });
          expect(reply.status, JSON.stringify(target)).to.equal(200);
          expect(reply.body[0]).to.equal("0");
        } finally {
          await stop(engine);
        }
      }
    });

    it("takes a Unix socket path, as a string or { path }", async () => {
      for (const target of [join(dir, "a.sock"), { path: join(dir, "b.sock") }]) {
        const socketPath = typeof target === "string" ? target : target.path;
        const engine = await start(target);
        try {
          expect((await get({ socketPath })).status).to.equal(200);
        } finally {
          await stop(engine);
        }
        expect(existsSync(socketPath), "the socket file is removed on close").to.equal(false);
      }
    });

    it("takes { handle }: a listening net.Server's socket", async () => {
      const shared: NetServer = createNetServer();
      await new Promise<void>((resolve) => shared.listen(0, "127.0.0.1", resolve));
      const port = (shared.address() as AddressInfo).port;
      const engine = await start({ handle: shared });
      try {
        const reply = await get({ port });
        expect(reply.status).to.equal(200);
        expect(reply.body[0]).to.equal("0");
        expect(engine.clientsCount).to.equal(1);
      } finally {
        await stop(engine);
      }
      expect(await accepts(port), "closing the engine closed the shared socket").to.equal(false);
    });

    it("refuses a target that is no port, path or address at once", () => {
      expect(() => listen(0, { mode: 0o1_0000 })).to.throw(/mode must be permission bits/);
      return failure(null as unknown as ListenTarget).then((error) => expect(error.message).to.match(/listen\(\) takes a port, a path/));
    });
  });

  describe("errors reach the callback or the error event, never uncaught", () => {
    it("EADDRINUSE: a port already taken goes to the callback", async () => {
      const first = await start(0, { host: "127.0.0.1" });
      try {
        const error = await failure(portOf(first), { host: "127.0.0.1" });
        expect(error.code).to.equal("EADDRINUSE");
        expect((await get({ port: portOf(first) })).status, "the first server still serves").to.equal(200);
      } finally {
        await stop(first);
      }
    });

    it("without a callback, a listen error is the server's error event", async () => {
      const first = await start(0, { host: "127.0.0.1" });
      try {
        const second = listen(portOf(first), { host: "127.0.0.1" });
        const [error] = await once<[NodeJS.ErrnoException]>(second, "error");
        expect(error.code).to.equal("EADDRINUSE");
        expect(second.httpServer!.listening).to.equal(false);
      } finally {
        await stop(first);
      }
    });

    it("with neither a callback nor an error listener, a listen error is a process warning", async () => {
      const first = await start(0, { host: "127.0.0.1" });
      try {
        const warning = once<[Error & { code?: string }]>(process, "warning", { filter: (w: { code?: string }) => w.code === "HW_LISTEN_ERROR" });
        listen(portOf(first), { host: "127.0.0.1" });
        const [w] = await warning;
        expect(w.message).to.match(/^listen\(\) failed: .*EADDRINUSE/);
      } finally {
        await stop(first);
      }
    });

    it("EACCES: a socket file where this process may not create one", async () => {
      // /proc refuses new files even to root, so this holds whoever runs the tests.
      const error = await failure("/proc/heartwire-test.sock");
      expect(error.code).to.equal("EACCES");
    });

    it("a bad fd or a port out of range goes to the callback", async () => {
      const notListening = await failure({ fd: 1_000_000 });
      expect(notListening.code).to.be.a("string");
      const badPort = await failure(70_000);
      expect(badPort.code).to.equal("ERR_SOCKET_BAD_PORT");
    });
  });

  describe("Unix socket files", () => {
    it("replaces a stale socket file that nobody accepts on", async () => {
      const live = join(dir, "live.sock");
      const stale = join(dir, "stale.sock");
      const previous = await start(live);
      // A second name for the same socket outlives it once it closes: what a crash leaves behind.
      linkSync(live, stale);
      await stop(previous);
      expect(statSync(stale).isSocket()).to.equal(true);
      const refused = await get({ socketPath: stale }).then(() => "served", (error: NodeJS.ErrnoException) => error.code);
      expect(refused).to.equal("ECONNREFUSED");
      const engine = await start(stale);
      try {
        expect((await get({ socketPath: stale })).status).to.equal(200);
      } finally {
        await stop(engine);
      }
    });

    it("refuses a socket file another server listens on, and leaves it to that server", async () => {
      const path = join(dir, "engine.sock");
      const first = await start(path);
      try {
        const error = await failure(path);
        expect(error.code).to.equal("EADDRINUSE");
        expect(error.message).to.contain("another process is listening");
        expect((await get({ socketPath: path })).status, "the first server still serves on its file").to.equal(200);
      } finally {
        await stop(first);
      }
    });

    it("never removes a path that is not a socket", async () => {
      const path = join(dir, "not-a-socket");
      writeFileSync(path, "keep me");
      const error = await failure(path);
      expect(error.code).to.equal("EADDRINUSE");
      expect(error.message).to.contain("not a socket");
      expect(readFileSync(path, "utf8")).to.equal("keep me");
    });

    it("applies mode to the socket file", async () => {
      for (const mode of [0o600, 0o660]) {
        const path = join(dir, `mode-${mode.toString(8)}.sock`);
        const engine = await start(path, { mode });
        try {
          expect(statSync(path).mode & 0o777).to.equal(mode);
          expect((await get({ socketPath: path })).status).to.equal(200);
        } finally {
          await stop(engine);
        }
      }
    });
  });

  describe("close() closes the http.Server listen() made", () => {
    it("a forced close stops listening and the http.Server emits close", async () => {
      const engine = await start(0, { host: "127.0.0.1" });
      const port = portOf(engine);
      const closed = once(engine.httpServer!, "close");
      engine.close();
      await closed;
      expect(await accepts(port)).to.equal(false);
    });

    it("a graceful close keeps listening for the sessions it drains (handshakes get 503), then closes", async () => {
      const engine = await start(0, { host: "127.0.0.1" });
      const port = portOf(engine);
      const [handshake, connection] = await Promise.all([get({ port }), once(engine, "connection")]);
      const sid = (JSON.parse(handshake.body.slice(1)) as { sid: string }).sid;
      // A message waits for the client's next poll; the drain cannot end before it is fetched.
      (connection[0] as { send(data: string): void }).send("last words");
      let drained = false;
      const httpClosed = once(engine.httpServer!, "close").then(() => expect(drained, "http closes after the drain").to.equal(true));
      engine.close({ graceful: true, timeout: 10_000 }, () => (drained = true));
      expect(engine.httpServer!.listening).to.equal(true);
      expect((await get({ port })).status, "a new handshake is refused").to.equal(503);
      // Each request of a draining server gets its own connection: the poll needs a new one.
      const poll = await get({ port }, `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
      expect(poll.status).to.equal(200);
      expect(poll.body).to.equal("4last words\x1e1");
      await httpClosed;
      expect(drained).to.equal(true);
      expect(await accepts(port)).to.equal(false);
    });

    it("polling clients busy during a spread graceful close all get their close packet", async () => {
      const engine = await start(0, { host: "127.0.0.1" });
      engine.on("connection", (socket) => socket.on("message", (data) => socket.send(data)));
      const clients = Array.from({ length: 4 }, () => new Socket(`http://127.0.0.1:${portOf(engine)}`, { transports: ["polling"] }));
      const timers: NodeJS.Timeout[] = [];
      try {
        await Promise.all(clients.map((client) => once(client, "open", { timeoutMs: 10_000 })));
        const closes = clients.map((client) => once<[string, { description?: unknown }]>(client, "close", { timeoutMs: 20_000 }));
        // Every client keeps posting (and getting echoes), so each needs new connections while it drains.
        for (const client of clients) timers.push(setInterval(() => client.send("tick"), 20));
        const httpClosed = once(engine.httpServer!, "close", { timeoutMs: 20_000 });
        engine.close({ graceful: true, timeout: 15_000, spread: 1000 });
        const closed = (await Promise.all(closes)).map(([reason, details]) => `${reason}: ${String(details?.description)}`);
        expect(closed).to.deep.equal(Array(4).fill("transport close: transport closed by the server"));
        await httpClosed;
      } finally {
        for (const timer of timers) clearInterval(timer);
        for (const client of clients) client.close();
      }
    });
  });
});

describe("systemdListenFds()", () => {
  it("returns fds 3.. with their names when LISTEN_PID is this process", () => {
    const env = { LISTEN_PID: "42", LISTEN_FDS: "2", LISTEN_FDNAMES: "http:admin" };
    expect(systemdListenFds({ env, pid: 42 })).to.deep.equal([
      { fd: 3, name: "http" },
      { fd: 4, name: "admin" },
    ]);
    expect(systemdListenFds({ env: { LISTEN_PID: "42", LISTEN_FDS: "1" }, pid: 42 })).to.deep.equal([{ fd: 3, name: "unknown" }]);
  });

  it("returns nothing without activation, for another process, or for a malformed count", () => {
    expect(systemdListenFds({ env: {}, pid: 42 })).to.deep.equal([]);
    expect(systemdListenFds({ env: { LISTEN_PID: "41", LISTEN_FDS: "1" }, pid: 42 }), "meant for another process").to.deep.equal([]);
    for (const count of ["0", "-1", "x", "1.5", ""]) expect(systemdListenFds({ env: { LISTEN_PID: "42", LISTEN_FDS: count }, pid: 42 }), count).to.deep.equal([]);
    expect(systemdListenFds(), "the test runner is not socket-activated").to.deep.equal([]);
  });
});
