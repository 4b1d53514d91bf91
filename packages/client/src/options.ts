/**
 * @module Every option of the client with its documented default, in one place, and
 * `resolveSocketOptions` which validates them and derives the endpoint from the URI.
 */

import { HeartwireError, realScheduler, type Scheduler } from "@heartwire/shared";
import type { BinaryType, HostIO, PageLocation } from "./platform/platform.js";

/** A transport this client implements. */
export type TransportName = "polling" | "websocket";

/** Options of `new Socket(uri, options)`; the names and defaults follow engine.io-client. */
export interface SocketOptions {
  /**
   * Transports to try, in order. Unknown names (such as `"webtransport"`, which this client does
   * not implement) and transports the entry does not ship (`polling` in `@heartwire/client/websocket`)
   * are ignored. @default ["polling", "websocket"] (["websocket"] from `@heartwire/client/websocket`)
   */
  readonly transports?: readonly string[];
  /** Probe and upgrade to the transports the server advertises (polling → websocket). @default true */
  readonly upgrade?: boolean;
  /** Start with websocket if a websocket connection from this page/process succeeded before. @default false */
  readonly rememberUpgrade?: boolean;
  /** If the first transport fails while opening, try the next one instead of closing. @default false */
  readonly tryAllTransports?: boolean;
  /** Server path. @default "/engine.io" */
  readonly path?: string;
  /** Append a `/` to the path (must match the server's setting). @default true */
  readonly addTrailingSlash?: boolean;
  /** Extra query parameters, as an object or a query string. @default {} */
  readonly query?: Readonly<Record<string, string | number | boolean>> | string;
  /** Headers sent with every polling request and (Node only) the WebSocket handshake. @default {} */
  readonly extraHeaders?: Readonly<Record<string, string>>;
  /** Browsers: send CORS credentials. Node: keep a cookie jar (sticky sessions). @default false */
  readonly withCredentials?: boolean;
  /**
   * Add a cache-busting timestamp parameter. Polling adds it unless this is `false`; websocket
   * only when it is `true`. @default undefined
   */
  readonly timestampRequests?: boolean;
  /** Name of the cache-busting parameter. @default "t" */
  readonly timestampParam?: string;
  /** Send binary as base64 text (`b64=1`). @default false */
  readonly forceBase64?: boolean;
  /** Node: do not keep the process alive for this socket, from the start (see `unref()`). @default false */
  readonly autoUnref?: boolean;
  /** Browsers: close silently when the page unloads. @default false */
  readonly closeOnBeforeunload?: boolean;
  /**
   * Browsers: close with `"transport close"` when the browser goes offline (not for localhost).
   * @default true
   */
  readonly closeOnOffline?: boolean;
  /** Server host name; taken from the URI when one is given. @default page host or "localhost" */
  readonly hostname?: string;
  /** Server port; taken from the URI when one is given. @default page port, or 443/80 */
  readonly port?: string | number;
  /** Use https/wss; taken from the URI when one is given. @default page protocol, else false */
  readonly secure?: boolean;
  /** What received binary messages are delivered as. @default "nodebuffer" in Node, "arraybuffer" in browsers */
  readonly binaryType?: BinaryType;
  /**
   * Proposed ping interval in ms, sent as the `pingInterval` handshake parameter. A server may clamp
   * or ignore it; the value in the open packet is always the one used. @default undefined
   */
  readonly pingInterval?: number;
  /** Proposed ping timeout in ms, sent as the `pingTimeout` handshake parameter. @default undefined */
  readonly pingTimeout?: number;
  /** Clock and timers (tests pass a `FakeScheduler`). @default realScheduler */
  readonly scheduler?: Scheduler;
  /** Advanced: replaces the platform's network layer (WebSocket and HTTP), e.g. in tests. @default the platform's */
  readonly io?: HostIO;
  /**
   * Largest poll response (characters) or WebSocket message (bytes, Node) accepted from the server.
   * Beyond it the socket closes with "transport error" (`HW_ERR_PAYLOAD_TOO_LARGE`), so a hostile or
   * broken server cannot make the client buffer without bound. @default 104857600 (100 Mi, ws' own default)
   */
  readonly maxIncomingPayload?: number;
}

/** Options after defaults and validation. */
export interface ResolvedSocketOptions {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly transports: readonly TransportName[];
  readonly upgrade: boolean;
  readonly rememberUpgrade: boolean;
  readonly tryAllTransports: boolean;
  readonly extraHeaders: Readonly<Record<string, string>>;
  readonly withCredentials: boolean;
  readonly timestampRequests: boolean | undefined;
  readonly timestampParam: string;
  readonly forceBase64: boolean;
  readonly autoUnref: boolean;
  readonly closeOnBeforeunload: boolean;
  readonly closeOnOffline: boolean;
  readonly binaryType: BinaryType | undefined;
  readonly pingInterval: number | undefined;
  readonly pingTimeout: number | undefined;
  readonly scheduler: Scheduler;
  readonly io: HostIO | undefined;
  readonly maxIncomingPayload: number;
}

const KNOWN_TRANSPORTS: readonly TransportName[] = ["polling", "websocket"];

function invalid(message: string): HeartwireError {
  return new HeartwireError("HW_ERR_INVALID_OPTION", message);
}

function proposedDelay(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0 || value > 2_147_483_647) {
    throw invalid(`${name} must be a positive integer number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function positiveLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw invalid(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function queryObject(query: SocketOptions["query"]): Record<string, string> {
  // Null prototype: a parameter named `__proto__` is kept as data, not taken as a prototype.
  const out = Object.create(null) as Record<string, string>;
  if (typeof query === "string") {
    for (const [k, v] of new URLSearchParams(query.startsWith("?") ? query.slice(1) : query)) out[k] = v;
  } else if (query !== undefined) {
    for (const [k, v] of Object.entries(query)) out[k] = String(v);
  }
  return out;
}

interface ParsedUri {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: string;
  readonly query: Record<string, string>;
}

/** Parses `http(s)://`, `ws(s)://`, `//host` and bare `host:port` URIs. */
function parseUri(uri: string, location: PageLocation | undefined): ParsedUri {
  let text = uri.trim();
  const pageSecure = location?.protocol === "https:";
  if (text.startsWith("//")) text = (pageSecure ? "https:" : "http:") + text;
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (text.startsWith("/") && location) text = `${location.protocol}//${location.hostname}${location.port ? `:${location.port}` : ""}${text}`;
    else text = (pageSecure ? "https://" : "http://") + text;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new HeartwireError("HW_ERR_INVALID_OPTION", `invalid URI ${JSON.stringify(uri)}`, { cause });
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (!["http", "https", "ws", "wss"].includes(scheme)) throw invalid(`unsupported URI scheme ${JSON.stringify(scheme)}`);
  const secure = scheme === "https" || scheme === "wss";
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const query = Object.create(null) as Record<string, string>;
  for (const [k, v] of url.searchParams) query[k] = v;
  return { secure, hostname, port: url.port || (secure ? "443" : "80"), query };
}

/**
 * Applies defaults, validates, and derives `secure`/`hostname`/`port` from the URI (which wins over
 * the options, as in engine.io-client) or else from the options and the page location. Only the
 * transports present in `available` (the entry's registry) are kept; the default is all of them.
 */
export function resolveSocketOptions(
  uri: string | undefined,
  options: SocketOptions,
  location: PageLocation | undefined,
  available: Readonly<Partial<Record<TransportName, unknown>>> = { polling: true, websocket: true },
): ResolvedSocketOptions {
  const parsed = uri !== undefined ? parseUri(uri, location) : undefined;
  const secure = parsed?.secure ?? options.secure ?? location?.protocol === "https:";
  const hostname = parsed?.hostname ?? options.hostname ?? location?.hostname ?? "localhost";
  const port = parsed?.port ?? (options.port !== undefined ? String(options.port) : undefined)
    ?? (uri === undefined && location?.port ? location.port : secure ? "443" : "80");
  const supported: readonly string[] = KNOWN_TRANSPORTS.filter((t) => available[t] !== undefined);
  const transports = (options.transports ?? supported).filter(
    (t, i, all): t is TransportName => supported.includes(t) && all.indexOf(t) === i,
  );
  if (transports.length === 0) {
    throw invalid(`transports lists no supported transport (supported: ${supported.join(", ")}), got ${JSON.stringify(options.transports)}`);
  }
  const path = (options.path ?? "/engine.io").replace(/\/$/, "") + (options.addTrailingSlash === false ? "" : "/");
  return {
    secure,
    hostname,
    port,
    path: path.startsWith("/") ? path : `/${path}`,
    query: { ...queryObject(options.query), ...(parsed?.query ?? {}) },
    transports,
    upgrade: options.upgrade ?? true,
    rememberUpgrade: options.rememberUpgrade ?? false,
    tryAllTransports: options.tryAllTransports ?? false,
    extraHeaders: { ...(options.extraHeaders ?? {}) },
    withCredentials: options.withCredentials ?? false,
    timestampRequests: options.timestampRequests,
    timestampParam: options.timestampParam ?? "t",
    forceBase64: options.forceBase64 ?? false,
    autoUnref: options.autoUnref ?? false,
    closeOnBeforeunload: options.closeOnBeforeunload ?? false,
    closeOnOffline: options.closeOnOffline ?? true,
    binaryType: options.binaryType,
    pingInterval: proposedDelay("pingInterval", options.pingInterval),
    pingTimeout: proposedDelay("pingTimeout", options.pingTimeout),
    scheduler: options.scheduler ?? realScheduler,
    io: options.io,
    maxIncomingPayload: positiveLimit("maxIncomingPayload", options.maxIncomingPayload, 104_857_600),
  };
}

/**
 * Reconnection policy of a `ReconnectingSocket`. Delays are capped exponential backoff with full
 * jitter: before attempt n (1-based) the delay is uniform in `[0, min(max, initial · factor^(n−1))]`,
 * drawn fresh each time, so clients that lost the same server spread their retries over the window.
 */
export interface ReconnectOptions {
  /** Consecutive failed attempts before giving up (`reconnect_failed`). @default Infinity */
  readonly reconnectionAttempts?: number;
  /** Ceiling of the first delay, ms. @default 1000 */
  readonly reconnectionDelay?: number;
  /** Largest ceiling, ms. @default 5000 */
  readonly reconnectionDelayMax?: number;
  /** Growth of the ceiling per attempt. @default 2 */
  readonly reconnectionFactor?: number;
  /** Share of the ceiling that is random: 1 = full jitter, 0 = none. @default 1 */
  readonly jitter?: number;
  /** A connection open this long (ms) resets the attempt counter; shorter ones keep backing off. @default 5000 */
  readonly minUptime?: number;
  /**
   * Messages kept while disconnected and sent, in order, on the next open. Past the bound the oldest
   * is dropped (`drop` event). 0 disables queueing: messages sent while disconnected are dropped
   * (each with a `drop` event), since replaying them into a new session is not always wanted. @default 0
   */
  readonly queueSize?: number;
  /** Random source in [0, 1) for the jitter (tests inject one). @default Math.random */
  readonly random?: () => number;
}

/** Reconnection options after defaults and validation. */
export type ResolvedReconnectOptions = Required<ReconnectOptions>;

function nonNegative(name: string, value: number | undefined, fallback: number, allowInfinity = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < 0 || (!allowInfinity && !Number.isFinite(value))) {
    throw invalid(`${name} must be a non-negative number, got ${String(value)}`);
  }
  return value;
}

/** Applies the reconnection defaults and validates them. */
export function resolveReconnectOptions(options: ReconnectOptions): ResolvedReconnectOptions {
  const reconnectionDelay = nonNegative("reconnectionDelay", options.reconnectionDelay, 1000);
  const reconnectionDelayMax = nonNegative("reconnectionDelayMax", options.reconnectionDelayMax, Math.max(5000, reconnectionDelay));
  if (reconnectionDelayMax < reconnectionDelay) {
    throw invalid(`reconnectionDelayMax (${reconnectionDelayMax}) is below reconnectionDelay (${reconnectionDelay})`);
  }
  const reconnectionFactor = nonNegative("reconnectionFactor", options.reconnectionFactor, 2);
  if (reconnectionFactor < 1) throw invalid(`reconnectionFactor must be at least 1, got ${reconnectionFactor}`);
  const jitter = nonNegative("jitter", options.jitter, 1);
  if (jitter > 1) throw invalid(`jitter must be between 0 and 1, got ${jitter}`);
  return {
    reconnectionAttempts: nonNegative("reconnectionAttempts", options.reconnectionAttempts, Infinity, true),
    reconnectionDelay,
    reconnectionDelayMax,
    reconnectionFactor,
    jitter,
    minUptime: nonNegative("minUptime", options.minUptime, 5000),
    queueSize: Math.floor(nonNegative("queueSize", options.queueSize, 0)),
    random: options.random ?? Math.random,
  };
}
