/**
 * @module The seam between the core client and its host: how to open a WebSocket, make an HTTP
 * request, turn bytes into the user's binary type and watch page lifecycle. `platform/node.ts` and
 * `platform/browser.ts` implement it; the core never touches a host API directly. The package
 * entries add the transports they ship (a {@link TransportRegistry}) to make a {@link Platform}.
 */

import type { Scheduler } from "@heartwire/shared";
import type { OptionScope, ResolvedSocketOptions, SocketOptions } from "../options.js";
import type { TransportRegistry } from "../transports/transport.js";
import type { SlotFactory } from "../transport-slot.js";

/** What received binary messages are delivered as (engine.io-client's `binaryType`). */
export type BinaryType = "nodebuffer" | "arraybuffer" | "blob";

/** A received binary message: a Buffer (Node `"nodebuffer"`), an ArrayBuffer, or a Blob. */
export type BinaryMessage = Uint8Array | ArrayBuffer | Blob;

/** A received message: text, or binary in the socket's {@link BinaryType}. */
export type MessageData = string | BinaryMessage;

/** Data accepted by `send()`: text, an ArrayBuffer or any view on one (Uint8Array, Buffer, DataView…). */
export type SendData = string | ArrayBuffer | ArrayBufferView;

/** The close event a WebSocket reports. */
export interface WebSocketCloseInfo {
  readonly code: number;
  readonly reason: string;
}

/**
 * The structural subset of the browser `WebSocket` (and of `ws` in Node) the websocket transport
 * uses. Handlers are plain properties so both implementations fit.
 */
export interface WebSocketLike {
  /** Set to `"arraybuffer"` by the transport. */
  binaryType: string;
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued by `send()` and not yet transmitted (absent on minimal fakes). */
  readonly bufferedAmount?: number;
  /** Called once the connection is open. */
  onopen: ((event: unknown) => void) | null;
  /** Called for each frame: `data` is a string (text frame) or an ArrayBuffer (binary frame). */
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  /** Called when the connection closed. */
  onclose: ((event: WebSocketCloseInfo) => void) | null;
  /** Called on a connection error (a close follows). */
  onerror: ((event: unknown) => void) | null;
  /** Queues one frame. */
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Drops the connection without a closing handshake (Node `ws` only). */
  terminate?(): void;
}

/** One HTTP request of the polling transport. */
export interface HttpRequestInit {
  readonly method: "GET" | "POST";
  /** Request headers (extraHeaders, content type); the host adds cookies when it keeps a jar. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
  /** Stop reading a response body past this many bytes (`text()` then rejects). @default unlimited */
  readonly maxBytes?: number | undefined;
  /** Aborts the request; the promise then rejects. */
  readonly signal: AbortSignal;
}

/** The part of an HTTP response the polling transport reads. */
export interface HttpReply {
  readonly status: number;
  /** The whole body as text. */
  text(): Promise<string>;
}

/** The network layer of one socket: created per socket so cookie jars and unref state are per socket. */
export interface HostIO {
  /** Makes one HTTP request (fetch in browsers and in Node); absent where polling is not shipped (browser websocket-only entry). */
  request?(url: string, init: HttpRequestInit): Promise<HttpReply>;
  /** Opens a WebSocket (`ws` in Node, the native one in browsers). May throw on a malformed URL. */
  openWebSocket(url: string, headers: Readonly<Record<string, string>>, options?: WebSocketOpenOptions): WebSocketLike;
  /** Lets the process exit while connections made through this object are open (Node only). */
  unref(): void;
  /** Undoes {@link HostIO.unref}. */
  ref(): void;
  /** True after {@link HostIO.unref}. */
  readonly unrefed: boolean;
  /**
   * Node: wraps the socket's scheduler so the timers it arms follow {@link HostIO.unref}/`ref()`, like
   * the connections. Absent where unref means nothing (browsers): timers are then used as they are.
   */
  timers?(scheduler: Scheduler): Scheduler;
}

/** Per-connection settings of {@link HostIO.openWebSocket}. */
export interface WebSocketOpenOptions {
  /** Largest message accepted (Node; browsers have no such setting). */
  readonly maxPayload?: number;
  /** Subprotocols offered in the handshake. */
  readonly protocols?: string | readonly string[] | undefined;
}

/** Settings the host needs to build a {@link HostIO}. */
export interface HostIOOptions extends Pick<SocketOptions, "agent" | "socketPath" | "perMessageDeflate" | "ca" | "cert" | "key" | "pfx" | "passphrase" | "ciphers" | "rejectUnauthorized"> {
  /** Send credentials: CORS credentials in browsers, a cookie jar in Node. */
  readonly withCredentials?: boolean | undefined;
  /** The socket's clock, used for cookie expiry. */
  readonly scheduler: Scheduler;
}

/** Where the page lives, used as the default URI in browsers. */
export interface PageLocation {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
}

/** What page lifecycle events may do to their socket. */
export interface LifecycleTarget {
  /** Re-checks the heartbeat deadline (closes with "ping timeout" if it passed). */
  checkHeartbeat(): boolean;
  /** Closes with `reason`; `silent` closes without emitting anything (page unload). */
  close(reason: "transport close", description: string, silent: boolean): void;
}

/** The options that decide which page lifecycle events a socket follows. */
export type LifecycleOptions = Pick<ResolvedSocketOptions, "hostname" | "closeOnOffline" | "closeOnBeforeunload">;

/** Everything host-specific the core client needs, minus the transports (see {@link Platform}). */
export interface Host {
  /** `"nodebuffer"` in Node, `"arraybuffer"` in browsers. */
  readonly defaultBinaryType: BinaryType;
  /** Builds the network layer for one socket. */
  createIO(options: HostIOOptions): HostIO;
  /** Turns received bytes into the requested binary type. */
  decodeBinary(bytes: Uint8Array, binaryType: BinaryType): BinaryMessage;
  /** The page's location (browsers), used when no URI is given. */
  location(): PageLocation | undefined;
  /** Subscribes `target` to the page lifecycle events `options` ask for; returns the unsubscribe function. */
  watchLifecycle(options: LifecycleOptions, target: LifecycleTarget): () => void;
}

/** A host plus the transports an entry ships: what the core Socket is built with. */
export interface Platform extends Host, OptionScope {
  /**
   * Opens and holds the socket's transport: `singleTransport` (websocket-only entries) or
   * `upgradingSlot` (failover and the polling → websocket upgrade), so an entry without polling
   * carries none of that code.
   */
  readonly slot: SlotFactory;
}
