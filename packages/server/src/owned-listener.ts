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

  /** Watches `http`, which the engine owns from now on. */
  constructor(http: HttpServer) {
    this.#http = http;
  }

  /** `close()` began: stop accepting; a forced close also drops the connections that are idle. */
  stop(graceful: boolean): void {
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
