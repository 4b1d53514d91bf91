/**
 * @module The http.Server that `listen()` made, closed along with its engine. A forced close closes
 * it at once. A graceful close keeps it listening until the last session has ended: a polling
 * session still draining (its share of a spread close not yet due, a POST to finish, its close
 * packet to fetch) may need a new connection (a POST beside its long poll, a keep-alive connection
 * its client let go, an answer that closed its connection); new handshakes meanwhile get 503.
 */

import type { Server as HttpServer } from "node:http";

/** Handed by `listen()` to its engine, whose `close()` calls it. */
export const kOwnListener = Symbol("ownListener");

/** Closes an owned http.Server in step with its engine's shutdown. */
export class OwnedListener {
  readonly #http: HttpServer;
  /** The http.Server is emitting its own `close` (which closes the engine, see attach.ts). */
  #closingItself = false;

  /** Watches `http`, which the engine owns from now on. */
  constructor(http: HttpServer) {
    this.#http = http;
    http.prependListener("close", () => (this.#closingItself = true));
    http.on("close", () => (this.#closingItself = false));
  }

  /**
   * True while the http.Server emits its own `close`: the engine.close() that triggers must leave it
   * alone, now and when the sessions have ended, since it may be listening anew by then (engine.io's
   * engine comes back with it).
   */
  get closingItself(): boolean {
    return this.#closingItself;
  }

  /** `close()` began: a forced close stops listening and drops idle connections now; a graceful one waits. */
  stop(graceful: boolean): void {
    if (!graceful) this.#close();
  }

  /** The last session ended: stop listening and drop idle connections; `close` follows once none is left. */
  sessionsEnded(): void {
    this.#close();
  }

  #close(): void {
    // http.Server#close also drops idle keep-alive connections; called again it would emit `close` again.
    if (this.#http.listening) this.#http.close();
    else this.#http.closeIdleConnections();
  }
}
