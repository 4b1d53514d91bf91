/** @module `listen()` and `attach()`: engine.io's top-level shortcuts. */

import { createServer, type Server as HttpServer } from "node:http";
import type { ServerOptions } from "./options.js";
import { Server } from "./server.js";

/** Options of {@link listen}: server options plus the interface to bind. */
export interface ListenOptions extends ServerOptions {
  /** Host or address to bind (e.g. "127.0.0.1"); by default all interfaces, as engine.io. @default undefined */
  host?: string;
}

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
  const httpServer = createServer((_req, res) => {
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
