/**
 * @module The primary's side of a handover: read a connection up to the end of its first request
 * head, then stop reading at once, so that every later byte stays in the kernel for the worker.
 *
 * `socket.pause()` alone is not enough: a paused net.Socket keeps reading from its handle into the
 * stream buffer (up to its high-water mark), and those bytes would be lost with the primary's copy
 * of the socket. The handle's `readStop()` is what makes the kernel keep them.
 */

import type { Socket } from "node:net";
import type { Scheduler } from "@heartwire/shared";
import { scanRequestHead, type HeadScan } from "./request-head.js";

/** The libuv stream behind a net.Socket (not in Node's public typings). */
export interface StreamHandle {
  readStop(): number;
  /** Idempotent: a second call does nothing. */
  close(): void;
  reading?: boolean;
}

/** Limits on what the primary reads before it hands a connection over. */
export interface HeadLimits {
  /** Largest request head, bytes. */
  readonly maxHeadSize: number;
  /** Time a client may take to send its first request head, ms. */
  readonly headTimeout: number;
}

/** What reading a connection's start came to. */
export type HeadResult =
  /** `bytes`: everything read (the head, and any bytes after it that came in the same reads). */
  | { readonly kind: "head"; readonly bytes: Buffer; readonly sid: string | null }
  | { readonly kind: "too large" | "invalid" | "timeout" | "closed" };

/** The handle a socket reads and writes through; null once closed or sent to another process. */
export function handleOf(socket: Socket): StreamHandle | null {
  return (socket as unknown as { _handle: StreamHandle | null })._handle;
}

/**
 * Stops the handle reading. Its `reading` flag stays true on purpose: the stream asks for more
 * data on its own after a `data` event (Readable's read-ahead, on the next tick), and net.Socket
 * starts the handle again only when that flag is false. {@link resumeReading} undoes this.
 */
function stopReading(socket: Socket): void {
  socket.pause();
  handleOf(socket)?.readStop();
}

/** Starts reading a connection again that {@link stopReading} stopped. */
function resumeReading(socket: Socket): void {
  const handle = handleOf(socket);
  if (handle !== null) handle.reading = false;
  socket.resume();
}

/**
 * Reads `socket` (accepted paused) until its first request head is complete, then stops reading
 * and calls `done` once, synchronously from the read that completed the head.
 */
export function readRequestHead(socket: Socket, limits: HeadLimits, scheduler: Scheduler, done: (result: HeadResult) => void): void {
  const chunks: Buffer[] = [];
  let settled = false;
  const finish = (result: HeadResult): void => {
    if (settled) return;
    settled = true;
    stopReading(socket);
    timer.cancel();
    socket.off("data", onData);
    socket.off("close", onClose);
    done(result);
  };
  const onData = (chunk: Buffer): void => {
    chunks.push(chunk);
    let bytes = chunks.length === 1 ? chunk : Buffer.concat(chunks);
    const scan: HeadScan = scanRequestHead(bytes, limits.maxHeadSize);
    if (scan.kind === "incomplete") return;
    if (scan.kind !== "complete") return finish({ kind: scan.kind });
    // Chunks the stream had buffered behind this one belong to the worker too (read() would
    // emit them as `data` again, hence the listener goes first).
    socket.off("data", onData);
    socket.pause();
    const rest = socket.readableLength > 0 ? (socket.read() as Buffer | null) : null;
    if (rest !== null) bytes = Buffer.concat([bytes, rest]);
    finish({ kind: "head", bytes, sid: scan.sid });
  };
  const onClose = (): void => finish({ kind: "closed" });
  const timer = scheduler.setTimeout(() => finish({ kind: "timeout" }), limits.headTimeout);
  socket.on("data", onData);
  socket.on("close", onClose);
  socket.resume();
}

/**
 * Answers a connection the primary will not hand over with a bare HTTP response, then closes it.
 * It reads (and discards) what the client still sends meanwhile, so the close does not reset the
 * connection before the client has read the answer; `lingerMs` bounds that.
 */
export function answerAndClose(socket: Socket, status: number, reason: string, body: object | undefined, scheduler: Scheduler, lingerMs: number): void {
  if (socket.destroyed) return;
  const text = body === undefined ? "" : JSON.stringify(body);
  const head =
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nCache-Control: no-store\r\n` +
    (body === undefined ? "" : "Content-Type: application/json\r\n") +
    `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n`;
  const linger = scheduler.setTimeout(() => socket.destroy(), lingerMs);
  socket.once("close", () => linger.cancel());
  socket.on("data", () => {});
  resumeReading(socket);
  socket.end(head + text);
}
