/**
 * @module A seeded mutation fuzzer against a live server: recorded valid request streams (handshakes,
 * polls, POSTs, upgrades) and frame streams (messages, probes, fragments, pings) are mutated
 * (bit flips, interesting bytes, insertions, deletions, duplications, splices, truncations) and sent
 * over raw TCP. Each case half-closes its connection and must be answered or closed in bounded time.
 * The same seed gives the same cases; `scripts/fuzz.mjs` runs many more than `npm test`.
 */

import { connect as netConnect } from "node:net";
import { frame, httpHead, parseFrames, upgradeRequest } from "./harness.js";

/** Options of {@link fuzzServer}. */
export interface FuzzOptions {
  readonly port: number;
  readonly seed: number;
  readonly count: number;
  /** Cases in flight at once. @default 16 */
  readonly concurrency?: number;
  /** A case not closed within this many ms counts as hung. @default 3000 */
  readonly timeoutMs?: number;
}

/** What the fuzzer saw. */
export interface FuzzReport {
  readonly seed: number;
  readonly cases: number;
  /** Outcome → count ("http 400", "ws close 1002", "closed", …). */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Cases the server neither answered nor closed in time, with what reproduces them. */
  readonly hung: ReadonlyArray<{ readonly index: number; readonly kind: string }>;
  readonly slowestMs: number;
}

/** mulberry32: a small seeded PRNG, enough to make cases reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x00, 0xff, 0x1e, 0x0d, 0x0a, 0x3a, 0x25, 0x80, 0xc3, 0xed, 0x7f, 0x30, 0x34, 0x62, 0x3d, 0x20];
const TOKENS = ["\r\n", "\x1e", "%", "Content-Length: 99999999\r\n", "Transfer-Encoding: chunked\r\n", "__proto__", "sid=", "&EIO=4", "\u00ff", "\ud800"];

/** Applies 1–4 random mutations to `input`. */
export function mutate(input: Buffer, random: () => number, donors: readonly Buffer[]): Buffer {
  let out = Buffer.from(input);
  const int = (n: number): number => Math.floor(random() * n);
  const rounds = 1 + int(4);
  for (let r = 0; r < rounds; r++) {
    const at = out.length === 0 ? 0 : int(out.length);
    switch (int(8)) {
      case 0:
        if (out.length > 0) out[at] = out[at]! ^ (1 << int(8));
        break;
      case 1:
        if (out.length > 0) out[at] = INTERESTING[int(INTERESTING.length)]!;
        break;
      case 2: {
        const bytes = Buffer.from(Array.from({ length: 1 + int(16) }, () => int(256)));
        out = Buffer.concat([out.subarray(0, at), bytes, out.subarray(at)]);
        break;
      }
      case 3:
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + int(32)))]);
        break;
      case 4: {
        const len = 1 + int(64);
        out = Buffer.concat([out.subarray(0, at + len), out.subarray(at, at + len), out.subarray(at + len)]);
        break;
      }
      case 5: {
        const donor = donors[int(donors.length)]!;
        const from = int(Math.max(1, donor.length));
        out = Buffer.concat([out.subarray(0, at), donor.subarray(from, from + 1 + int(48)), out.subarray(at)]);
        break;
      }
      case 6:
        out = out.subarray(0, at);
        break;
      default: {
        const token = Buffer.from(TOKENS[int(TOKENS.length)]!, "utf8");
        out = Buffer.concat([out.subarray(0, at), token, out.subarray(at)]);
        break;
      }
    }
  }
  return out;
}

/** The recorded valid streams; `{sid}` is replaced by a live session id. */
function httpTemplates(): string[] {
  const q = "/engine.io/?EIO=4&transport=polling";
  const body = "4hello\x1e4w\u00f6rld\x1ebAQIDBA==\x1e3";
  return [
    httpHead("GET", `${q}&t=abc`, [["Accept", "*/*"]]),
    httpHead("GET", `${q}&sid={sid}`, [["Accept-Encoding", "gzip"]]),
    httpHead("POST", `${q}&sid={sid}`, [["Content-Type", "text/plain;charset=UTF-8"], ["Content-Length", Buffer.byteLength(body)]], body),
    httpHead("POST", `${q}&sid={sid}`, [["Transfer-Encoding", "chunked"]], `5\r\n4abcd\r\n0\r\n\r\n`),
    upgradeRequest("EIO=4&transport=websocket"),
    upgradeRequest("EIO=4&transport=websocket&sid={sid}"),
    httpHead("OPTIONS", q, [["Origin", "http://x"]]),
  ];
}

function frameTemplates(): Buffer[] {
  return [
    Buffer.concat([frame({ payload: "4hello" }), frame({ opcode: 2, payload: Buffer.from([1, 2, 3]) }), frame({ payload: "3" })]),
    Buffer.concat([frame({ fin: false, payload: "4frag" }), frame({ opcode: 0, fin: false, payload: "men" }), frame({ opcode: 0, payload: "ted" })]),
    Buffer.concat([frame({ opcode: 9, payload: "hi" }), frame({ payload: "4\u00e9\ud83d\ude00" }), frame({ payload: "bAQID" })]),
    Buffer.concat([frame({ payload: "2probe" }), frame({ payload: "5" }), frame({ payload: "6" })]),
  ];
}

/** Opens a polling session over HTTP and returns its sid. */
function handshake(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    let data = "";
    socket.on("error", reject);
    socket.on("data", (c: Buffer) => {
      data += c.toString("latin1");
      const m = /"sid":"([^"]+)"/.exec(data);
      if (m) {
        socket.destroy();
        resolve(m[1]!);
      }
    });
    socket.on("close", () => reject(new Error(`handshake failed: ${data.slice(0, 100)}`)));
    socket.write(httpHead("GET", "/engine.io/?EIO=4&transport=polling", [["Connection", "close"]]));
  });
}

/** Sends `prefix` (unmutated), then `bytes`, half-closes, and classifies how the server ended it. */
function exchange(port: number, prefix: Buffer | undefined, bytes: Buffer, timeoutMs: number): Promise<{ outcome: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = netConnect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let settled = false;
    let headDone = prefix === undefined;
    const finish = (outcome: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ outcome, ms: performance.now() - started });
    };
    const classify = (): string => {
      const data = Buffer.concat(chunks);
      const head = data.toString("latin1");
      if (prefix !== undefined) {
        const end = head.indexOf("\r\n\r\n");
        const close = end === -1 ? undefined : parseFrames(data.subarray(end + 4)).find((f) => f.opcode === 8);
        return close && close.payload.length >= 2 ? `ws close ${close.payload.readUInt16BE(0)}` : "ws closed";
      }
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
      return m ? `http ${m[1]}` : "closed";
    };
    const timer = setTimeout(() => finish("hung"), timeoutMs);
    socket.on("error", () => finish(classify()));
    socket.on("close", () => finish(classify()));
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      if (!headDone && Buffer.concat(chunks).includes("\r\n\r\n")) {
        headDone = true;
        socket.end(bytes);
      }
    });
    socket.once("connect", () => {
      if (prefix !== undefined) socket.write(prefix);
      else socket.end(bytes);
    });
  });
}

/** Runs `count` seeded cases against the server on `port`, `concurrency` at a time. */
export async function fuzzServer(options: FuzzOptions): Promise<FuzzReport> {
  const { port, seed, count } = options;
  const concurrency = options.concurrency ?? 16;
  const timeoutMs = options.timeoutMs ?? 3000;
  const http = httpTemplates();
  const frames = frameTemplates();
  const donors = [...http.map((t) => Buffer.from(t, "utf8")), ...frames];
  const outcomes: Record<string, number> = Object.create(null) as Record<string, number>;
  const hung: { index: number; kind: string }[] = [];
  let slowestMs = 0;
  let next = 0;
  const runCase = async (index: number): Promise<void> => {
    const random = prng((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
    let kind: string;
    let result: { outcome: string; ms: number };
    if (random() < 0.6) {
      const t = Math.floor(random() * http.length);
      const template = http[t]!;
      const sid = template.includes("{sid}") ? await handshake(port).catch(() => "none") : "";
      kind = `http template ${t}`;
      result = await exchange(port, undefined, mutate(Buffer.from(template.replace("{sid}", sid), "utf8"), random, donors), timeoutMs);
    } else {
      const t = Math.floor(random() * frames.length);
      kind = `frames template ${t}`;
      result = await exchange(port, Buffer.from(upgradeRequest("EIO=4&transport=websocket")), mutate(frames[t]!, random, donors), timeoutMs);
    }
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    slowestMs = Math.max(slowestMs, result.ms);
    if (result.outcome === "hung") hung.push({ index, kind });
  };
  const worker = async (): Promise<void> => {
    while (next < count) await runCase(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { seed, cases: count, outcomes, hung, slowestMs };
}
