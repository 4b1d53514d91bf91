/**
 * @module The Node client's `socketPath`: polling, WebSocket and the upgrade all reach a server on
 * a Unix socket (plain and TLS), while the URI only names the Host header.
 */

import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Socket, type SocketOptions } from "@heartwire/client";
import { listen, Server, type Socket as ServerSocket } from "@heartwire/server";
import { once } from "./helpers/events.js";
import { selfSigned } from "./helpers/tls.js";

/** Echoes every message and records the Host header of each session's handshake. */
function echo(engine: Server, hosts: string[]): void {
  engine.on("connection", (socket: ServerSocket) => {
    hosts.push(String(socket.request.headers.host));
    socket.on("message", (data) => socket.send(data));
  });
}

/** Opens a client on `uri` through `socketPath`, waits for the transport it should end on, echoes once. */
async function roundTrip(uri: string, options: SocketOptions & { socketPath: string }, endsOn: string): Promise<void> {
  const client = new Socket(uri, options);
  try {
    const closed = once(client, "close", { timeoutMs: 10_000 }).then(([reason]) => {
      throw new Error(`closed: ${String(reason)}`);
    });
    await Promise.race([once(client, "open"), closed]);
    if (endsOn !== client.transport.name) await Promise.race([once(client, "upgrade"), closed]);
    expect(client.transport.name).to.equal(endsOn);
    const reply = once<[string]>(client, "message");
    client.send(`hello over ${endsOn}`);
    expect((await Promise.race([reply, closed]))[0]).to.equal(`hello over ${endsOn}`);
  } finally {
    client.close();
  }
}

const TRANSPORT_SETS = [
  { transports: ["polling"] as const, endsOn: "polling" },
  { transports: ["websocket"] as const, endsOn: "websocket" },
  { transports: ["polling", "websocket"] as const, endsOn: "websocket" },
];

describe("client socketPath (Node)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hw-socketpath-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reaches a server on a Unix socket on every transport set, with or without an agent, the URI giving the Host header", async () => {
    const socketPath = join(dir, "engine.sock");
    const engine = await new Promise<Server>((resolve, reject) => {
      const e = listen(socketPath, (error) => (error ? reject(error) : resolve(e)));
    });
    const hosts: string[] = [];
    echo(engine, hosts);
    try {
      // Nothing listens on app.invalid: every connection has to go through socketPath.
      for (const { transports, endsOn } of TRANSPORT_SETS) await roundTrip("http://app.invalid:8080", { socketPath, transports: [...transports] }, endsOn);
      expect(hosts).to.deep.equal(["app.invalid:8080", "app.invalid:8080", "app.invalid:8080"]);
      // With an agent, the agent makes the connections, still to socketPath.
      const agent = new Agent({ keepAlive: true });
      try {
        for (const { transports, endsOn } of TRANSPORT_SETS) await roundTrip("http://app.invalid:8080", { socketPath, agent, transports: [...transports] }, endsOn);
      } finally {
        agent.destroy();
      }
      expect(hosts).to.have.length(6);
    } finally {
      const closed = once(engine.httpServer!, "close");
      engine.close();
      engine.httpServer!.closeAllConnections();
      await closed;
    }
  });

  it("reaches an https server on a Unix socket (TLS over the socket, for wss too)", async function () {
    const pair = selfSigned("localhost", "DNS:localhost");
    if (pair === undefined) this.skip();
    const socketPath = join(dir, "tls.sock");
    const https = createHttpsServer({ key: pair.key, cert: pair.cert });
    const engine = new Server();
    engine.attach(https);
    const hosts: string[] = [];
    echo(engine, hosts);
    await new Promise<void>((resolve) => https.listen(socketPath, resolve));
    try {
      for (const { transports, endsOn } of TRANSPORT_SETS) {
        await roundTrip("https://localhost", { socketPath, ca: pair.cert, transports: [...transports] }, endsOn);
      }
      expect(hosts).to.have.length(3);
    } finally {
      engine.close();
      https.closeAllConnections();
      await new Promise<void>((resolve) => https.close(() => resolve()));
    }
  });

  it("refuses a socketPath that is not a non-empty string", () => {
    for (const socketPath of ["", 5]) {
      expect(() => new Socket("http://localhost", { socketPath: socketPath as string }), String(socketPath))
        .to.throw(/socketPath must be a non-empty string/)
        .with.property("code", "HW_ERR_INVALID_OPTION");
    }
  });
});
