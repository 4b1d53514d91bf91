/** @module `listen()` and `attach()`: engine.io's top-level shortcuts. */

import { createServer, type Server as HttpServer } from "node:http";
import { HeartwireError } from "@heartwire/shared";
import { bind, type ListenTarget } from "./bind.js";
import type { ServerOptions } from "./options.js";
import { kOwnListener, OwnedListener } from "./owned-listener.js";
import { Server } from "./server.js";

/** Options of {@link listen}: server options, the interface to bind, and limits of the http.Server it creates. */
export interface ListenOptions extends ServerOptions {
  /** Host or address to bind (e.g. "127.0.0.1") with a numeric port; by default all interfaces, as engine.io. @default undefined */
  host?: string;
  /**
   * Unix socket path only: permission bits given to the socket file once it is bound (e.g. `0o660`
   * so a proxy in the same group can connect). @default undefined (the process umask decides)
   */
  mode?: number;
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

/** Called once {@link listen} is listening, or with the reason it could not listen. */
export type ListenCallback = (error?: Error) => void;

/**
 * Starts an http.Server of its own that answers `501 Not Implemented` outside the engine path, and
 * attaches a Server to it (kept as `server.httpServer`, and closed by `server.close()`). `target` is
 * what Node's `server.listen` takes: a port (with `options.host`), a Unix socket path, `{ fd: 3 }`
 * (socket activation, see `systemdListenFds()`), `{ handle }`, or `{ port, host }`.
 *
 * A Unix socket file left by a process that died (nobody accepts on it) is replaced; one another
 * process still listens on is refused (`EADDRINUSE`). `callback` runs once listening, or with the
 * error (`EADDRINUSE`, `EACCES`, a bad fd…) if listening failed; without a callback the error is the
 * server's `error` event, as are later errors of the http.Server (a process warning when nothing
 * listens for `error`). Nothing is thrown asynchronously.
 */
export function listen(target: ListenTarget, options?: ListenOptions | ListenCallback, callback?: ListenCallback): Server {
  const [opts, cb] = typeof options === "function" ? [{}, options] : [options ?? {}, callback];
  const { maxHeaderSize = LISTEN_DEFAULTS.maxHeaderSize, headersTimeout = LISTEN_DEFAULTS.headersTimeout, mode } = opts;
  for (const [name, value] of Object.entries({ maxHeaderSize, headersTimeout })) {
    if (!Number.isInteger(value) || value < 1) throw new HeartwireError("HW_ERR_INVALID_OPTION", `${name} must be a positive integer, got ${String(value)}`);
  }
  if (mode !== undefined && !(Number.isInteger(mode) && mode >= 0 && mode <= 0o7777)) {
    throw new HeartwireError("HW_ERR_INVALID_OPTION", `mode must be permission bits from 0 to 0o7777, got ${String(mode)}`);
  }
  const httpServer = createServer({ maxHeaderSize, headersTimeout }, (_req, res) => {
    res.writeHead(501);
    res.end("Not Implemented");
  });
  const engine = attach(httpServer, opts);
  engine.httpServer = httpServer;
  engine[kOwnListener](new OwnedListener(httpServer));
  // Nobody listening for `error` gets a process warning rather than silence (or a crash).
  const report = (error: Error, what: string): void => {
    if (engine.listenerCount("error") > 0) engine.emit("error", error);
    else process.emitWarning(`${what}: ${error.message}`, { code: "HW_LISTEN_ERROR" });
  };
  bind(httpServer, target, { host: opts.host, mode }, (error) => {
    if (error === undefined) {
      httpServer.on("error", (later: Error) => report(later, "http.Server error"));
      cb?.();
    } else if (cb !== undefined) cb(error);
    else report(error, "listen() failed");
  });
  return engine;
}
