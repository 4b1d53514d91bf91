/**
 * @module `@heartwire/client/websocket` for browsers: the same API as the browser entry with the
 * websocket transport only, so bundles carry no polling code (no fetch loop, no payload codec).
 */

import { Socket as CoreSocket } from "./socket.js";
import { browserHost } from "./platform/browser.js";
import { ReconnectingSocket as CoreReconnectingSocket, type ReconnectingSocketOptions } from "./reconnect.js";
import type { SocketOptions } from "./options.js";
import type { Platform } from "./platform/platform.js";
import { WebSocketTransport } from "./transports/websocket.js";
import type { TransportClass } from "./transports/transport.js";
import { singleTransport } from "./transport-slot.js";

/** The transport classes by name (engine.io-client's `transports`): websocket only here. */
export const transports: { websocket: TransportClass } = { websocket: WebSocketTransport };

/** Runs `fn` soon, after the current job (a microtask); socket.io-client imports it from engine.io-client. */
export const nextTick: (fn: () => void, setTimeoutFn?: unknown) => void = (fn) => queueMicrotask(fn);

/** The browser host with the websocket transport only. */
const platform: Platform = /* @__PURE__ */ Object.freeze({ ...browserHost, transports, slot: singleTransport });

/**
 * An Engine.IO v4 client connection over the browser's native WebSocket only; `uri` defaults to
 * the page location. `transports` other than `"websocket"` are ignored.
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
// engine.io-client's names for its WebSocket transport class.
export { WebSocketTransport, WebSocketTransport as WebSocket, WebSocketTransport as NodeWebSocket };
