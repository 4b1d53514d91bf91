/** @module Small loopback helpers for the server's unit tests (fake clock, raw ws and HTTP peers). */

import { createServer, request as httpRequest, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket } from "ws";
import { Server, type ServerOptions } from "@heartwire/server";

/** A server on 127.0.0.1:0; dispose to close it and every connection. */
export interface Harness extends AsyncDisposable {
  readonly server: Server;
  readonly http: HttpServer;
  readonly base: string;
  readonly wsBase: string;
}

/** Starts a server (usually with a FakeScheduler) on loopback; echoes messages. */
export async function harness(options: ServerOptions): Promise<Harness> {
  const http = createServer();
  const server = new Server(options);
  server.attach(http);
  server.on("connection", (socket) => socket.on("message", (data) => socket.send(data)));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    server,
    http,
    base: `http://127.0.0.1:${port}`,
    wsBase: `ws://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      server.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

/** A raw ws peer whose frames are read in order with bounded waits. */
export class Peer implements AsyncDisposable {
  readonly ws: WebSocket;
  readonly #frames: (string | Buffer)[] = [];
  readonly #waiters: ((f: string | Buffer) => void)[] = [];
  readonly closed: Promise<number>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("error", () => {});
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const frame = isBinary ? data : data.toString();
      const w = this.#waiters.shift();
      if (w) w(frame);
      else this.#frames.push(frame);
    });
    this.closed = new Promise((resolve) => ws.once("close", (code: number) => resolve(code)));
  }

  /** Connects to `url`. */
  static async open(url: string): Promise<Peer> {
    const peer = new Peer(new WebSocket(url));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("ws open timeout")), 3000);
      peer.ws.once("open", () => (clearTimeout(t), resolve()));
      peer.ws.once("error", (e) => (clearTimeout(t), reject(e)));
    });
    return peer;
  }

  /** Next frame within `timeoutMs`. */
  next(timeoutMs = 3000): Promise<string | Buffer> {
    const f = this.#frames.shift();
    if (f !== undefined) return Promise.resolve(f);
    return new Promise((resolve, reject) => {
      const waiter = (frame: string | Buffer): void => (clearTimeout(t), resolve(frame));
      const t = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error("no frame in time"));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /**
   * Proves nothing else was sent before now: sends a message and expects its echo as the very next
   * frame (the server writes frames in order).
   */
  async barrier(tag = "barrier"): Promise<void> {
    this.ws.send(`4${tag}`);
    const frame = await this.next();
    if (frame !== `4${tag}`) throw new Error(`expected echo of ${tag}, got ${String(frame)}`);
  }

  /** Waits for close, bounded. */
  async waitClose(timeoutMs = 3000): Promise<number> {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error("no close in time")), timeoutMs)));
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(t);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.terminate();
      await this.waitClose().catch(() => {});
    }
  }
}

/** A raw HTTP request (no keep-alive); resolves status and body. */
export function http(url: string, method = "GET", body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Resolves once `condition()` holds, polling every few ms, bounded. */
export async function until(condition: () => boolean, what = "condition", timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Resolves with the arguments of the next `event`, bounded. */
export function next<T extends unknown[] = unknown[]>(emitter: object, event: string, timeoutMs = 3000): Promise<T> {
  const target = emitter as { once(e: string, l: (...args: unknown[]) => void): unknown };
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no '${event}' in time`)), timeoutMs);
    target.once(event, (...args: unknown[]) => {
      clearTimeout(t);
      resolve(args as T);
    });
  });
}
