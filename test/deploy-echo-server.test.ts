/**
 * @module `deploy/echo-server.mjs` run as a deployment runs it: on a port, on a Unix socket (a crash's
 * stale file replaced, a live one left alone), on fd 3 under socket activation, with NODE_ID in
 * the session ids, and draining on SIGTERM before it exits 0.
 */

import { expect } from "chai";
import { existsSync, linkSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Socket, type SocketOptions } from "@heartwire/client";
import { once } from "./helpers/events.js";
import { spawnEchoServer } from "./helpers/echo-server.js";

/** A polling handshake's open packet, through a port or a Unix socket. */
function handshake(where: { port: number } | { socketPath: string }): Promise<{ sid: string }> {
  return new Promise((resolve, reject) => {
    const target = "port" in where ? { host: "127.0.0.1", port: where.port } : { socketPath: where.socketPath };
    const req = httpRequest({ ...target, path: "/engine.io/?EIO=4&transport=polling", agent: false, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body.slice(1)) as { sid: string }) : reject(new Error(`${res.statusCode}: ${body}`))));
    });
    req.on("timeout", () => req.destroy(new Error("handshake timed out")));
    req.on("error", reject);
    req.end();
  });
}

/** Opens a client, echoes one message, and returns the open client. */
async function echoClient(uri: string, options: SocketOptions): Promise<Socket> {
  const client = new Socket(uri, options);
  await once(client, "open", { timeoutMs: 10_000 });
  const reply = once<[string]>(client, "message");
  client.send("ping?");
  expect((await reply)[0]).to.equal("ping?");
  return client;
}

describe("deploy/echo-server.mjs", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hw-echo-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("serves HOST:PORT with NODE_ID as the session-id prefix, and echoes on every transport", async () => {
    await using child = spawnEchoServer({ PORT: "0", NODE_ID: "b" });
    const [, port] = await child.line(/^listening on http:\/\/127\.0\.0\.1:(\d+) as node b$/);
    expect((await handshake({ port: Number(port) })).sid).to.match(/^b\./);
    for (const transports of [["polling"], ["websocket"], ["polling", "websocket"]]) {
      const client = await echoClient(`http://127.0.0.1:${port}`, { transports });
      expect(client.id).to.match(/^b\./);
      client.close();
    }
  });

  it("serves SOCKET_PATH with SOCKET_MODE; a second one on the live path exits 1 and leaves it to the first", async () => {
    const socketPath = join(dir, "echo.sock");
    await using first = spawnEchoServer({ SOCKET_PATH: socketPath, SOCKET_MODE: "600" });
    await first.line(/^listening on unix:/);
    expect(statSync(socketPath).mode & 0o777).to.equal(0o600);
    const client = await echoClient("http://localhost", { socketPath, transports: ["polling", "websocket"] });
    try {
      await using second = spawnEchoServer({ SOCKET_PATH: socketPath });
      expect(await second.exited()).to.equal(1);
      expect(second.stderr()).to.contain("another process is listening");
      expect(existsSync(socketPath)).to.equal(true);
      await handshake({ socketPath });
      const reply = once<[string]>(client, "message");
      client.send("still here");
      expect((await reply)[0], "the first server's sessions are untouched").to.equal("still here");
    } finally {
      client.close();
    }
  });

  it("replaces the socket file a killed server left behind", async () => {
    const socketPath = join(dir, "echo.sock");
    const crashed = spawnEchoServer({ SOCKET_PATH: socketPath });
    await crashed.line(/^listening on unix:/);
    await crashed.kill();
    expect(existsSync(socketPath), "SIGKILL leaves the file").to.equal(true);
    await using next = spawnEchoServer({ SOCKET_PATH: socketPath });
    await next.line(/^listening on unix:/);
    await handshake({ socketPath });
  });

  it("serves the socket passed as fd 3 with LISTEN_PID/LISTEN_FDS (systemd socket activation)", async () => {
    const listening = createNetServer({ pauseOnConnect: true });
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    const { port } = listening.address() as AddressInfo;
    let child;
    try {
      child = spawnEchoServer({ PORT: "1" }, { activate: listening });
    } finally {
      // The child has its own copy of the socket: this process lets go of its own.
      await new Promise<void>((resolve) => listening.close(() => resolve()));
    }
    await using _child = child;
    await child.line(new RegExp(`^listening on fd 3 \\(http://127\\.0\\.0\\.1:${port}\\)$`));
    await handshake({ port });
    (await echoClient(`http://127.0.0.1:${port}`, { transports: ["polling", "websocket"] })).close();
  });

  it("serves a Unix socket passed as fd 3 (ListenStream=/path)", async () => {
    const listening = createNetServer({ pauseOnConnect: true });
    const bound = join(dir, "bound.sock");
    await new Promise<void>((resolve) => listening.listen(bound, resolve));
    // Closing this process's copy unlinks the path it bound; a second name keeps the socket reachable.
    const socketPath = join(dir, "activated.sock");
    linkSync(bound, socketPath);
    let child;
    try {
      child = spawnEchoServer({ PORT: "1" }, { activate: listening });
    } finally {
      await new Promise<void>((resolve) => listening.close(() => resolve()));
    }
    await using _child = child;
    await child.line(/^listening on fd 3 \(a Unix socket\)$/);
    (await echoClient("http://localhost", { socketPath, transports: ["polling", "websocket"] })).close();
  });

  it("SIGTERM drains: open sessions get their close, then exit 0; DRAIN_TIMEOUT_MS bounds a client that never returns", async () => {
    await using child = spawnEchoServer({ PORT: "0", DRAIN_TIMEOUT_MS: "4000" });
    const [, port] = await child.line(/^listening on http:\/\/127\.0\.0\.1:(\d+)$/);
    const uri = `http://127.0.0.1:${port}`;
    const clients = await Promise.all([["polling"], ["websocket"], ["polling", "websocket"]].map((transports) => echoClient(uri, { transports })));
    const closes = clients.map((client) => once<[string, { description?: unknown }]>(client, "close", { timeoutMs: 15_000 }));
    child.process.kill("SIGTERM");
    await child.line(/^SIGTERM: draining 3 session\(s\)/);
    // The polling client got the server's close packet (a drain, not a dropped connection); a
    // websocket session is closed with a close frame (or the close packet before it).
    const closed = (await Promise.all(closes)).map(([reason, details]) => `${reason}: ${String(details?.description)}`);
    const orderly = ["transport close: transport closed by the server", "transport close: websocket connection closed"];
    expect(closed[0]).to.equal(orderly[0]);
    for (const close of closed.slice(1)) expect(close).to.be.oneOf(orderly);
    expect(await child.exited(15_000)).to.equal(0);
    expect(child.stdout()).to.match(/\ndrained\n/);

    await using stuck = spawnEchoServer({ PORT: "0", DRAIN_TIMEOUT_MS: "300" });
    const [, stuckPort] = await stuck.line(/^listening on http:\/\/127\.0\.0\.1:(\d+)$/);
    await handshake({ port: Number(stuckPort) }); // a polling session whose client never polls again
    stuck.process.kill("SIGTERM");
    expect(await stuck.exited(15_000)).to.equal(0);
    expect(stuck.stdout()).to.contain("draining 1 session(s)");
  });

  it("refuses a bad setting with exit code 2 and a message naming it", async () => {
    await using child = spawnEchoServer({ PORT: "0", DRAIN_TIMEOUT_MS: "soon" });
    expect(await child.exited()).to.equal(2);
    expect(child.stderr()).to.contain("DRAIN_TIMEOUT_MS must be a non-negative integer");
  });
});
