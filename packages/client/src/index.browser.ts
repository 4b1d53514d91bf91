/**
 * @module `@heartwire/client` for browsers: binds the browser host (native WebSocket, fetch,
 * page lifecycle hooks, page location as default URI) and both transports to the core Socket.
 * Same exports as `index.ts`; bundled into `dist/browser/heartwire.js`.
 */

import { Socket as CoreSocket } from "./socket.js";
import { browserHost, fetchIO } from "./platform/browser.js";
import { ReconnectingSocket as CoreReconnectingSocket, type ReconnectingSocketOptions } from "./reconnect.js";
import type { SocketOptions } from "./options.js";
import type { Platform } from "./platform/platform.js";
import { POLLING_OPTIONS, PollingTransport } from "./transports/polling.js";
import { WebSocketTransport } from "./transports/websocket.js";
import type { TransportClass } from "./transports/transport.js";
import { upgradingSlot } from "./upgrading-slot.js";

/**
 * The transport classes by name (engine.io-client's `transports`): what names in the `transports`
 * option stand for. Replacing one here (engine.io-client's suite does) changes it for later sockets.
 */
export const transports: { polling: TransportClass; websocket: TransportClass } = { polling: PollingTransport, websocket: WebSocketTransport };

/** Runs `fn` soon, after the current job (a microtask); socket.io-client imports it from engine.io-client. */
export const nextTick: (fn: () => void, setTimeoutFn?: unknown) => void = (fn) => queueMicrotask(fn);

/** The browser host with polling and websocket. */
const platform: Platform = /* @__PURE__ */ Object.freeze({ ...browserHost, createIO: fetchIO, transports, options: POLLING_OPTIONS, slot: upgradingSlot });

/**
 * An Engine.IO v4 client connection (engine.io-client compatible) for browsers: native WebSocket,
 * polling via fetch; `uri` defaults to the page location.
 */
export class Socket extends CoreSocket {
  /** `new Socket(uri, options)` or `new Socket(options)`. */
  constructor(uri?: string | SocketOptions, options?: SocketOptions) {
    super(uri, options, platform);
  }
}

/**
 * A connection that reopens by itself (a new Socket, so a new session, each time) with capped
 * exponential backoff and full jitter; see {@link ReconnectingSocketOptions}.
 */
export class ReconnectingSocket extends CoreReconnectingSocket<Socket> {
  /** `new ReconnectingSocket(uri, options)` or `new ReconnectingSocket(options)`. */
  constructor(uri?: string | ReconnectingSocketOptions, options?: ReconnectingSocketOptions) {
    super(uri, options, (u, o) => new Socket(u, o));
  }
}

export * from "./public-api.js";
// engine.io-client's names for its transport classes (socket.io-client re-exports them).
export {
  PollingTransport,
  WebSocketTransport,
  PollingTransport as XHR,
  PollingTransport as NodeXHR,
  PollingTransport as Fetch,
  WebSocketTransport as WebSocket,
  WebSocketTransport as NodeWebSocket,
};
