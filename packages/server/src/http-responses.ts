/** @module Answering rejected requests: JSON error bodies for HTTP, a raw 400 for failed upgrades. */

import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { ProtocolErrorInfo } from "@heartwire/shared";

/**
 * Answers `res` with the protocol error's status and `{"code":N,"message":"..."}` as
 * `application/json`. `message` overrides the canonical text (allowRequest's refusal message).
 * If a middleware already committed the response, it is only ended.
 */
export function sendProtocolError(res: ServerResponse, info: ProtocolErrorInfo, message?: string): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const body = JSON.stringify({ code: info.code, message: message ?? info.message });
  res.writeHead(info.status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}

/**
 * Answers with a bare status and no body. With `closeConnection`, the connection is closed after the
 * response, so an unread (oversized or trickling) request body is not read any further.
 */
export function sendStatus(res: ServerResponse, status: number, closeConnection = false): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const headers: Record<string, string | number> = { "Content-Length": 0, "cache-control": "no-store" };
  if (closeConnection) headers["Connection"] = "close";
  res.writeHead(status, headers);
  res.end(() => {
    if (closeConnection) res.socket?.destroySoon?.();
  });
}

const STATUS_LINES: Readonly<Record<400 | 503, string>> = {
  400: "HTTP/1.1 400 Bad Request\r\n",
  503: "HTTP/1.1 503 Service Unavailable\r\n",
};

/**
 * Refuses a WebSocket upgrade: a raw `HTTP/1.1 400 Bad Request` whose body is the message text,
 * then the TCP socket is destroyed (what engine.io's peers expect, whatever the code). Only the
 * capacity limits use `503 Service Unavailable` (the client may retry later).
 */
export function abortUpgrade(socket: Duplex, message: string, status: 400 | 503 = 400): void {
  if (socket.writable && !socket.destroyed) {
    const length = Buffer.byteLength(message);
    socket.end(
      STATUS_LINES[status] +
        "Connection: close\r\n" +
        "Content-Type: text/html\r\n" +
        `Content-Length: ${length}\r\n` +
        "\r\n" +
        message,
      () => socket.destroy(),
    );
  } else socket.destroy();
}
