/**
 * @module `@heartwire/client/websocket` for Node: the same API as the main entry, websocket
 * transport only (no polling, no upgrade). Browsers get `websocket.browser.ts` (bundled into
 * `dist/browser/heartwire-websocket.js`) through the `browser` export condition.
 */

import { Socket as CoreSocket } from "./socket.js";
import { nodeHost } from "./platform/node.js";
import { ReconnectingSocket as CoreReconnectingSocket, type ReconnectingSocketOptions } from "./reconnect.js";
import type { SocketOptions } from "./options.js";
import type { Platform } from "./platform/platform.js";
import { WebSocketTransport } from "./transports/websocket.js";

/** The Node host with the websocket transport only. */
const platform: Platform = Object.freeze({ ...nodeHost, transports: { websocket: WebSocketTransport } });

/**
 * An Engine.IO v4 client connection over WebSocket only (Node, via `ws`). `transports` other than
 * `"websocket"` are ignored.
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
