/** @module A raw WebSocket peer for wire tests: frames in a queue, bounded waits, always closable. */

import { WebSocket } from "ws";

/** A frame as received: text as string, binary as Buffer. */
export type Frame = string | Buffer;

/** A raw ws client with a receive queue. */
export class WsPeer implements AsyncDisposable {
  readonly ws: WebSocket;
  readonly #queue: Frame[] = [];
  readonly #waiters: ((frame: Frame) => void)[] = [];
  /** Resolves with the close code and reason once the socket closed. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const frame: Frame = isBinary ? data : data.toString("utf8");
      const waiter = this.#waiters.shift();
      if (waiter) waiter(frame);
      else this.#queue.push(frame);
    });
    this.closed = new Promise((resolve) => ws.once("close", (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
    ws.on("error", () => {});
  }

  /** Opens a connection; rejects on refusal (with the HTTP status in the message) or after `timeoutMs`. */
  static open(url: string, timeoutMs = 5000, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WsPeer> {
    const ws = new WebSocket(url, options);
    const peer = new WsPeer(ws);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`ws open timed out: ${url}`));
      }, timeoutMs);
      ws.once("open", () => {
        clearTimeout(timer);
        resolve(peer);
      });
      ws.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Next frame, or rejects after `timeoutMs`. */
  next(timeoutMs = 5000): Promise<Frame> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (frame: Frame): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i !== -1) this.#waiters.splice(i, 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Frames received and not yet read. */
  get pending(): readonly Frame[] {
    return this.#queue;
  }

  /** Sends one frame. */
  send(data: string | Buffer | Uint8Array): void {
    this.ws.send(data);
  }

  /** Resolves with close code/reason, or rejects after `timeoutMs`. */
  waitClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    return Promise.race([
      this.closed,
      new Promise<never>((_, reject) => {
        const t = setTimeout(() => reject(new Error(`ws not closed within ${timeoutMs} ms`)), timeoutMs);
        void this.closed.then(() => clearTimeout(t));
      }),
    ]);
  }

  /** Terminates the connection. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.terminate();
      await this.waitClose(2000).catch(() => {});
    }
  }
}

/** Attempts a WebSocket connection expected to be refused; resolves with the HTTP status and body. */
export function wsRefusal(url: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("no refusal within timeout"));
    }, timeoutMs);
    ws.on("error", () => {});
    ws.on("open", () => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error("upgrade unexpectedly accepted"));
    });
    ws.on("unexpected-response", (req, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", () => {});
      const done = (): void => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
      };
      res.on("end", done);
      res.on("close", done);
    });
  });
}
