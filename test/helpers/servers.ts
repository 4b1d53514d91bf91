/** @module Start our server or the official engine.io on 127.0.0.1:0 as an AsyncDisposable fixture. */

import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type ServerOptions } from "@heartwire/server";

/** A running server on loopback; `close()` (or `await using`) stops it and every connection. */
export interface RunningServer<S> extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port>` */
  readonly wsUrl: string;
  readonly port: number;
  readonly server: S;
  readonly httpServer: HttpServer;
  close(): Promise<void>;
}

async function listenOnLoopback(httpServer: HttpServer): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(0, "127.0.0.1", () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  return (httpServer.address() as AddressInfo).port;
}

function running<S>(server: S, httpServer: HttpServer, port: number, closeEngine: () => void): RunningServer<S> {
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closeEngine();
      httpServer.close(() => resolve());
      httpServer.closeAllConnections();
    });
    return closed;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    server,
    httpServer,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Options for {@link startServer}: server options plus an optional echo of every message. */
export interface StartOptions extends ServerOptions {
  /** Echo every message back to its sender. @default false */
  readonly echo?: boolean;
}

/** Starts a Heartwire server attached to a fresh http.Server on 127.0.0.1:0. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer<Server>> {
  const { echo, ...serverOptions } = options;
  const httpServer = createServer((_req, res) => {
    res.writeHead(404);
    res.end("not found");
  });
  const server = new Server(serverOptions);
  server.attach(httpServer);
  if (echo) server.on("connection", (socket) => socket.on("message", (data) => socket.send(data)));
  const port = await listenOnLoopback(httpServer);
  return running(server, httpServer, port, () => server.close());
}

/** The official engine.io server, for comparisons. */
export async function startOfficialServer(options: Record<string, unknown> & { echo?: boolean } = {}) {
  const { echo, ...serverOptions } = options;
  const engine = await import("engine.io");
  const httpServer = createServer((_req, res) => {
    res.writeHead(404);
    res.end("not found");
  });
  const server = engine.attach(httpServer, serverOptions);
  if (echo) server.on("connection", (socket) => socket.on("message", (data: unknown) => socket.send(data as string)));
  const port = await listenOnLoopback(httpServer);
  return running(server, httpServer, port, () => server.close());
}
