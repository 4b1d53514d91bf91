/** @module Reading a POST body with a size cap (413) and a deadline (408), without trusting the peer. */

import type { IncomingMessage } from "node:http";
import type { Scheduler } from "@heartwire/shared";

/** Limits for {@link readBody}. */
export interface BodyLimits {
  /** Largest body in bytes. */
  readonly maxBytes: number;
  /** Milliseconds the whole body may take. */
  readonly timeoutMs: number;
  /** Clock for the deadline. */
  readonly scheduler: Scheduler;
}

/** Outcome of {@link readBody}: the text, or why there is none. */
export type BodyResult =
  | { readonly ok: true; readonly body: string }
  | { readonly ok: false; readonly reason: "too-large" | "timeout" | "aborted" };

/** Parses a Content-Length header; `undefined` when absent, `NaN` when malformed. */
function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers["content-length"];
  if (raw === undefined) return undefined;
  return /^\s*\d{1,16}\s*$/.test(raw) ? Number(raw) : NaN;
}

/**
 * Reads the whole body as UTF-8 (decoded once at the end, so multi-byte characters split across
 * chunks survive). A declared Content-Length above `maxBytes` is refused before reading; a body
 * without one is refused as soon as it passes `maxBytes`. After a failure the request is paused and
 * its listeners removed; the caller answers and closes the connection.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<BodyResult> {
  const declared = declaredLength(req);
  if (declared !== undefined && !(declared <= limits.maxBytes)) {
    return Promise.resolve({ ok: false, reason: "too-large" });
  }
  return new Promise<BodyResult>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("close", onAbort);
      // Keep one error listener: a late socket error must not become an uncaught exception.
      req.on("error", ignore);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limits.maxBytes) {
        finish({ ok: false, reason: "too-large" });
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = (): void => finish({ ok: true, body: Buffer.concat(chunks, size).toString("utf8") });
    const onAbort = (): void => finish({ ok: false, reason: "aborted" });
    const timer = limits.scheduler.setTimeout(() => finish({ ok: false, reason: "timeout" }), limits.timeoutMs);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("close", onAbort);
  });
}

function ignore(): void {}
