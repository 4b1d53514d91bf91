/** @module The websocket transport: one packet per frame over an injected WebSocket-like object. */

import { decodePacket, encodePacket, HeartwireError, type OutgoingPacket } from "@heartwire/shared";
import { TransportError } from "../errors.js";
import type { WebSocketLike } from "../platform/platform.js";
import { Transport, type ClientTransport, type TransportContext } from "./transport.js";

type WebSocketState = "idle" | "opening" | "open" | "closed";

/** Engine.IO over a WebSocket: text packets as text frames, binary messages as binary frames (or `b64`). */
export class WebSocketTransport extends Transport implements ClientTransport {
  /** Always `"websocket"` (on the prototype, where the `transports` option looks for it). */
  get name(): "websocket" {
    return "websocket";
  }
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

  /**
   * True when the socket is open and no batch is being written. Not once the closing handshake
   * began (the server's close frame arrived): a frame sent then would be silently discarded.
   */
  get writable(): boolean {
    return this.#writable && this.#state === "open" && this.#ws?.readyState === 1;
  }

  /** Bytes the WebSocket has not transmitted yet. */
  get bufferedAmount(): number {
    return this.#ws?.bufferedAmount ?? 0;
  }

  /** Opens the WebSocket; a constructor failure is reported as an `error` event on a later microtask. */
  open(): void {
    if (this.#state !== "idle") return;
    this.#state = "opening";
    const { io, url, extraHeaders, maxIncomingPayload, protocols } = this.#ctx;
    const ws = this.#try(() => io.openWebSocket(url("websocket", this.#sid), extraHeaders, { maxPayload: maxIncomingPayload, protocols }));
    if (!ws) return;
    this.#ws = ws;
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      if (this.#state !== "opening") return;
      this.#state = "open";
      this.#writable = true;
      this.emit("open");
    };
    ws.onmessage = ({ data }) => this.#onFrame(data);
    ws.onerror = (event) => {
      // `ws` reports a refused handshake as "Unexpected server response: 403".
      const { message, error } = (event ?? {}) as { message?: unknown; error?: { message?: unknown } };
      const status = /Unexpected server response: (\d{3})/.exec(String(message ?? error?.message))?.[1];
      this.#fail(new TransportError("websocket error", { status: status ? Number(status) : undefined, context: event, description: event }));
    };
    ws.onclose = ({ code, reason }) => {
      if (this.#state === "closed") return;
      this.#state = "closed";
      this.#detach();
      this.emit("close", { description: "websocket connection closed", context: { code, reason } });
    };
  }

  /** Remembers the session id (a websocket opened for the handshake learns it from the open packet). */
  setSid(sid: string): void {
    this.#sid = sid;
  }

  /** Writes every packet as one frame; `drain` follows on a microtask. */
  send(packets: readonly OutgoingPacket[]): void {
    const ws = this.#ws;
    if (this.#state !== "open" || !ws) return;
    this.#writable = false;
    const supportsBinary = !this.#ctx.forceBase64;
    const sent = this.#try(() => {
      for (const packet of packets) ws.send(encodePacket(packet, { supportsBinary }));
      return true;
    });
    if (!sent) return;
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
    const ws = this.#detach();
    this.#state = "closed";
    this.#writable = false;
    try {
      if (!graceful && ws?.terminate) ws.terminate();
      else if (ws && ws.readyState <= 1 /* OPEN */) ws.close(1000);
    } catch {
      // A WebSocket that cannot even be closed is gone already.
    }
  }

  #detach(): WebSocketLike | undefined {
    const ws = this.#ws;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      // Keep a no-op error handler: `ws` throws on an 'error' event with no listener.
      ws.onerror = () => {};
    }
    return ws;
  }

  /** Runs `fn`; if it throws, reports a "websocket error" on a microtask and returns undefined. */
  #try<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (cause) {
      queueMicrotask(() => this.#fail(new TransportError("websocket error", { cause })));
      return undefined;
    }
  }

  #onFrame(data: unknown): void {
    if (this.#state !== "open") return;
    const max = this.#ctx.maxIncomingPayload;
    // decodePacket rejects what is neither text nor binary (no byteLength: size 0).
    const size = typeof data === "string" ? data.length : ((data as ArrayBuffer | null | undefined)?.byteLength ?? 0);
    const decoded = size > max ? undefined : decodePacket(data as string | ArrayBuffer);
    if (decoded?.ok) this.emit("packet", decoded.value);
    else {
      this.#fail(decoded
        ? new HeartwireError("HW_ERR_INVALID_PACKET", `websocket frame: ${decoded.error.message}`)
        : new HeartwireError("HW_ERR_PAYLOAD_TOO_LARGE", `message larger than maxIncomingPayload (${max})`));
    }
  }

  #fail(error: HeartwireError): void {
    if (this.#state === "closed") return;
    this.close(false);
    this.emit("error", error);
  }
}
