/** @module Hooking a Server onto an http.Server: intercept engine paths, pass the rest through. */

import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Scheduler } from "@heartwire/shared";
import { computePath, defaults, type AttachOptions, type ServerOptions } from "./options.js";

/** Whether an attached engine's `close()` has begun (then the http.Server's `close` leaves it alone). */
export const kShuttingDown = Symbol("shuttingDown");

/** The part of the Server that attaching needs. */
export interface AttachTarget {
  readonly [kShuttingDown]: boolean;
  readonly opts: { readonly transports: readonly string[] };
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): unknown;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Takes over `request` events: engine paths (prefix match on `req.url`) go to the engine, others to
 * the listeners that were there before, in order (engine.io's chaining). Upgrades on engine paths
 * go to the engine; other upgrades nobody answered within `destroyUpgradeTimeout` are ended unless
 * `destroyUpgrade` is false. Closing the http.Server closes the engine (unless it is closing already).
 */
export function attachToHttpServer(
  engine: AttachTarget,
  httpServer: HttpServer,
  options: AttachOptions & Pick<ServerOptions, "transports">,
  scheduler: Scheduler,
): void {
  const path = computePath(options);
  const matches = (req: IncomingMessage): boolean => typeof req.url === "string" && req.url.slice(0, path.length) === path;
  const previous = httpServer.listeners("request").slice() as RequestListener[];
  httpServer.removeAllListeners("request");
  httpServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (matches(req)) engine.handleRequest(req, res);
    else for (const listener of previous) listener.call(httpServer, req, res);
  });
  // A close() already begun (a graceful drain) is not turned into a forced one.
  httpServer.on("close", () => {
    if (!engine[kShuttingDown]) engine.close();
  });
  if (!engine.opts.transports.includes("websocket")) return;
  const destroyTimeout = options.destroyUpgradeTimeout ?? defaults.destroyUpgradeTimeout;
  httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (matches(req)) {
      engine.handleUpgrade(req, socket, head);
      return;
    }
    if (options.destroyUpgrade === false) return;
    socket.on("error", () => {});
    const timer = scheduler.setTimeout(() => {
      const written = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
      if (socket.writable && written <= 0) socket.end();
    }, destroyTimeout);
    timer.unref();
    socket.once("close", () => timer.cancel());
  });
}
