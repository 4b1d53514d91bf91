/**
 * @module The worker side of a Heartwire cluster: session ids carry the worker's prefix, and every
 * connection the primary hands over (with the bytes it already read) goes into the engine's
 * http.Server as if that server had accepted it.
 */

import cluster from "node:cluster";
import { createServer, type Server as HttpServer } from "node:http";
import type { Socket as NetSocket } from "node:net";
import { HeartwireError } from "@heartwire/shared";
import { kSessionIdPrefix, type Server } from "../server.js";
import { kindOf, TAG, type ToPrimary, type ToWorker } from "./messages.js";
import { workerPrefix } from "./request-head.js";

/** Options of {@link setupWorker}. */
export interface WorkerOptions {
  /**
   * The http.Server the engine is attached to, which gets the connections (it must not listen
   * itself). @default `engine.httpServer` (from `listen()`), else a new one attached to the engine
   * that answers 404 outside the engine path
   */
  readonly httpServer?: HttpServer;
}

/** What {@link setupWorker} set up. */
export interface ClusterWorker {
  /** The `cluster` worker id. */
  readonly id: number;
  /** The prefix of every session id of this worker (`w<id>.`). */
  readonly sessionIdPrefix: string;
  /** The http.Server that gets the connections. */
  readonly httpServer: HttpServer;
}

function send(message: ToPrimary): void {
  if (process.connected) process.send?.(message, undefined, {}, () => {});
}

/**
 * Makes this cluster worker serve `engine` behind a `setupPrimary()` primary. Call it once, before
 * any session opens. Each polling request comes on a connection of its own (the primary routes
 * connections, so a connection is not reused for a second request, which could belong to a
 * session of another worker); WebSocket connections are routed once, at their handshake.
 * When the primary asks this worker to drain, it closes the engine gracefully, and the primary then
 * disconnects it; the process should then have nothing left to do and exit.
 */
export function setupWorker(engine: Server, options: WorkerOptions = {}): ClusterWorker {
  const worker = cluster.worker;
  if (!cluster.isWorker || worker === undefined) throw new HeartwireError("HW_ERR_CLUSTER", "setupWorker() must run in a cluster worker");
  if (engine.clientsCount > 0) throw new HeartwireError("HW_ERR_CLUSTER", "setupWorker() must run before the first session opens");
  const prefix = workerPrefix(worker.id);
  engine[kSessionIdPrefix](prefix);
  const httpServer = options.httpServer ?? engine.httpServer ?? defaultHttpServer(engine);
  // One request per connection: the next request on it could be for another worker's session.
  httpServer.maxRequestsPerSocket = 1;

  // Handshakes handed over and not yet over (a session opened, a refusal, or the connection closed).
  const pendingHandshakes = new WeakSet<NetSocket>();
  let handshakesDone = 0;
  let reportQueued = false;
  const report = (): void => {
    if (reportQueued) return;
    reportQueued = true;
    queueMicrotask(() => {
      reportQueued = false;
      send({ [TAG]: "load", sessions: engine.clientsCount, handshakesDone });
    });
  };
  const handshakeOver = (socket: NetSocket | null | undefined): void => {
    if (socket == null || !pendingHandshakes.delete(socket)) return;
    handshakesDone++;
    report();
  };
  engine.on("connection", (session) => {
    handshakeOver(session.request.socket);
    report();
    session.once("close", report);
  });
  engine.on("connection_error", ({ req }) => handshakeOver(req.socket));

  const onMessage = (message: unknown, handle: unknown): void => {
    const kind = kindOf(message);
    if (kind === "connection") {
      const { head, handshake } = message as Extract<ToWorker, { [TAG]: "connection" }>;
      const socket = handle as NetSocket | undefined;
      if (socket === undefined || socket === null) {
        // The connection closed on its way here.
        if (handshake) {
          handshakesDone++;
          report();
        }
        return;
      }
      if (handshake) {
        pendingHandshakes.add(socket);
        socket.once("close", () => handshakeOver(socket));
      }
      // The primary's bytes go first; whatever the kernel still holds follows them.
      socket.unshift(Buffer.from(head, "base64"));
      httpServer.emit("connection", socket);
    } else if (kind === "drain") {
      const { timeout } = message as Extract<ToWorker, { [TAG]: "drain" }>;
      // The primary disconnects this worker once it has read "drained".
      engine.close({ graceful: true, timeout }, () => send({ [TAG]: "drained" }));
    }
  };
  process.on("message", onMessage);
  send({ [TAG]: "ready" });
  return Object.freeze({ id: worker.id, sessionIdPrefix: prefix, httpServer });
}

/** The http.Server of a worker whose engine has none: 404 outside the engine path. */
function defaultHttpServer(engine: Server): HttpServer {
  const httpServer = createServer((_req, res) => {
    res.writeHead(404);
    res.end("Not Found");
  });
  engine.attach(httpServer);
  return httpServer;
}
