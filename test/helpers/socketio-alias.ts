/**
 * @module Runs socket.io-client on `@heartwire/client` in Node: while the alias is installed,
 * `require("engine.io-client")` from any CommonJS module resolves to our client, the way a user
 * would alias it (module-alias, a bundler alias, or a package manager override).
 * `requireSocketIoClient()` loads socket.io-client's CommonJS build under the alias, in a fresh
 * module cache entry so it never keeps a reference to the official engine.io-client.
 */

import Module, { createRequire } from "node:module";

const require = createRequire(import.meta.url);

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };

/** Path of our client's Node entry (its `require` condition). */
export const heartwireClientPath: string = require.resolve("@heartwire/client");

/**
 * Makes `require("engine.io-client")` resolve to `target` (default: `@heartwire/client`) for every
 * CommonJS module of this process until the returned function is called. Nested installs are fine
 * (each restores what it replaced).
 */
export function aliasEngineIoClient(target: string = heartwireClientPath): () => void {
  const previous = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request, parent, isMain, options) {
    if (request === "engine.io-client") return target;
    return previous.call(this, request, parent, isMain, options);
  };
  return () => {
    moduleInternals._resolveFilename = previous;
  };
}

/** The parts of socket.io-client the tests use. */
export interface SocketIoClientModule {
  readonly io: (uri: string, options?: Record<string, unknown>) => SocketIoClientSocket;
  readonly Manager: new (uri: string, options?: Record<string, unknown>) => unknown;
}

/** The parts of the Engine.IO socket under a socket.io-client Manager the tests use. */
export interface SocketIoEngine {
  readonly transport: { readonly name: string };
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener?: (...args: any[]) => void): unknown;
}

/** The parts of a socket.io-client `Socket` the tests use. */
export interface SocketIoClientSocket {
  readonly id: string | undefined;
  readonly connected: boolean;
  /** The Manager; `engine` is the Engine.IO socket (ours under the alias). */
  readonly io: { readonly engine: SocketIoEngine };
  on(event: string, listener: (...args: any[]) => void): this;
  off(event: string, listener?: (...args: any[]) => void): this;
  once(event: string, listener: (...args: any[]) => void): this;
  emit(event: string, ...args: unknown[]): this;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
  connect(): this;
  disconnect(): this;
  close(): this;
}

/**
 * Loads socket.io-client (CommonJS build) with `engine.io-client` aliased to `target`. Its modules
 * are evicted from the require cache first and afterwards, so other tests get the real package.
 */
export function requireSocketIoClient(target: string = heartwireClientPath, from: string = import.meta.url): SocketIoClientModule {
  const requireFrom = createRequire(from);
  const root = requireFrom.resolve("socket.io-client/package.json").replace(/package\.json$/, "");
  const evict = (): void => {
    for (const key of Object.keys(require.cache)) if (key.startsWith(root)) delete require.cache[key];
  };
  evict();
  const undo = aliasEngineIoClient(target);
  try {
    return requireFrom("socket.io-client") as SocketIoClientModule;
  } finally {
    undo();
    evict();
  }
}
