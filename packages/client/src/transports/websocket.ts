/** @module The websocket transport: one packet per frame over an injected WebSocket-like object. */

import { EventEmitter } from "eventemitter3";
import { decodePacket, encodePacket, HeartwireError, isBinary, type OutgoingPacket } from "@heartwire/shared";
import { TransportError } from "../errors.js";
import type { WebSocketLike } from "../platform/platform.js";
import type { ClientTransport, TransportContext, TransportEvents } from "./transport.js";

type WebSocketState = "idle" | "opening" | "open" | "closed";

const OPEN = 1;

/** Reads the HTTP status out of a refused handshake (`ws`: "Unexpected server response: 403"). */
function statusOf(event: unknown): number | undefined {
  const message = (event as { message?: unknown; error?: { message?: unknown } } | null)?.message
    ?? (event as { error?: { message?: unknown } } | null)?.error?.message;
  const match = typeof message === "string" ? /Unexpected server response: (\d{3})/.exec(message) : null;
  return match ? Number(match[1]) : undefined;
}

/** Engine.IO over a WebSocket: text packets as text frames, binary messages as binary frames (or `b64`). */
export class WebSocketTransport extends EventEmitter<TransportEvents> implements ClientTransport {
  /** Always `"websocket"`. */
  readonly name = "websocket" as const;
  readonly #ctx: TransportContext;
  #sid: string | undefined;
  #ws: WebSocketLike | undefined;
  #state: WebSocketState = "idle";
  #writable = false;

  /** Creates the transport; nothing happens until {@link WebSocketTransport.open}. */
  constructor(ctx: TransportContext) {
    super();
    this.#ctx = ctx;
    this.#sid = ctx.sid;
  }

  /** True when the socket is open and no batch is being written. */
  get writable(): boolean {
    return this.#writable && this.#state === "open";
  }

  /** Opens the WebSocket; a constructor failure is reported as an `error` event on a later microtask. */
  open(): void {
    if (this.#state !== "idle") return;
    this.#state = "opening";
    let ws: WebSocketLike;
    try {
      ws = this.#ctx.io.openWebSocket(this.#ctx.url("websocket", this.#sid), this.#ctx.extraHeaders, { maxPayload: this.#ctx.maxIncomingPayload });
    } catch (cause) {
      queueMicrotask(() => this.#fail(new TransportError("websocket error", { cause })));
      return;
    }
    this.#ws = ws;
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      if (this.#state !== "opening") return;
      this.#state = "open";
      this.#writable = true;
      this.emit("open");
    };
    ws.onmessage = (event) => this.#onFrame(event.data);
    ws.onerror = (event) => this.#fail(new TransportError("websocket error", { status: statusOf(event), context: event }));
    ws.onclose = (event) => {
      if (this.#state === "closed") return;
      this.#state = "closed";
      this.#detach();
      this.emit("close", { description: "websocket connection closed", context: { code: event.code, reason: event.reason } });
    };
  }

  /** Remembers the session id (a websocket opened for the handshake learns it from the open packet). */
  setSid(sid: string): void {
    this.#sid = sid;
  }

  /** Writes every packet as one frame; `drain` follows on a microtask. */
  send(packets: readonly OutgoingPacket[]): void {
    const ws = this.#ws;
    if (this.#state !== "open" || ws === undefined) return;
    this.#writable = false;
    try {
      for (const packet of packets) {
        const frame = encodePacket(packet, { supportsBinary: !this.#ctx.forceBase64 });
        ws.send(frame);
      }
    } catch (cause) {
      queueMicrotask(() => this.#fail(new TransportError("websocket error", { cause })));
      return;
    }
    queueMicrotask(() => {
      if (this.#state !== "open") return;
      this.#writable = true;
      this.emit("drain");
    });
  }

  /** Nothing to wait for on a WebSocket: calls back on a microtask. */
  pause(onPaused: () => void): void {
    queueMicrotask(onPaused);
  }

  /** No-op: a WebSocket is never paused. */
  resume(): void {}

  /** Closes normally when `graceful`, else terminates (Node) or closes without waiting. */
  close(graceful: boolean): void {
    const ws = this.#ws;
    this.#state = "closed";
    this.#writable = false;
    this.#detach();
    if (ws === undefined) return;
    try {
      if (!graceful && ws.terminate) ws.terminate();
      else if (ws.readyState <= OPEN) ws.close(1000);
    } catch {
      // A WebSocket that cannot even be closed is gone already.
    }
  }

  #detach(): void {
    const ws = this.#ws;
    if (ws === undefined) return;
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    // Keep a no-op error handler: `ws` throws on an 'error' event with no listener.
    ws.onerror = () => {};
  }

  #onFrame(data: unknown): void {
    if (this.#state !== "open") return;
    if (typeof data !== "string" && !isBinary(data)) {
      this.#fail(new HeartwireError("HW_ERR_INVALID_PACKET", "websocket frame is neither text nor binary"));
      return;
    }
    const size = typeof data === "string" ? data.length : (data as ArrayBuffer | ArrayBufferView).byteLength;
    if (size > this.#ctx.maxIncomingPayload) {
      this.#fail(new HeartwireError("HW_ERR_PAYLOAD_TOO_LARGE", `message larger than maxIncomingPayload (${this.#ctx.maxIncomingPayload})`));
      return;
    }
    const decoded = decodePacket(data);
    if (!decoded.ok) {
      this.#fail(new HeartwireError("HW_ERR_INVALID_PACKET", decoded.error.message));
      return;
    }
    this.emit("packet", decoded.value);
  }

  #fail(error: HeartwireError): void {
    if (this.#state === "closed") return;
    this.close(false);
    this.emit("error", error);
  }
}
