/**
 * @module Binding a server where {@link listen} is told to, reporting every failure to one callback
 * (never an uncaught `error` event): a port, a Unix socket path (a stale socket file left by a crash
 * is replaced, a live one is refused), an inherited fd (systemd) or a handle.
 */

import { chmod, lstat, unlink } from "node:fs/promises";
import { connect, type Server as NetServer, type Socket as NetSocket } from "node:net";
import { HeartwireError } from "@heartwire/shared";

/** A listening handle to share: a `net.Server` (or `http.Server`), a `net.Socket`, or `{ fd }`. */
export type ListenHandle = NetServer | NetSocket | { readonly fd: number };

/** Where to listen, in the object form Node's `server.listen(options)` takes, plus `handle`. */
export interface ListenAddress {
  /** TCP port (0: any free one). */
  readonly port?: number;
  /** Host or address to bind with `port`. @default all interfaces */
  readonly host?: string;
  /** Unix socket path. */
  readonly path?: string;
  /** An inherited listening socket (systemd passes them from fd 3: see `systemdListenFds()`). */
  readonly fd?: number;
  /** A listening handle to share (see {@link ListenHandle}). */
  readonly handle?: ListenHandle;
  /** Length of the queue of pending connections. @default Node's (511) */
  readonly backlog?: number;
  /** With host "::", accept IPv6 only. @default false */
  readonly ipv6Only?: boolean;
}

/**
 * Where {@link listen} serves: a port number, a Unix socket path (a string of digits is a port, as in
 * Node), or a {@link ListenAddress} (`{ port, host }`, `{ path }`, `{ fd: 3 }`, `{ handle }`).
 */
export type ListenTarget = number | string | ListenAddress;

/** How to bind: the target plus the Unix socket file's permissions. */
export interface BindOptions {
  /** Host for a numeric target (`listen(port, { host })`). */
  readonly host?: string | undefined;
  /** Permission bits applied to a Unix socket file once bound (e.g. 0o660). */
  readonly mode?: number | undefined;
}

type Done = (error?: Error) => void;

/** What `net.Server.listen` is called with, and the Unix socket file it creates, if any. */
interface Plan {
  readonly args: [ListenHandle | Record<string, unknown>];
  readonly unixPath: string | undefined;
}

function planOf(target: ListenTarget, host: string | undefined): Plan {
  if (typeof target === "number" || (typeof target === "string" && /^\d+$/.test(target))) {
    return { args: [defined({ port: Number(target), host })], unixPath: undefined };
  }
  if (typeof target === "string") return { args: [{ path: target }], unixPath: target };
  if (typeof target !== "object" || target === null) {
    throw new HeartwireError("HW_ERR_INVALID_OPTION", `listen() takes a port, a path, { fd }, { handle } or { port, host }, got ${String(target)}`);
  }
  const { handle, fd, path, port, backlog, ipv6Only } = target;
  if (handle !== undefined) return { args: [handle], unixPath: undefined };
  if (fd !== undefined) return { args: [defined({ fd, backlog })], unixPath: undefined };
  if (path !== undefined) return { args: [defined({ path, backlog })], unixPath: path };
  return { args: [defined({ port: port ?? 0, host: target.host ?? host, backlog, ipv6Only })], unixPath: undefined };
}

function defined(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** Listens once; `done` gets the error instead of an `error` event going unhandled. */
function listenOnce(server: NetServer, plan: Plan, done: Done): void {
  const onError = (error: Error): void => {
    server.off("listening", onListening);
    done(error);
  };
  const onListening = (): void => {
    server.off("error", onError);
    done();
  };
  server.once("error", onError);
  server.once("listening", onListening);
  try {
    server.listen(...(plan.args as [Record<string, unknown>]));
  } catch (error) {
    // Bad ports and fds of the wrong type throw at once.
    server.off("error", onError);
    server.off("listening", onListening);
    done(error as Error);
  }
}

/** What is at a Unix socket path that could not be bound. */
type PathState = "stale" | "live" | "not a socket" | "unknown";

/** A socket file nobody accepts on is stale (connecting is refused); one that accepts is live. */
async function probe(path: string): Promise<PathState> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined) return "stale";
  if (!stats.isSocket()) return "not a socket";
  return new Promise<PathState>((resolve) => {
    const socket = connect({ path });
    socket.once("connect", () => {
      socket.destroy();
      resolve("live");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED" ? "stale" : "unknown"));
  });
}

function addressInUse(path: string, message: string, cause: Error): Error {
  return Object.assign(new Error(`listen EADDRINUSE: ${path}: ${message}`, { cause }), { code: "EADDRINUSE", syscall: "listen", path });
}

/**
 * Makes `server` listen on `target`; `done` runs once, with the error if it could not. A Unix socket
 * path whose file is stale is unlinked and bound again (once); a live one is `EADDRINUSE` "another
 * process is listening"; with `mode`, the file gets those permissions before `done`.
 */
export function bind(server: NetServer, target: ListenTarget, options: BindOptions, done: Done): void {
  let plan: Plan;
  try {
    plan = planOf(target, options.host);
  } catch (error) {
    done(error as Error);
    return;
  }
  const { unixPath } = plan;
  // An abstract socket ("\0name", Linux) has no file to replace or chmod.
  const fileBacked = unixPath !== undefined && !unixPath.startsWith("\0");
  const finish = (error?: Error): void => {
    if (error !== undefined || !fileBacked || options.mode === undefined) return done(error);
    chmod(unixPath, options.mode).then(
      () => done(),
      (chmodError: Error) => server.close(() => done(chmodError)),
    );
  };
  listenOnce(server, plan, (error) => {
    if (error === undefined || !fileBacked || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") return finish(error);
    void probe(unixPath).then(async (state) => {
      if (state === "live") return done(addressInUse(unixPath, "another process is listening on it", error));
      if (state === "not a socket") return done(addressInUse(unixPath, "the path exists and is not a socket", error));
      if (state === "unknown") return done(error);
      try {
        await unlink(unixPath);
      } catch (unlinkError) {
        if ((unlinkError as NodeJS.ErrnoException).code !== "ENOENT") return done(unlinkError as Error);
      }
      listenOnce(server, plan, finish);
    });
  });
}
