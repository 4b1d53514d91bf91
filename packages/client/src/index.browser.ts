/**
 * @module `@heartwire/client` for browsers: binds the browser host (native WebSocket and fetch,
 * page lifecycle hooks, page location as default URI) and both transports to the core Socket.
 * Same exports as `index.ts`; bundled into `dist/browser/heartwire.js`.
 */

import { Socket as CoreSocket } from "./socket.js";
import { browserHost } from "./platform/browser.js";
import { ReconnectingSocket as CoreReconnectingSocket, type ReconnectingSocketOptions } from "./reconnect.js";
import type { SocketOptions } from "./options.js";
import type { Platform } from "./platform/platform.js";
import { PollingTransport } from "./transports/polling.js";
import { WebSocketTransport } from "./transports/websocket.js";
import { startUpgradeProbe } from "./upgrade.js";

/** The browser host with polling and websocket. */
const platform: Platform = /* @__PURE__ */ Object.freeze({ ...browserHost, transports: { polling: PollingTransport, websocket: WebSocketTransport }, upgrade: startUpgradeProbe });

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
