/**
 * @module The http.Server that `listen()` made, closed along with its engine: a graceful close stops
 * accepting connections but keeps the open ones (a polling client's keep-alive connection fetches
 * its close packet on it) until the drain is over; a forced close drops idle ones at once.
 */

import { Server as NetServer } from "node:net";
import type { Server as HttpServer } from "node:http";

/** Handed by `listen()` to its engine, whose `close()` calls it. */
export const kOwnListener = Symbol("ownListener");

/** Closes an owned http.Server in step with its engine's shutdown. */
export class OwnedListener {
  readonly #http: HttpServer;
  #stopped = false;
  /** The http.Server is emitting its own `close` (which closes the engine, see attach.ts). */
  #closingItself = false;

  /** Watches `http`, which the engine owns from now on. */
  constructor(http: HttpServer) {
    this.#http = http;
    // The engine.close() that an http.Server's own `close` triggers must not close it again: it may
    // already be listening anew (engine.io's engine comes back with it).
    http.prependListener("close", () => (this.#closingItself = true));
    http.on("close", () => (this.#closingItself = false));
    http.on("listening", () => (this.#stopped = false));
  }

  /** `close()` began: stop accepting; a forced close also drops the connections that are idle. */
  stop(graceful: boolean): void {
    if (this.#closingItself) return;
    if (this.#stopped) {
      if (!graceful) this.#http.closeIdleConnections();
      return;
    }
    this.#stopped = true;
    if (!this.#http.listening) return;
    // http.Server#close would also drop idle keep-alive connections, which a drain still needs.
    if (graceful) NetServer.prototype.close.call(this.#http);
    else this.#http.close();
  }

  /** The last session ended: drop idle connections; the http.Server emits `close` once none is left. */
  sessionsEnded(): void {
    this.#http.closeIdleConnections();
  }
}
