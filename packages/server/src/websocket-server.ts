/** @module The `ws` server (noServer mode) behind every WebSocket handshake, and header injection into the 101. */

import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { PerMessageDeflateOptions } from "./options.js";
import type { WebSocketLike } from "./transports/websocket.js";

/** What the engine uses of a WebSocket server: the `noServer` API of ws' `WebSocketServer`. */
export interface WebSocketEngineServer {
  /** Completes the handshake on `socket` (writing the 101) and hands over the open WebSocket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: WebSocketLike, req: IncomingMessage) => void): void;
  /** `headers`: the 101's header lines, which listeners may append to, before it is written. */
  on(event: "headers", listener: (headers: string[], req: IncomingMessage) => void): unknown;
  /** Stops the server (open WebSockets are the sessions' to close). */
  close(): void;
}

/** The options the engine constructs its WebSocket server with (a subset of ws' `ServerOptions`). */
export interface WebSocketEngineOptions {
  readonly noServer: true;
  readonly clientTracking: false;
  readonly perMessageDeflate: false | PerMessageDeflateOptions;
  /** Largest frame accepted; larger ones close the connection with 1009. */
  readonly maxPayload: number;
}

/**
 * A WebSocket server class: ws' `WebSocketServer` (the default), a subclass of it, or another
 * implementation of its `noServer` API, as engine.io's `wsEngine` option takes.
 */
export type WebSocketEngine = new (options: WebSocketEngineOptions) => WebSocketEngineServer;

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Creates the WebSocket server (an instance of `engine`) with the engine's limits (`maxPayload` = maxHttpBufferSize, so oversized
 * frames close with 1009) and compression. `decorate` fills the extra headers of each 101 response;
 * invalid names or values are skipped rather than written raw onto the socket.
 */
export function createWebSocketServer(
  engine: WebSocketEngine | undefined,
  options: { readonly perMessageDeflate: false | PerMessageDeflateOptions; readonly maxHttpBufferSize: number },
  decorate: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void,
): WebSocketEngineServer {
  const deflate = options.perMessageDeflate;
  const wss = new (engine ?? WebSocketServer)({
    noServer: true,
    clientTracking: false,
    perMessageDeflate: deflate === false ? false : { ...deflate },
    maxPayload: options.maxHttpBufferSize,
  });
  wss.on("headers", (lines: string[], req: IncomingMessage) => {
    const headers: OutgoingHttpHeaders = {};
    decorate(headers, req);
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || !HEADER_NAME.test(name)) continue;
      for (const v of Array.isArray(value) ? value : [value]) {
        const text = String(v);
        if (HEADER_VALUE.test(text)) lines.push(`${name}: ${text}`);
      }
    }
  });
  return wss;
}
