/** @module Server options: every limit and timing in one documented place, with defaults and validation. */

import type { IncomingMessage } from "node:http";
import { HeartwireError, MAX_TIMER_DELAY, realScheduler, type MillisecondRange, type Scheduler } from "@heartwire/shared";
import type { CorsOptions } from "./cors.js";
import type { CookieOptions } from "./cookie.js";
import type { WebSocketEngine } from "./websocket-server.js";

/** Names of the transports this server speaks. */
export type TransportName = "polling" | "websocket";

/**
 * Decides whether a handshake may proceed. Call `callback(null, true)` to accept, or
 * `callback(message, false)` to refuse with `403 {"code":4,"message":message}`. A function may
 * instead return a Promise resolving to `true`/`false` (a rejection refuses, using the error's
 * message); a Promise resolving to `undefined` means "I will use the callback".
 * Only called for handshakes (requests without `sid`), on polling and WebSocket alike.
 */
export type AllowRequest = (
  req: IncomingMessage,
  callback: (err: string | null | undefined, success: boolean) => void,
) => void | Promise<boolean | void>;

/** Chooses the session id for a new connection; may be async. */
export type GenerateId = (req: IncomingMessage) => string | PromiseLike<string>;

/** ws permessage-deflate settings (see the `ws` documentation). */
export interface PerMessageDeflateOptions {
  /** Messages smaller than this many bytes are not compressed. @default 1024 */
  readonly threshold?: number;
  /** Other ws options (serverNoContextTakeover, zlibDeflateOptions, …) are passed through. */
  readonly [option: string]: unknown;
}

/** Polling response compression (gzip/deflate through node:zlib). */
export interface HttpCompressionOptions {
  /** Responses smaller than this many bytes are sent uncompressed. @default 1024 */
  readonly threshold?: number;
  /** zlib compression level (0–9, or -1 for zlib's default). @default -1 */
  readonly level?: number;
}

/** Options that say where the server lives on an http.Server (also accepted by `attach()`). */
export interface AttachOptions {
  /** Path the server answers under, matched as a prefix of the request URL. @default "/engine.io" */
  path?: string;
  /** Append a trailing slash to `path` (`/engine.io/`); set it the same on both sides. @default true */
  addTrailingSlash?: boolean;
  /** Destroy upgrade requests for other paths that nobody answered. @default true */
  destroyUpgrade?: boolean;
  /** Milliseconds to wait before destroying such an unanswered upgrade. @default 1000 */
  destroyUpgradeTimeout?: number;
}

/** Everything `new Server(options)` accepts. Names and defaults follow engine.io's `ServerOptions`. */
export interface ServerOptions extends AttachOptions {
  /** Milliseconds from open, and from each pong, to the next ping. @default 25000 */
  pingInterval?: number;
  /** Milliseconds the client has to answer a ping before `close("ping timeout")`. @default 20000 */
  pingTimeout?: number;
  /**
   * Accepted client proposals (`pingInterval` query parameter) are clamped into this range;
   * without it the proposal is ignored. @default undefined
   */
  pingIntervalRange?: MillisecondRange;
  /** Same as {@link ServerOptions.pingIntervalRange}, for `pingTimeout`. @default undefined */
  pingTimeoutRange?: MillisecondRange;
  /** Milliseconds a WebSocket probe has to complete the upgrade before it is closed. @default 10000 */
  upgradeTimeout?: number;
  /** Largest POST body or WebSocket frame in bytes; advertised as `maxPayload`. @default 1e6 */
  maxHttpBufferSize?: number;
  /** Largest number of packets in one polling POST; more closes the session ("parse error"). @default 10000 */
  maxPacketsPerPayload?: number;
  /**
   * Milliseconds a POST body may take to arrive completely; a slower (trickling) body is answered
   * `408` and the session closes with "transport error". A legitimate client sends its body at once,
   * so by default the bound is the session's own `pingTimeout` (the heartbeat would have given up on
   * a peer that slow), at most 10000; a value given here applies to every session as is.
   * @default the session's pingTimeout, at most 10000
   */
  httpBodyTimeout?: number;
  /**
   * Largest number of outgoing packets a socket may hold that were not yet written to the network
   * (its own buffer plus what the transport is still writing). Beyond it the socket is closed with
   * "transport error" (`HW_ERR_BUFFER_FULL`, "slow consumer: …") and the refused messages are in
   * `socket.unsent`: a peer that cannot keep up must not grow server memory without bound.
   * @default 100000
   */
  maxBufferedPackets?: number;
  /**
   * Same bound in size: the messages queued (UTF-16 code units for text, bytes for binary) plus the
   * bytes the transport has not yet written (ws's buffer, a poll response being written). One
   * message larger than this is accepted when nothing else is buffered. 4 MiB is several seconds of
   * a fast stream on a slow link and several messages of the largest size a client may send
   * (`maxHttpBufferSize`), yet a client that stops reading costs at most that much.
   * @default 4194304 (4 Mi)
   */
  maxBufferedBytes?: number;
  /**
   * Largest number of open sessions. A handshake beyond it is refused with
   * `503 {"code":3,"message":"Server at capacity"}` (a raw 503 for a WebSocket handshake), so a
   * flood of handshakes cannot grow memory without bound. @default 100000
   */
  maxSessions?: number;
  /**
   * Largest number of handshakes in flight at once: accepted by the request checks and still waiting
   * for `allowRequest` or `generateId` (which may be slow, asynchronous user code). More are refused
   * like {@link ServerOptions.maxSessions}. @default 1000
   */
  maxPendingHandshakes?: number;
  /**
   * Milliseconds a server-initiated close of a polling session waits for the client's next GET to
   * deliver the close packet. @default 30000
   */
  closeTimeout?: number;
  /** Transports accepted, in preference order. @default ["polling", "websocket"] */
  transports?: readonly TransportName[];
  /** Advertise the upgrade from polling to WebSocket. @default true */
  allowUpgrades?: boolean;
  /** Handshake gate; see {@link AllowRequest}. @default undefined */
  allowRequest?: AllowRequest;
  /** Session id generator; the default is 20 random url-safe base64 characters. @default undefined */
  generateId?: GenerateId;
  /**
   * Put in front of every session id, whether made by the default generator or by `generateId`.
   * It names the process that owns a session, so a proxy or a cluster primary can route each request
   * to its owner by the `sid` alone (`"a."` gives ids like `a.Xb3…`; the default ids never hold a
   * `.`, so a prefix ending in `.` can be split off unambiguously). At most 64 characters from
   * `A–Z a–z 0–9 . _ ~ -` (characters a URL carries unescaped). @default ""
   */
  sessionIdPrefix?: string;
  /** CORS policy; `false` sends no CORS headers and refuses preflights. @default false */
  cors?: CorsOptions | false;
  /** Send the sid as a cookie on the polling handshake; `true` uses name `io`. @default false */
  cookie?: CookieOptions | boolean;
  /** ws permessage-deflate; `true` means `{ threshold: 1024 }`. @default false */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * The WebSocket server class behind every WebSocket handshake (engine.io's `wsEngine`): ws'
   * `WebSocketServer`, a subclass of it, or another class with its `noServer` API. It is constructed
   * once, on the first WebSocket handshake, with {@link WebSocketEngineOptions}.
   * @default WebSocketServer from ws
   */
  wsEngine?: WebSocketEngine;
  /** gzip/deflate polling responses; `false` disables. @default { threshold: 1024 } */
  httpCompression?: boolean | HttpCompressionOptions;
  /** A message sent right after the open packet. @default undefined */
  initialPacket?: string | Uint8Array | ArrayBuffer;
  /**
   * Accepted for engine.io option parity, but protocol v3 is not supported: with `true` the server
   * emits one process warning (code `HW_ALLOW_EIO3`) and still answers v3 handshakes
   * `400 {"code":5}`, as with `false`. @default false
   */
  allowEIO3?: boolean;
  /** Clock and timer source; inject `FakeScheduler` in tests. @default realScheduler */
  scheduler?: Scheduler;
  /**
   * Bucket width in ms of the timer wheel that runs every socket's heartbeat timer on one host
   * timer. It only sets how timers are grouped (the scan per wake-up), not when they fire: each
   * fires at its own due time, never early, as soon after as the host timer allows (about 1 ms).
   * `0` gives every socket its own timer on `scheduler`. @default 10
   */
  timerResolution?: number;
}

/** The options after defaults and validation. */
export interface ResolvedOptions {
  readonly pingInterval: number;
  readonly pingTimeout: number;
  readonly pingIntervalRange: MillisecondRange | undefined;
  readonly pingTimeoutRange: MillisecondRange | undefined;
  readonly upgradeTimeout: number;
  readonly maxHttpBufferSize: number;
  readonly maxPacketsPerPayload: number;
  /** `undefined`: each session uses its `pingTimeout`, capped at `defaults.httpBodyTimeout`. */
  readonly httpBodyTimeout: number | undefined;
  readonly maxBufferedPackets: number;
  readonly maxBufferedBytes: number;
  readonly maxSessions: number;
  readonly maxPendingHandshakes: number;
  readonly closeTimeout: number;
  readonly transports: readonly TransportName[];
  readonly allowUpgrades: boolean;
  readonly allowRequest: AllowRequest | undefined;
  readonly generateId: GenerateId | undefined;
  readonly sessionIdPrefix: string;
  readonly cors: CorsOptions | false;
  readonly cookie: CookieOptions | false;
  readonly perMessageDeflate: false | PerMessageDeflateOptions;
  /** `undefined`: ws' `WebSocketServer`. */
  readonly wsEngine: WebSocketEngine | undefined;
  readonly httpCompression: false | Required<HttpCompressionOptions>;
  readonly initialPacket: string | Uint8Array | ArrayBuffer | undefined;
  readonly scheduler: Scheduler;
  readonly timerResolution: number;
  readonly path: string;
  readonly destroyUpgrade: boolean;
  readonly destroyUpgradeTimeout: number;
}

/** Default values of the numeric and simple options. */
export const defaults = Object.freeze({
  pingInterval: 25_000,
  pingTimeout: 20_000,
  upgradeTimeout: 10_000,
  maxHttpBufferSize: 1e6,
  maxPacketsPerPayload: 10_000,
  /** The cap of the default POST body time (which is the session's pingTimeout). */
  httpBodyTimeout: 10_000,
  maxBufferedPackets: 100_000,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxSessions: 100_000,
  maxPendingHandshakes: 1000,
  closeTimeout: 30_000,
  transports: Object.freeze(["polling", "websocket"] as TransportName[]),
  allowUpgrades: true,
  timerResolution: 10,
  path: "/engine.io",
  addTrailingSlash: true,
  destroyUpgrade: true,
  destroyUpgradeTimeout: 1000,
  compressionThreshold: 1024,
});

function invalid(name: string, value: unknown, expected: string): HeartwireError {
  return new HeartwireError("HW_ERR_INVALID_OPTION", `option ${name} must be ${expected}, got ${String(value)}`);
}

function positiveInt(name: string, value: number | undefined, fallback: number, max = MAX_TIMER_DELAY): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value > max) {
    throw invalid(name, value, `an integer in 1…${max}`);
  }
  return value;
}

function range(name: string, value: MillisecondRange | undefined): MillisecondRange | undefined {
  if (value === undefined) return undefined;
  const ok = Array.isArray(value) && value.length === 2 && value.every((v) => Number.isInteger(v) && v > 0 && v <= MAX_TIMER_DELAY);
  if (!ok || value[0] > value[1]) throw invalid(name, value, "a [min, max] pair of positive integers with min <= max");
  return [value[0], value[1]];
}

let allowEIO3Warned = false;

/** One process warning for `allowEIO3: true`, however many servers set it. */
function warnAllowEIO3(): void {
  if (allowEIO3Warned) return;
  allowEIO3Warned = true;
  process.emitWarning("allowEIO3 is ignored: Heartwire speaks Engine.IO protocol v4 only, v3 handshakes are refused (code 5)", {
    code: "HW_ALLOW_EIO3",
  });
}

/** Computes the path matched on requests: no trailing slash, then one added unless disabled. */
export function computePath(options: AttachOptions): string {
  let path = (options.path ?? defaults.path).replace(/\/$/, "");
  if (options.addTrailingSlash !== false) path += "/";
  return path;
}

function resolveCookie(cookie: CookieOptions | boolean | undefined): CookieOptions | false {
  if (!cookie) return false;
  const base: CookieOptions = { name: "io", path: "/", httpOnly: true, sameSite: "lax" };
  return cookie === true ? base : { ...base, ...cookie };
}

/** Checks `sessionIdPrefix`: url-unreserved characters only, so it never needs escaping in a query. */
function idPrefix(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value !== "string" || !/^[A-Za-z0-9._~-]{0,64}$/.test(value)) {
    throw invalid("sessionIdPrefix", value, "at most 64 characters from A-Z a-z 0-9 . _ ~ -");
  }
  return value;
}

/** Applies defaults and validates every option; throws `HW_ERR_INVALID_OPTION` naming the bad value. */
export function resolveOptions(user: ServerOptions = {}): ResolvedOptions {
  const transports = user.transports ?? defaults.transports;
  if (!Array.isArray(transports) || transports.length === 0 || !transports.every((t) => t === "polling" || t === "websocket")) {
    throw invalid("transports", transports, 'a non-empty list of "polling" and "websocket"');
  }
  if (user.allowEIO3 !== undefined && typeof user.allowEIO3 !== "boolean") throw invalid("allowEIO3", user.allowEIO3, "a boolean");
  if (user.allowEIO3) warnAllowEIO3();
  if (user.wsEngine !== undefined && typeof user.wsEngine !== "function") throw invalid("wsEngine", user.wsEngine, "a WebSocket server class");
  const timerResolution = user.timerResolution ?? defaults.timerResolution;
  if (!Number.isInteger(timerResolution) || timerResolution < 0 || timerResolution > 1000) {
    throw invalid("timerResolution", timerResolution, "an integer in 0…1000");
  }
  const compression = user.httpCompression ?? true;
  const deflate = user.perMessageDeflate ?? false;
  return {
    pingInterval: positiveInt("pingInterval", user.pingInterval, defaults.pingInterval),
    pingTimeout: positiveInt("pingTimeout", user.pingTimeout, defaults.pingTimeout),
    pingIntervalRange: range("pingIntervalRange", user.pingIntervalRange),
    pingTimeoutRange: range("pingTimeoutRange", user.pingTimeoutRange),
    upgradeTimeout: positiveInt("upgradeTimeout", user.upgradeTimeout, defaults.upgradeTimeout),
    maxHttpBufferSize: positiveInt("maxHttpBufferSize", user.maxHttpBufferSize, defaults.maxHttpBufferSize, Number.MAX_SAFE_INTEGER),
    maxPacketsPerPayload: positiveInt("maxPacketsPerPayload", user.maxPacketsPerPayload, defaults.maxPacketsPerPayload, Number.MAX_SAFE_INTEGER),
    httpBodyTimeout: user.httpBodyTimeout === undefined ? undefined : positiveInt("httpBodyTimeout", user.httpBodyTimeout, defaults.httpBodyTimeout),
    maxBufferedPackets: positiveInt("maxBufferedPackets", user.maxBufferedPackets, defaults.maxBufferedPackets, Number.MAX_SAFE_INTEGER),
    maxBufferedBytes: positiveInt("maxBufferedBytes", user.maxBufferedBytes, defaults.maxBufferedBytes, Number.MAX_SAFE_INTEGER),
    maxSessions: positiveInt("maxSessions", user.maxSessions, defaults.maxSessions, Number.MAX_SAFE_INTEGER),
    maxPendingHandshakes: positiveInt("maxPendingHandshakes", user.maxPendingHandshakes, defaults.maxPendingHandshakes, Number.MAX_SAFE_INTEGER),
    closeTimeout: positiveInt("closeTimeout", user.closeTimeout, defaults.closeTimeout),
    transports: [...transports],
    allowUpgrades: user.allowUpgrades ?? defaults.allowUpgrades,
    allowRequest: user.allowRequest,
    generateId: user.generateId,
    sessionIdPrefix: idPrefix(user.sessionIdPrefix),
    cors: user.cors ?? false,
    cookie: resolveCookie(user.cookie),
    perMessageDeflate: deflate === false ? false : { threshold: 1024, ...(deflate === true ? {} : deflate) },
    wsEngine: user.wsEngine,
    httpCompression:
      compression === false
        ? false
        : {
            threshold: (compression === true ? undefined : compression.threshold) ?? defaults.compressionThreshold,
            level: (compression === true ? undefined : compression.level) ?? -1,
          },
    initialPacket: user.initialPacket,
    scheduler: user.scheduler ?? realScheduler,
    timerResolution,
    path: computePath(user),
    destroyUpgrade: user.destroyUpgrade ?? defaults.destroyUpgrade,
    destroyUpgradeTimeout: positiveInt("destroyUpgradeTimeout", user.destroyUpgradeTimeout, defaults.destroyUpgradeTimeout),
  };
}
