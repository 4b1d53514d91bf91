/**
 * @module Our client against a hostile server: nonsense open packets, packets out of order, ping
 * floods, giant poll responses and frames, error pages, and a TLS server whose certificate is not
 * trusted. Every case ends in a defined close (reason and error code) within a bounded time.
 */

import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketServer, type WebSocket } from "ws";
import { Socket, type SocketOptions } from "@heartwire/client";
import { once } from "./helpers/events.js";
import { ANSWER_WITHIN, heapReturnsToBaseline, within } from "./hostile/harness.js";

const OPEN = (extra: Record<string, unknown> = {}): string =>
  "0" + JSON.stringify({ sid: "hostile", upgrades: [], pingInterval: 1000, pingTimeout: 1000, maxPayload: 1e6, ...extra });

/** A scripted server: `poll(req, res, n)` answers the n-th polling request, `ws(socket)` drives a WebSocket. */
interface Script {
  poll?: (req: IncomingMessage, res: ServerResponse, n: number, body: string) => void;
  ws?: (ws: WebSocket) => void;
}

interface HostileServer extends AsyncDisposable {
  readonly url: string;
  readonly posts: string[];
}

async function hostileServer(script: Script, server: HttpServer = createServer()): Promise<HostileServer> {
  let n = 0;
  const posts: string[] = [];
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      if (req.method === "POST") {
        posts.push(body);
        res.end("ok");
        return;
      }
      if (script.poll) script.poll(req, res, n++, body);
      else res.end();
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => {
    ws.on("error", () => {});
    script.ws?.(ws);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const secure = "setSecureContext" in server;
  return {
    url: `${secure ? "https" : "http"}://127.0.0.1:${port}`,
    posts,
    async [Symbol.asyncDispose]() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Connects our client and waits for its close; returns reason, details and the errors it emitted. */
async function closeOf(url: string, options: SocketOptions): Promise<{ reason: string; details: unknown; errors: Error[]; socket: Socket }> {
  const socket = new Socket(url, options);
  const errors: Error[] = [];
  socket.on("error", (e) => errors.push(typeof e === "string" ? new Error(e) : e));
  try {
    const [reason, details] = await once<[string, unknown]>(socket, "close", { timeoutMs: ANSWER_WITHIN });
    return { reason, details, errors, socket };
  } finally {
    socket.close();
  }
}

const code = (e: unknown): string | undefined => (e as { code?: string } | undefined)?.code;

describe("hostile server: our client", () => {
  heapReturnsToBaseline();

  const nonsense: [string, string][] = [
    ["not JSON", "0notjson"],
    ["a JSON array", "0[]"],
    ["an empty sid", OPEN({ sid: "" })],
    ["a negative pingInterval", OPEN({ pingInterval: -5 })],
    ["a pingInterval beyond the timer range", OPEN({ pingInterval: 1e12 })],
    ["a fractional pingTimeout", OPEN({ pingTimeout: 0.5 })],
    ["upgrades as a string", OPEN({ upgrades: "websocket" })],
    ["a sid hidden behind __proto__", '0{"__proto__":{"sid":"x"},"upgrades":[],"pingInterval":100,"pingTimeout":100}'],
    ["a negative maxPayload", OPEN({ maxPayload: -1 })],
  ];
  for (const transport of ["polling", "websocket"] as const) {
    for (const [what, packet] of nonsense) {
      it(`${transport}: an open packet with ${what} closes with 'parse error' (HW_ERR_INVALID_HANDSHAKE)`, async () => {
        await using server = await hostileServer({ poll: (_q, res) => res.end(packet), ws: (ws) => ws.send(packet) });
        const { reason, errors } = await closeOf(server.url, { transports: [transport] });
        expect(reason).to.equal("parse error");
        expect(code(errors[0])).to.equal("HW_ERR_INVALID_HANDSHAKE");
      });
    }
  }

  it("a second open packet closes with 'parse error'", async () => {
    await using server = await hostileServer({ ws: (ws) => (ws.send(OPEN()), ws.send(OPEN())) });
    const { reason, errors } = await closeOf(server.url, { transports: ["websocket"] });
    expect(reason).to.equal("parse error");
    expect(errors[0]?.message).to.include("second open packet");
  });

  it("a message before the open packet closes with 'parse error'", async () => {
    await using server = await hostileServer({ poll: (_q, res) => res.end("4early") });
    const { reason, errors } = await closeOf(server.url, { transports: ["polling"] });
    expect(reason).to.equal("parse error");
    expect(errors[0]?.message).to.include("before the open packet");
  });

  it("an unknown packet type closes with 'parse error'", async () => {
    await using server = await hostileServer({ ws: (ws) => (ws.send(OPEN()), ws.send("9x")) });
    const { reason } = await closeOf(server.url, { transports: ["websocket"] });
    expect(reason).to.equal("parse error");
  });

  it("a close packet from the server gives 'transport close'", async () => {
    await using server = await hostileServer({ poll: (_q, res, n) => res.end(n === 0 ? OPEN() : "1") });
    const { reason } = await closeOf(server.url, { transports: ["polling"] });
    expect(reason).to.equal("transport close");
  });

  it("an HTML 500 page instead of a poll gives 'transport error' with the status", async () => {
    await using server = await hostileServer({
      poll: (_q, res, n) => (n === 0 ? res.end(OPEN()) : (res.writeHead(500, { "content-type": "text/html" }), res.end("<h1>oops</h1>"))),
    });
    const { reason, details } = await closeOf(server.url, { transports: ["polling"] });
    expect(reason).to.equal("transport error");
    expect((details as { status?: number }).status).to.equal(500);
  });

  it("a websocket ping flood (10,000 pings) is survived; pongs never exceed pings", async () => {
    let pongs = 0;
    await using server = await hostileServer({
      ws: (ws) => {
        ws.on("message", (d) => {
          if (String(d) === "3") pongs++;
        });
        ws.send(OPEN({ pingInterval: 60_000, pingTimeout: 60_000 }));
        for (let i = 0; i < 10_000; i++) ws.send("2");
        ws.send("4done");
      },
    });
    const socket = new Socket(server.url, { transports: ["websocket"] });
    socket.on("error", () => {});
    try {
      await once(socket, "message", { timeoutMs: ANSWER_WITHIN, filter: (m: unknown) => m === "done" });
      expect(socket.readyState).to.equal("open");
      await new Promise((r) => setTimeout(r, 50));
      expect(pongs).to.be.within(1, 10_000);
    } finally {
      socket.close();
    }
  });

  it("a poll response of 10,000 pings is answered by at most 8 pongs in one POST", async () => {
    await using server = await hostileServer({
      poll: (_q, res, n) => {
        if (n === 0) res.end(OPEN({ pingInterval: 60_000, pingTimeout: 60_000 }));
        else if (n === 1) res.end(Array.from({ length: 10_000 }, () => "2").join("\x1e"));
        // Later polls are held (and dropped when the server closes).
      },
    });
    const socket = new Socket(server.url, { transports: ["polling"] });
    socket.on("error", () => {});
    try {
      const deadline = Date.now() + ANSWER_WITHIN;
      while (server.posts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const records = server.posts[0]!.split("\x1e");
      expect(records.every((r) => r === "3")).to.equal(true);
      expect(records.length).to.be.within(1, 8);
      expect(socket.readyState).to.equal("open");
    } finally {
      socket.close();
    }
  });

  it("a 5 MB poll response over maxIncomingPayload (1 MB) closes with 'transport error' (HW_ERR_PAYLOAD_TOO_LARGE)", async () => {
    let written = 0;
    await using server = await hostileServer({
      poll: (_q, res, n) => {
        if (n === 0) return void res.end(OPEN());
        res.on("error", () => {});
        const chunk = "4" + "g".repeat(64 * 1024 - 1);
        const pump = (): void => {
          while (written < 5 * 1024 * 1024 && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", pump);
          }
          res.end();
        };
        pump();
      },
    });
    const { reason, errors } = await closeOf(server.url, { transports: ["polling"], maxIncomingPayload: 1024 * 1024 });
    expect(reason).to.equal("transport error");
    expect(code(errors[0])).to.equal("HW_ERR_PAYLOAD_TOO_LARGE");
  });

  it("a 2 MB frame over maxIncomingPayload (1 MB) closes the socket", async () => {
    await using server = await hostileServer({ ws: (ws) => (ws.send(OPEN()), ws.send("4" + "f".repeat(2 * 1024 * 1024))) });
    const { reason } = await closeOf(server.url, { transports: ["websocket"], maxIncomingPayload: 1024 * 1024 });
    expect(["transport error", "transport close"]).to.include(reason);
  });

  it("a server that accepts and never answers the handshake, then resets: 'transport error'", async () => {
    await using server = await hostileServer({ poll: (req) => setTimeout(() => req.socket.resetAndDestroy(), 50) });
    const { reason } = await closeOf(server.url, { transports: ["polling"] });
    expect(reason).to.equal("transport error");
  });

  it("a TLS server with a self-signed certificate is rejected by default (polling and websocket)", async function () {
    const dir = mkdtempSync(join(tmpdir(), "hw-tls-"));
    let key: Buffer;
    let cert: Buffer;
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "1", "-subj", "/CN=127.0.0.1"], { stdio: "ignore", timeout: 10_000 });
      key = readFileSync(join(dir, "k.pem"));
      cert = readFileSync(join(dir, "c.pem"));
    } catch {
      this.skip();
      return;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    let served = 0;
    await using server = await hostileServer({ poll: (_q, res) => (served++, res.end(OPEN())), ws: (ws) => (served++, ws.send(OPEN())) }, createHttpsServer({ key, cert }));
    const url = server.url.replace("http:", "https:");
    for (const transport of ["polling", "websocket"]) {
      const { reason, errors } = await within(closeOf(url, { transports: [transport] }), ANSWER_WITHIN, "TLS refusal");
      expect(reason).to.equal("transport error");
      expect(errors).to.have.length.greaterThan(0);
    }
    expect(served).to.equal(0);
  });
});
