/**
 * @module Every option of the client with its documented default, in one place, and
 * `resolveSocketOptions` which validates them and derives the endpoint from the URI.
 */

import { HeartwireError, MAX_TIMER_DELAY, nativeScheduler, realScheduler, type Scheduler } from "@heartwire/shared";
import type { BinaryType, HostIO, PageLocation } from "./platform/platform.js";
import type { TransportClass, TransportRegistry } from "./transports/transport.js";

/** A transport this client implements. */
export type TransportName = "polling" | "websocket";

/** Options of `new Socket(uri, options)`; the names and defaults follow engine.io-client. */
export interface SocketOptions {
  /**
   * Transports to try, in order: names, or transport classes (this package's `transports.polling`,
   * `transports.websocket`, or subclasses of them), as in engine.io-client. Unknown names (such as
   * `"webtransport"`, which this client does not implement) and transports the entry does not ship
   * (`polling` in `@heartwire/client/websocket`) are ignored. When none is left, the socket emits
   * `error` with `"No transports available"` on a later tick, as engine.io-client does.
   * @default ["polling", "websocket"] (["websocket"] from `@heartwire/client/websocket`)
   */
  readonly transports?: readonly (string | TransportClass)[];
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
  /** Server host (engine.io-client's `host`): a host name or IPv6 address, with or without brackets; sets `hostname`. */
  readonly host?: string;
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
  /**
   * Use the host's timers as they were when this module loaded, so that a fake-timer library
   * installed later (sinon, jest) does not affect the socket. Ignored when `scheduler` is given.
   * @default false (the global `setTimeout` of the moment)
   */
  readonly useNativeTimers?: boolean;
  /** Advanced: replaces the platform's network layer (WebSocket and HTTP), e.g. in tests. @default the platform's */
  readonly io?: HostIO;
  /**
   * Largest poll response (characters) or WebSocket message (bytes, Node) accepted from the server.
   * Beyond it the socket closes with "transport error" (`HW_ERR_PAYLOAD_TOO_LARGE`), so a hostile or
   * broken server cannot make the client buffer without bound. @default 104857600 (100 Mi, ws' own default)
   */
  readonly maxIncomingPayload?: number;
  /**
   * Largest amount of outgoing messages held unwritten: queued in the socket (UTF-16 code units of
   * text or bytes of binary, plus one per message) and not yet taken by the network (the WebSocket's
   * `bufferedAmount`, the POST in flight). A `send()` past it closes the socket with
   * "transport error" (`HW_ERR_BUFFER_FULL`, "slow consumer: …") and the refused messages are in
   * `unsent`, so a server that stops reading cannot grow the client's memory. One message larger
   * than the bound is accepted when nothing else is held. @default 4194304 (4 Mi)
   */
  readonly maxBufferedBytes?: number;
  /**
   * Polling: a request the server has not answered within this many ms is aborted and the socket
   * closes with "transport error" (`HW_ERR_TIMEOUT`). The server holds each poll until it has
   * something to send, at the latest its next ping, so this must exceed the server's pingInterval.
   * @default undefined (no timeout)
   */
  readonly requestTimeout?: number;
  /**
   * A socket still not open this many ms after it was created (no open packet yet: a frozen,
   * overloaded or black-holed server) fails its transport with `HW_ERR_TIMEOUT` ("open timeout"):
   * with `tryAllTransports` the next transport gets a fresh deadline, otherwise the socket closes with
   * "transport error". `ReconnectingSocket` sets 20000, like socket.io-client's `timeout`.
   * @default undefined (wait for as long as the transport does)
   */
  readonly openTimeout?: number;
  /** WebSocket subprotocols offered in the handshake (`Sec-WebSocket-Protocol`). @default undefined (none) */
  readonly protocols?: string | readonly string[];
  /** Node: permessage-deflate offer of the WebSocket handshake (`ws`' option; `false` offers none). @default true */
  readonly perMessageDeflate?: boolean | Readonly<Record<string, unknown>>;
  /**
   * Node: an `http.Agent` (`https.Agent` for https/wss) that makes the connections of polling requests
   * and of the WebSocket handshake, e.g. to keep polling connections alive or to go through a proxy
   * agent. `false` is the same as leaving it out. @default a new connection per request
   */
  readonly agent?: object | false;
  /**
   * Node: a Unix socket path to connect to instead of the URI's host and port (which still name the
   * `Host` header), for polling, WebSocket and the upgrade, e.g. a server behind
   * `listen("/run/app.sock")`. Browsers cannot reach Unix sockets. @default undefined (TCP)
   */
  readonly socketPath?: string;
  /** Node: certificate authorities to trust for https/wss (PEM), instead of the built-in list. @default undefined */
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Node: client certificate chain (PEM) for https/wss. @default undefined */
  readonly cert?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Node: private key (PEM) of the client certificate. @default undefined */
  readonly key?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Node: client certificate and key as PFX/PKCS#12. @default undefined */
  readonly pfx?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Node: passphrase of `key` or `pfx`. @default undefined */
  readonly passphrase?: string;
  /** Node: TLS cipher suites (OpenSSL format). @default Node's default */
  readonly ciphers?: string;
  /** Node: refuse servers whose certificate does not verify against the trusted CAs. @default true */
  readonly rejectUnauthorized?: boolean;
  /**
   * Options for one transport only (engine.io-client's `transportOptions`), e.g.
   * `{ polling: { extraHeaders: { authorization: "Bearer …" } } }` or a websocket `path` of its own
   * behind a proxy. Each one given replaces the socket's for that transport (a `query` too: it is not
   * merged). A host, port or scheme in the URI still wins, as for the socket.
   * @default {}
   */
  readonly transportOptions?: Readonly<Partial<Record<TransportName, TransportOverrides>>>;
}

/**
 * What a transport can take for itself through `transportOptions`: what its requests carry and
 * where they go. The Node connection settings (agent, TLS) and the cookie jar belong to the socket.
 */
export type TransportOverrides = Pick<
  SocketOptions,
  | "query"
  | "path"
  | "addTrailingSlash"
  | "extraHeaders"
  | "timestampRequests"
  | "timestampParam"
  | "requestTimeout"
  | "protocols"
  | "maxIncomingPayload"
>;

/**
 * Options after defaults and validation: the {@link SocketOptions} as given (a boolean option left
 * out is false unless its default is true), with the endpoint derived and the other defaults applied.
 * Numeric options of transports an entry does not ship (`requestTimeout` without polling) are left
 * as given, unvalidated: nothing reads them.
 */
export interface ResolvedSocketOptions extends Omit<SocketOptions, "transports" | "query" | "port" | "transportOptions"> {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: string;
  readonly path: string;
  /** The `query` option with the URI's own query on top. */
  readonly query: URLSearchParams;
  /** The transports to try, in order (empty: none available). */
  readonly transports: readonly TransportName[];
  /** The class of each transport in `transports`. */
  readonly transportClasses: TransportRegistry;
  readonly upgrade: boolean;
  readonly closeOnOffline: boolean;
  readonly extraHeaders: Readonly<Record<string, string>>;
  readonly timestampParam: string;
  readonly scheduler: Scheduler;
  readonly maxIncomingPayload: number;
  readonly maxBufferedBytes: number;
  /** Each transport's own options, where `transportOptions` gave it any: resolved the same way. */
  readonly transportOptions?: Readonly<Partial<Record<TransportName, ResolvedSocketOptions>>>;
}

/** Throws `HW_ERR_INVALID_OPTION` with `message` unless `valid`. */
function check(valid: boolean, message: string, options?: ErrorOptions): asserts valid {
  if (!valid) throw new HeartwireError("HW_ERR_INVALID_OPTION", message, options);
}

/**
 * Validates a numeric option: `fallback` when it is absent, else a number in `[min, max]` (an
 * integer when `integer`); anything else throws, naming the option and the value.
 */
function numberOption<F extends number | undefined>(
  name: string,
  value: unknown,
  fallback: F,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  integer = false,
): number | F {
  if (value === undefined) return fallback;
  const valid = typeof value === "number" && value >= min && value <= max && (!integer || Number.isInteger(value));
  check(valid, `${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got ${String(value)}`);
  return value;
}

/** A numeric socket option: an integer from 1 to `max` (default: the timer range), `fallback` when absent. */
export type NumberOptionSpec = readonly [name: "requestTimeout" | "pingInterval" | "pingTimeout" | "maxIncomingPayload" | "maxBufferedBytes" | "openTimeout", fallback?: number, max?: number];

/** The numeric options of every socket (polling adds `requestTimeout`, see `POLLING_OPTIONS`). */
const SOCKET_NUMBERS: readonly NumberOptionSpec[] = [
  ["pingInterval"],
  ["pingTimeout"],
  ["maxIncomingPayload", 104_857_600, Infinity],
  ["maxBufferedBytes", 4_194_304, Infinity],
  ["openTimeout"],
];

/** Parses `http(s)://`, `ws(s)://`, `//host`, `/path` (page-relative) and bare `host:port` URIs. */
function parseUri(uri: string, location: PageLocation | undefined): URL {
  let text = uri.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    text = text[0] === "/" && text[1] !== "/" && location
      ? `${location.protocol}//${location.hostname}${location.port ? `:${location.port}` : ""}${text}`
      : `${location?.protocol === "https:" ? "https:" : "http:"}//${text.replace(/^\/\//, "")}`;
  }
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch (cause) {
    check(false, `invalid URI ${JSON.stringify(uri)}`, { cause });
  }
  check(/^(http|ws)s?:$/.test(url.protocol), `unsupported URI scheme ${JSON.stringify(url.protocol)}`);
  return url;
}

/** What an entry lets a socket use: its transports and the numeric options they read. */
export interface OptionScope {
  /** The entry's transports; `transports` options naming others are ignored. */
  readonly transports: TransportRegistry;
  /** Numeric options beyond the common ones (polling's `requestTimeout`), validated the same way. */
  readonly options?: readonly NumberOptionSpec[] | undefined;
}

/**
 * Applies defaults, validates, and derives `secure`/`hostname`/`port` from the URI (which wins over
 * the options, as in engine.io-client) or else from the options and the page location. Only the
 * transports of `scope` (the entry's registry) are kept; the default is all of them.
 */
export function resolveSocketOptions(
  uri: string | undefined,
  options: SocketOptions,
  location: PageLocation | undefined,
  scope: OptionScope,
): ResolvedSocketOptions {
  const url = uri === undefined ? undefined : parseUri(uri, location);
  const secure = url ? /^(http|ws)s:$/.test(url.protocol) : (options.secure ?? location?.protocol === "https:");
  const transportClasses: Partial<Record<TransportName, TransportClass>> = {};
  for (const t of options.transports ?? (Object.keys(scope.transports) as TransportName[])) {
    const name = (typeof t === "string" ? t : t.prototype.name) as TransportName;
    const known = typeof t === "string" ? scope.transports[name] : t;
    if (known && (name === "polling" || name === "websocket")) transportClasses[name] ??= known;
  }
  const transports = Object.keys(transportClasses) as TransportName[];
  // engine.io-client's `host` option: brackets off an IPv6 address, a port dropped.
  const hostname = options.hostname ?? options.host?.replace(/^\[(.*)\].*$|^([^:]*):\d*$/, "$1$2");
  const query = new URLSearchParams(options.query as Record<string, string> | string | undefined);
  url?.searchParams.forEach((v, k) => query.set(k, v));
  const path = (options.path ?? "/engine.io").replace(/\/$/, "") + (options.addTrailingSlash === false ? "" : "/");
  const defaultPort = secure ? "443" : "80";
  const overrides = options.transportOptions;
  let transportOptions: Partial<Record<TransportName, ResolvedSocketOptions>> | undefined;
  if (overrides != null) {
    check(typeof overrides === "object", `transportOptions must be an object, got ${String(overrides)}`);
    transportOptions = {};
    for (const name of transports) {
      const own = overrides[name];
      if (own) transportOptions[name] = resolveSocketOptions(uri, { ...options, ...own, transportOptions: undefined }, location, { ...scope, transports: transportClasses });
    }
  }
  const resolved: Record<string, unknown> = {
    ...options,
    transportOptions,
    upgrade: options.upgrade ?? true,
    closeOnOffline: options.closeOnOffline ?? true,
    extraHeaders: options.extraHeaders ?? {},
    timestampParam: options.timestampParam ?? "t",
    secure,
    hostname: url ? url.hostname.replace(/^\[|\]$/g, "") : (hostname ?? location?.hostname ?? "localhost"),
    // As engine.io-client: a host given without a port means the scheme's default, not the page's.
    port: url ? url.port || defaultPort
      : options.port !== undefined ? String(options.port) : location?.port && hostname === undefined ? String(location.port) : defaultPort,
    path: path[0] === "/" ? path : `/${path}`,
    query,
    transports,
    transportClasses,
    scheduler: options.scheduler ?? (options.useNativeTimers ? nativeScheduler : realScheduler),
  };
  for (const [name, fallback, max = MAX_TIMER_DELAY] of [...SOCKET_NUMBERS, ...(scope.options ?? [])]) {
    resolved[name] = numberOption(name, options[name], fallback, 1, max, true);
  }
  return resolved as unknown as ResolvedSocketOptions;
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
   * Messages kept while disconnected (and those a closed session reports unsent) and sent, in order,
   * on the next open. Past the bound the newest is refused with a `drop` event, never silently.
   * 0 disables queueing: messages sent while disconnected are dropped, each with a `drop` event.
   * @default 1000
   */
  readonly queueSize?: number;
  /**
   * Bound of the same queue in size: text counts its length (UTF-16 code units), binary its
   * `byteLength`. A message that would go past it is refused with a `drop` event. @default 1048576 (1 MiB)
   */
  readonly queueBytes?: number;
  /** Random source in [0, 1) for the jitter (tests inject one). @default Math.random */
  readonly random?: () => number;
}

/** Reconnection options after defaults and validation. */
export type ResolvedReconnectOptions = Required<ReconnectOptions>;

/** Applies the reconnection defaults and validates them. */
export function resolveReconnectOptions(options: ReconnectOptions): ResolvedReconnectOptions {
  const reconnectionDelay = numberOption("reconnectionDelay", options.reconnectionDelay, 1000, 0);
  return {
    reconnectionAttempts: numberOption("reconnectionAttempts", options.reconnectionAttempts, Infinity, 0, Infinity),
    reconnectionDelay,
    reconnectionDelayMax: numberOption("reconnectionDelayMax", options.reconnectionDelayMax, Math.max(5000, reconnectionDelay), reconnectionDelay),
    reconnectionFactor: numberOption("reconnectionFactor", options.reconnectionFactor, 2, 1),
    jitter: numberOption("jitter", options.jitter, 1, 0, 1),
    minUptime: numberOption("minUptime", options.minUptime, 5000, 0),
    queueSize: Math.floor(numberOption("queueSize", options.queueSize, 1000, 0)),
    queueBytes: numberOption("queueBytes", options.queueBytes, 1_048_576, 0, Infinity),
    random: options.random ?? Math.random,
  };
}
