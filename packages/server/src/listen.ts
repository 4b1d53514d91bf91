/** @module `listen()` and `attach()`: engine.io's top-level shortcuts. */

import { createServer, type Server as HttpServer } from "node:http";
import { HeartwireError } from "@heartwire/shared";
import type { ServerOptions } from "./options.js";
import { Server } from "./server.js";

/** Options of {@link listen}: server options, the interface to bind, and limits of the http.Server it creates. */
export interface ListenOptions extends ServerOptions {
  /** Host or address to bind (e.g. "127.0.0.1"); by default all interfaces, as engine.io. @default undefined */
  host?: string;
  /**
   * Largest request head (request line and headers, polling and WebSocket handshakes alike), bytes;
   * a larger one gets `431` and its connection closed. @default 16384 (Node's default)
   */
  maxHeaderSize?: number;
  /** Time a client may take to send a complete request head, ms (slow-header clients). @default 60000 (Node's default) */
  headersTimeout?: number;
}

/** The http.Server limits of {@link listen} (Node's own defaults, stated so they are visible and tested). */
export const LISTEN_DEFAULTS = Object.freeze({ maxHeaderSize: 16_384, headersTimeout: 60_000 });

/** Creates a Server and attaches it to `httpServer` with the same options. */
export function attach(httpServer: HttpServer, options: ServerOptions = {}): Server {
  const engine = new Server(options);
  engine.attach(httpServer, options);
  return engine;
}

/**
 * Starts an http.Server of its own on `port` (a number, or a Unix socket path) that answers
 * `501 Not Implemented` outside the engine path, and attaches a Server to it
 * (kept as `server.httpServer`). `callback` runs once listening.
 */
export function listen(port: number | string, options?: ListenOptions | (() => void), callback?: () => void): Server {
  const [opts, cb] = typeof options === "function" ? [{}, options] : [options ?? {}, callback];
  const { maxHeaderSize = LISTEN_DEFAULTS.maxHeaderSize, headersTimeout = LISTEN_DEFAULTS.headersTimeout } = opts;
  for (const [name, value] of Object.entries({ maxHeaderSize, headersTimeout })) {
    if (!Number.isInteger(value) || value < 1) throw new HeartwireError("HW_ERR_INVALID_OPTION", `${name} must be a positive integer, got ${String(value)}`);
  }
  const httpServer = createServer({ maxHeaderSize, headersTimeout }, (_req, res) => {
    res.writeHead(501);
    res.end("Not Implemented");
  });
  const engine = attach(httpServer, opts);
  engine.httpServer = httpServer;
  if (typeof port === "string" && !/^\d+$/.test(port)) httpServer.listen(port, cb);
  else if (opts.host !== undefined) httpServer.listen(Number(port), opts.host, cb);
  else httpServer.listen(Number(port), cb);
  return engine;
}
