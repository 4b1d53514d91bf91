/** @module The `ws` server (noServer mode) behind every WebSocket handshake, and header injection into the 101. */

import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { WebSocketServer } from "ws";
import type { ResolvedOptions } from "./options.js";

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Creates the ws server with the engine's limits (`maxPayload` = maxHttpBufferSize, so oversized
 * frames close with 1009) and compression. `decorate` fills the extra headers of each 101 response;
 * invalid names or values are skipped rather than written raw onto the socket.
 */
export function createWebSocketServer(
  options: Pick<ResolvedOptions, "perMessageDeflate" | "maxHttpBufferSize">,
  decorate: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void,
): WebSocketServer {
  const deflate = options.perMessageDeflate;
  const wss = new WebSocketServer({
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
