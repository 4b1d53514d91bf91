/** @module Express-style middlewares run on every engine request, and the stand-in response used for upgrades. */

import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { EventEmitter } from "node:events";

/** An Express-style middleware: call `next()` to continue or `next(err)` to refuse (code 3). */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Runs one middleware; resolves on `next()`, rejects on `next(err)`, a throw or a rejected promise. */
function runOne(middleware: Middleware, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const next = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve();
    };
    try {
      const result: unknown = middleware(req, res, next);
      if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
        (result as PromiseLike<unknown>).then(undefined, (e: unknown) => next(e ?? new Error("middleware failed")));
      }
    } catch (error) {
      next(error ?? new Error("middleware failed"));
    }
  });
}

/**
 * Runs middlewares in order. Resolves `true` when all called `next()`, `false` when one answered
 * the response itself (it ended) so the request is done; rejects when one failed.
 */
export async function runMiddlewares(list: readonly Middleware[], req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  for (const middleware of list) {
    let onFinish = (): void => {};
    const ended = new Promise<false>((resolve) => {
      onFinish = () => resolve(false);
      res.once("finish", onFinish);
    });
    try {
      const result = await Promise.race([runOne(middleware, req, res).then(() => true as const), ended]);
      if (!result || res.writableEnded) return false;
    } finally {
      res.off("finish", onFinish);
    }
  }
  return true;
}

/**
 * What middlewares see as `res` on a WebSocket upgrade: headers they set are added to the 101
 * response; ending it refuses the upgrade (the socket is destroyed).
 */
export class UpgradeResponse extends EventEmitter {
  /** Headers set by middlewares, added to the 101 response. */
  readonly headers: OutgoingHttpHeaders = Object.create(null) as OutgoingHttpHeaders;
  readonly #socket: Duplex;
  #ended = false;

  /** Wraps the raw upgrade socket. */
  constructor(socket: Duplex) {
    super();
    this.#socket = socket;
    socket.once("close", () => this.emit("close"));
  }

  /** False: nothing is written until the 101. */
  get headersSent(): boolean {
    return false;
  }

  /** True once a middleware ended it. */
  get writableEnded(): boolean {
    return this.#ended;
  }

  /** Records a header for the 101 response. */
  setHeader(name: string, value: OutgoingHttpHeader): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  /** Reads a recorded header. */
  getHeader(name: string): OutgoingHttpHeader | undefined {
    return this.headers[name.toLowerCase()];
  }

  /** Forgets a recorded header. */
  removeHeader(name: string): void {
    delete this.headers[name.toLowerCase()];
  }

  /** Ignored (middlewares such as express-session wait for it). */
  writeHead(): this {
    return this;
  }

  /** Ignored. */
  write(): boolean {
    return true;
  }

  /** Refuses the upgrade: the socket is destroyed. */
  end(): this {
    if (this.#ended) return this;
    this.#ended = true;
    this.emit("finish");
    this.#socket.destroy();
    return this;
  }

  /** This object typed as the ServerResponse middlewares expect. */
  asResponse(): ServerResponse {
    return this as unknown as ServerResponse;
  }
}
