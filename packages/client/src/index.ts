/**
 * @module `@heartwire/client` for Node: binds the Node host (`ws`, fetch + cookie jar, unref) and
 * both transports to the core Socket. Browser bundles get `index.browser.ts` (bundled into
 * `dist/browser/heartwire.js`) through the `browser` export condition.
 */

import { Socket as CoreSocket } from "./socket.js";
import { nodeHost } from "./platform/node.js";
import { ReconnectingSocket as CoreReconnectingSocket, type ReconnectingSocketOptions } from "./reconnect.js";
import type { SocketOptions } from "./options.js";
import type { Platform } from "./platform/platform.js";
import { PollingTransport } from "./transports/polling.js";
import { WebSocketTransport } from "./transports/websocket.js";
import { startUpgradeProbe } from "./upgrade.js";

/** The Node host with polling and websocket. */
const platform: Platform = Object.freeze({ ...nodeHost, transports: { polling: PollingTransport, websocket: WebSocketTransport }, upgrade: startUpgradeProbe });

/**
 * An Engine.IO v4 client connection (engine.io-client compatible) for Node: websocket via `ws`,
 * polling via fetch.
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
