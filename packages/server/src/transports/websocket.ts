/** @module The WebSocket transport: a thin adapter from ws frames to packets and back. */

import { EventEmitter } from "eventemitter3";
import { decodePacket, encodePacket, HeartwireError } from "@heartwire/shared";
import type { QueuedPacket, ServerTransport, TransportEvents } from "./transport.js";

/** The structural slice of `ws.WebSocket` this transport uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string | Uint8Array, options: { binary?: boolean; compress?: boolean }, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: "close", listener: (code: number, reason: Buffer) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

const OPEN = 1;

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Packets go out as frames the moment they are sent (it is always writable; ws queues internally),
 * so a ping is never held behind our own buffer. `drain` fires when every frame handed to ws has
 * been written. A `1` packet from the peer closes the transport (engine.io ignores it; the spec
 * does not). Oversized frames make ws close with 1009 and emit an error.
 */
export class WebSocketTransport extends EventEmitter<TransportEvents> implements ServerTransport {
  /** Always `"websocket"`. */
  readonly name = "websocket" as const;
  readonly #ws: WebSocketLike;
  readonly #supportsBinary: boolean;
  #inFlight = 0;
  #closed = false;

  /** Wraps an open ws socket; `supportsBinary` is false when the client asked for `b64=1`. */
  constructor(ws: WebSocketLike, supportsBinary: boolean) {
    super();
    this.#ws = ws;
    this.#supportsBinary = supportsBinary;
    ws.on("message", (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on("error", (error) => {
      if (this.#closed) return;
      this.emit("error", new HeartwireError("HW_ERR_TRANSPORT", `websocket error: ${error.message}`, { cause: error }));
    });
    ws.on("close", () => this.#onClose());
  }

  /** Writable until closed. */
  get writable(): boolean {
    return !this.#closed && this.#ws.readyState === OPEN;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Writes each packet as one frame; with `thenClose`, closes the WebSocket after them. */
  send(packets: readonly QueuedPacket[], options: { thenClose?: boolean } = {}): void {
    for (const packet of packets) {
      const frame = encodePacket(packet, { supportsBinary: this.#supportsBinary });
      this.#inFlight++;
      this.#ws.send(frame, { binary: typeof frame !== "string", compress: packet.options.compress }, (err) => {
        this.#inFlight--;
        if (err) {
          if (!this.#closed) this.emit("error", new HeartwireError("HW_ERR_TRANSPORT", "websocket write error", { cause: err }));
          return;
        }
        if (this.#inFlight === 0 && !this.#closed) this.emit("drain");
      });
    }
    if (options.thenClose) this.close();
  }

  /** Closes the WebSocket (normal closure). */
  close(): void {
    if (this.#closed) return;
    this.#ws.close();
    this.#onClose();
  }

  /** Same as {@link WebSocketTransport.close}: a WebSocket has no close packet to skip. */
  discard(): void {
    this.close();
  }

  #onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.#closed) return;
    const buffer = toBuffer(data);
    const decoded = decodePacket(isBinary ? buffer : buffer.toString("utf8"), asBuffer);
    if (!decoded.ok) {
      this.emit("parseError", decoded.error);
      return;
    }
    if (decoded.value.type === "close") {
      this.close();
      return;
    }
    this.emit("packet", decoded.value);
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit("close");
  }
}
