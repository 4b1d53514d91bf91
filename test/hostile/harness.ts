/**
 * @module The hostile-input harness: a server with short heartbeats and a watched control session,
 * raw TCP/WebSocket tools that speak bytes the well-behaved libraries refuse to produce, bounded
 * waits, and a heap check after forced garbage collection.
 */

import { expect } from "chai";
import { connect as netConnect, type Socket as NetSocket } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Socket as ClientSocket } from "@heartwire/client";
import type { Server, ServerOptions, Socket } from "@heartwire/server";
import { once } from "../helpers/events.js";
import { startServer, type RunningServer } from "../helpers/servers.js";

/** Heartbeat of the hostile server: a missed pong shows within a second. */
export const PING_INTERVAL = 250;
/** @see PING_INTERVAL */
export const PING_TIMEOUT = 500;
/** Every hostile connection must be answered or closed within this many ms. */
export const ANSWER_WITHIN = 3000;

/**
 * A control session on the hostile server: our client over WebSocket, watched from the server side.
 * `check()` proves it was never disturbed: no close, every pong arrived (no gap between heartbeats
 * reached pingInterval + pingTimeout, which is when a pong counts as missed), and it still echoes.
 */
export class Control {
  readonly client: ClientSocket;
  readonly peer: Socket;
  #last: number;
  #maxGap = 0;
  #beats = 0;
  #closed: string | undefined;
  #counter = 0;

  private constructor(client: ClientSocket, peer: Socket) {
    this.client = client;
    this.peer = peer;
    this.#last = performance.now();
    peer.on("heartbeat", () => {
      const now = performance.now();
      this.#maxGap = Math.max(this.#maxGap, now - this.#last);
      this.#last = now;
      this.#beats++;
    });
    peer.on("close", (reason) => (this.#closed = reason));
    client.on("close", (reason) => (this.#closed ??= `client: ${reason}`));
  }

  /** Connects a control client to `srv` (which must echo). */
  static async open(srv: RunningServer<Server>): Promise<Control> {
    const connection = once<[Socket]>(srv.server, "connection");
    const client = new ClientSocket(srv.url, { transports: ["websocket"] });
    client.on("error", () => {});
    const [[peer]] = await Promise.all([connection, once(client, "open")]);
    return new Control(client, peer);
  }

  /** Heartbeats seen so far. */
  get beats(): number {
    return this.#beats;
  }

  /** Asserts the session is open, missed no pong, and still echoes. */
  async check(): Promise<void> {
    expect(this.#closed, "control session closed").to.equal(undefined);
    const gap = Math.max(this.#maxGap, performance.now() - this.#last);
    const limit = this.peer.pingInterval + this.peer.pingTimeout;
    expect(gap, "control heartbeat gap (ms)").to.be.below(limit);
    const text = `control-${++this.#counter}`;
    const echoed = once(this.client, "message", { timeoutMs: 3000, filter: (m: unknown) => m === text });
    this.client.send(text);
    await echoed;
  }

  /** Closes the client. */
  close(): void {
    this.client.close();
  }
}

/** A hostile-input fixture: server plus control; `done()` checks the control and closes everything. */
export interface Arena {
  readonly srv: RunningServer<Server>;
  readonly control: Control;
  /** Checks the control session, then closes it and the server. */
  done(): Promise<void>;
}

/** Starts an echo server with short heartbeats (and `options`) plus a control session. */
export async function arena(options: ServerOptions = {}): Promise<Arena> {
  const srv = await startServer({ echo: true, pingInterval: PING_INTERVAL, pingTimeout: PING_TIMEOUT, ...options });
  const control = await Control.open(srv);
  return {
    srv,
    control,
    async done() {
      try {
        await control.check();
      } finally {
        control.close();
        await srv.close();
      }
    },
  };
}

/** Resolves with `promise`, or rejects if it takes more than `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** What a raw connection saw. */
export interface RawResult {
  readonly data: Buffer;
  /** The server closed (or reset) the connection. */
  readonly closed: boolean;
  /** Milliseconds from connect to close (or to the end of the wait). */
  readonly ms: number;
  /** The bytes as latin1 text (HTTP heads). */
  readonly text: string;
  /** HTTP status of the first response line, or 0. */
  readonly status: number;
}

/** Options of {@link rawExchange}. */
export interface RawOptions {
  /** Stop waiting after this many ms. @default ANSWER_WITHIN */
  readonly timeoutMs?: number;
  /** Resolve as soon as this returns true for the bytes so far (the connection is then destroyed). */
  readonly until?: (data: Buffer) => boolean;
  /** Ms between the chunks written. @default 0 */
  readonly gapMs?: number;
  /** After writing everything, reset the connection (RST) instead of waiting. */
  readonly resetAfterWrite?: boolean;
}

/** Opens a TCP connection, writes `chunks`, and collects the answer until close, `until` or timeout. */
export function rawExchange(port: number, chunks: ReadonlyArray<string | Buffer>, options: RawOptions = {}): Promise<RawResult> {
  const timeoutMs = options.timeoutMs ?? ANSWER_WITHIN;
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = netConnect(port, "127.0.0.1");
    const received: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const data = Buffer.concat(received);
      const text = data.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      socket.destroy();
      resolve({ data, closed, ms: performance.now() - started, text, status: m ? Number(m[1]) : 0 });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("error", () => finish(true));
    socket.on("close", () => finish(true));
    socket.on("data", (chunk: Buffer) => {
      received.push(chunk);
      if (options.until?.(Buffer.concat(received))) finish(false);
    });
    socket.once("connect", () => {
      void (async () => {
        for (const chunk of chunks) {
          if (socket.destroyed) return;
          socket.write(chunk);
          if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        }
        if (options.resetAfterWrite) {
          socket.resetAndDestroy();
          finish(false);
        }
      })();
    });
  });
}

/** An HTTP/1.1 request head (and optional body) as raw text. */
export function httpHead(method: string, path: string, headers: ReadonlyArray<readonly [string, string | number]> = [], body = ""): string {
  let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  return `${head}\r\n${body}`;
}

/** The headers of a valid WebSocket handshake. */
export const WS_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ["Connection", "Upgrade"],
  ["Upgrade", "websocket"],
  ["Sec-WebSocket-Version", "13"],
  ["Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="],
];

/** A WebSocket handshake request for the engine path with `query`. */
export function upgradeRequest(query: string, extra: ReadonlyArray<readonly [string, string]> = [], base: ReadonlyArray<readonly [string, string]> = WS_HEADERS): string {
  return httpHead("GET", `/engine.io/?${query}`, [...base, ...extra]);
}

/** Fields of a raw WebSocket frame; the defaults make a valid masked final text frame. */
export interface FrameSpec {
  readonly fin?: boolean;
  /** RSV1..3 as a 3-bit number. */
  readonly rsv?: number;
  readonly opcode?: number;
  readonly mask?: boolean;
  readonly payload?: string | Buffer;
  /** Declare this length instead of the real one (the header lies). */
  readonly declaredLength?: bigint;
}

/** Encodes one frame exactly as specified, including the invalid combinations. */
export function frame(spec: FrameSpec = {}): Buffer {
  const payload = typeof spec.payload === "string" ? Buffer.from(spec.payload, "utf8") : (spec.payload ?? Buffer.alloc(0));
  const fin = spec.fin ?? true;
  const mask = spec.mask ?? true;
  const b0 = (fin ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode ?? 1);
  const length = spec.declaredLength ?? BigInt(payload.length);
  let header: Buffer;
  if (length < 126n) header = Buffer.from([b0, (mask ? 0x80 : 0) | Number(length)]);
  else if (length < 65536n) {
    header = Buffer.alloc(4);
    header[0] = b0;
    header[1] = (mask ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(length), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = b0;
    header[1] = (mask ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(length, 2);
  }
  if (!mask) return Buffer.concat([header, payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= key[i % 4]!;
  return Buffer.concat([header, key, masked]);
}

/** A frame read from the server (servers never mask). */
export interface ServerFrame {
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Splits the bytes after the 101 head into frames (incomplete trailing bytes are ignored). */
export function parseFrames(data: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let i = 0;
  while (i + 2 <= data.length) {
    const opcode = data[i]! & 0x0f;
    let len = data[i + 1]! & 0x7f;
    let p = i + 2;
    if (len === 126) {
      if (p + 2 > data.length) break;
      len = data.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (p + 8 > data.length) break;
      len = Number(data.readBigUInt64BE(p));
      p += 8;
    }
    if (p + len > data.length) break;
    frames.push({ opcode, payload: data.subarray(p, p + len) });
    i = p + len;
  }
  return frames;
}

/** The frames that followed a 101 response in `data`. */
export function framesAfterHandshake(data: Buffer): ServerFrame[] {
  const end = data.indexOf("\r\n\r\n");
  return end === -1 ? [] : parseFrames(data.subarray(end + 4));
}

/** The close code of the server's close frame, if it sent one. */
export function closeCode(data: Buffer): number | undefined {
  const close = framesAfterHandshake(data).find((f) => f.opcode === 8);
  return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
}

/** A raw WebSocket session with the engine over TCP: handshake done, open packet read. */
export interface RawWsSession {
  readonly socket: NetSocket;
  readonly sid: string;
  /** Everything received after the 101 head. */
  received(): Buffer;
  /** The frames received so far (including the open packet). */
  frames(): ServerFrame[];
  /** The code of the server's close frame, if one arrived. */
  closeCode(): number | undefined;
  /** Resolves once the server closed the connection (or after `timeoutMs`, with false). */
  closed(timeoutMs?: number): Promise<boolean>;
}

/** Opens an engine WebSocket session byte by byte; `query` defaults to a websocket handshake. */
export function rawWsSession(port: number, query = "EIO=4&transport=websocket"): Promise<RawWsSession> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    let buffer = Buffer.alloc(0);
    let headEnd = -1;
    let done = false;
    let isClosed = false;
    const closeWaiters: (() => void)[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("raw ws handshake timed out"));
    }, ANSWER_WITHIN);
    socket.on("error", () => {});
    socket.on("close", () => {
      isClosed = true;
      for (const w of closeWaiters.splice(0)) w();
      if (!done) {
        clearTimeout(timer);
        reject(new Error(`raw ws closed during handshake: ${buffer.toString("latin1").slice(0, 200)}`));
      }
    });
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (done) return;
      if (headEnd === -1) headEnd = buffer.indexOf("\r\n\r\n");
      if (headEnd === -1) return;
      const open = parseFrames(buffer.subarray(headEnd + 4))[0];
      if (open === undefined) return;
      done = true;
      clearTimeout(timer);
      const text = open.payload.toString("utf8");
      const sid = text.startsWith("0") ? String((JSON.parse(text.slice(1)) as { sid: string }).sid) : "";
      resolve({
        socket,
        sid,
        received: () => buffer.subarray(headEnd + 4),
        frames: () => parseFrames(buffer.subarray(headEnd + 4)),
        closeCode: () => closeCode(buffer),
        closed: (timeoutMs = ANSWER_WITHIN) =>
          isClosed
            ? Promise.resolve(true)
            : new Promise<boolean>((res) => {
                const t = setTimeout(() => res(false), timeoutMs);
                closeWaiters.push(() => {
                  clearTimeout(t);
                  res(true);
                });
              }),
      });
    });
    socket.once("connect", () => socket.write(upgradeRequest(query)));
  });
}

let gcFunction: (() => void) | undefined;

/** Heap in use after forced full collections (V8's gc exposed at run time; no CLI flag needed). */
export async function settledHeap(): Promise<number> {
  if (gcFunction === undefined) {
    setFlagsFromString("--expose-gc");
    gcFunction = runInNewContext("gc") as () => void;
  }
  for (let i = 0; i < 3; i++) {
    // Let closed sockets and timers finish their own teardown between collections.
    await new Promise((r) => setImmediate(r));
    gcFunction();
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Registers before/after hooks on the current describe: heap after GC at the end may exceed the
 * start by at most `slackMb` (the hostile cases of the area must not retain what they sent).
 */
export function heapReturnsToBaseline(slackMb = 24): void {
  let baseline = 0;
  before(async () => {
    baseline = await settledHeap();
  });
  after(async function () {
    this.timeout(10_000);
    let after = await settledHeap();
    // Sockets may still be finishing their close on the first pass: give them a few bounded turns.
    for (let i = 0; i < 10 && after - baseline > slackMb * 1024 * 1024; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await settledHeap();
    }
    expect((after - baseline) / 1024 / 1024, "heap growth after the area (MB)").to.be.below(slackMb);
  });
}
