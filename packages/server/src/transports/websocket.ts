/** @module The WebSocket transport: a thin adapter from ws frames to packets and back. */

import { EventEmitter } from "eventemitter3";
import { decodePacket, encodePacket, HeartwireError, type Packet, type Scheduler, type TimerHandle } from "@heartwire/shared";
import {
  kOnClose,
  kOnDrain,
  kOnError,
  kOnPacket,
  kOnParseError,
  kSink,
  type QueuedPacket,
  type ServerTransport,
  type TransportEvents,
  type TransportSink,
} from "./transport.js";

/** The structural slice of `ws.WebSocket` this transport uses. */
export interface WebSocketLike {
  readonly readyState: number;
  /** Bytes queued and not yet written to the network (ws: socket buffer plus sender queue). */
  readonly bufferedAmount: number;
  send(data: string | Uint8Array, options: { binary?: boolean; compress?: boolean }, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: "message", listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: "close", listener: (code: number, reason: Buffer) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

const OPEN = 1;

/** How a lingering close is bounded: the server's scheduler and its `closeTimeout`. */
export interface WebSocketCloseBound {
  readonly scheduler: Scheduler;
  /** Ms a lingering close waits for the peer's close frame before dropping the connection. */
  readonly closeTimeout: number;
}

/** `closing`: our close frame is sent and frames are still read until the peer's close frame. */
type WebSocketState = "open" | "closing" | "closed";

/** ws' internal frame writer, which engine.io (and so socket.io's broadcasts) writes pre-built frames to. */
interface PreEncodedSender {
  sendFrame(list: readonly Buffer[], cb?: (err?: Error) => void): void;
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Packets whose whole frame is one type digit (pong above all: one per socket per interval), decoded
 * once and shared, so the heartbeat path makes no string and no packet object per frame.
 */
const ONE_DIGIT_PACKETS: ReadonlyArray<Packet<Buffer> | undefined> = (() => {
  const table: Array<Packet<Buffer> | undefined> = [];
  for (const digit of "12356") {
    const decoded = decodePacket(digit, asBuffer);
    if (decoded.ok) table[digit.charCodeAt(0)] = Object.freeze(decoded.value);
  }
  return table;
})();

/** The transport that owns a ws socket, so the ws listeners below are shared functions, not closures. */
const kTransport = Symbol("heartwire.transport");
type OwnedWebSocket = WebSocketLike & { [kTransport]: WebSocketTransport };

function onWsMessage(this: OwnedWebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
  this[kTransport][kMessage](data, isBinary);
}
function onWsError(this: OwnedWebSocket, error: Error): void {
  this[kTransport][kWsError](error);
}
function onWsClose(this: OwnedWebSocket): void {
  this[kTransport][kWsClose]();
}
const kMessage = Symbol("message");
const kWsError = Symbol("wsError");
const kWsClose = Symbol("wsClose");

/** ws send options, shared (ws copies them): [binary][compress]. */
const FRAME_OPTIONS = [
  [Object.freeze({ binary: false, compress: false }), Object.freeze({ binary: false, compress: true })],
  [Object.freeze({ binary: true, compress: false }), Object.freeze({ binary: true, compress: true })],
] as const;
const ENCODE_BINARY = Object.freeze({ supportsBinary: true });
const ENCODE_BASE64 = Object.freeze({ supportsBinary: false });
/** UTF-8 bodies of the packets that carry no data; ws never modifies a server frame's body. */
const BARE_FRAMES: ReadonlyMap<string, Buffer> = new Map(
  (["ping", "pong", "noop", "close"] as const).map((type) => [type, Buffer.from(encodePacket({ type }, ENCODE_BINARY) as string)]),
);
const NO_OPTIONS: { thenClose?: boolean } = Object.freeze({});
const LINGER = Object.freeze({ linger: true });

/**
 * Each batch the socket hands over goes out as one frame per packet; until its last frame is
 * written the transport is not writable, so the socket queues the next batch (as engine.io does).
 * `drain` fires when every frame handed to ws has been written. A `1` packet from the peer closes the transport (engine.io ignores it; the spec
 * does not). Oversized frames make ws close with 1009 and emit an error.
 *
 * A lingering close (a graceful server close) sends the close frame and goes on reading: frames the
 * peer wrote before it saw ours still reach the socket, until the peer's close frame ends the
 * connection (or `closeTimeout` passes), so nothing the client already sent is lost.
 */
export class WebSocketTransport extends EventEmitter<TransportEvents> implements ServerTransport {
  /** Always `"websocket"`. */
  readonly name = "websocket" as const;
  /** @internal The socket this transport reports to. */
  [kSink]: TransportSink | undefined = undefined;
  readonly #ws: WebSocketLike;
  readonly #supportsBinary: boolean;
  readonly #perMessageDeflate: boolean;
  /** Batches handed to ws and not yet reported written (only a batch's last frame has a callback). */
  #inFlight = 0;
  #state: WebSocketState = "open";
  /** One write callback per transport, made on first use (ws calls it with only the error). */
  #onWritten: ((err?: Error) => void) | undefined;
  readonly #bound: WebSocketCloseBound | undefined;
  /** Ends a lingering close whose peer never answered. */
  #lingerTimer: TimerHandle | undefined;

  /**
   * Wraps an open ws socket; `supportsBinary` is false when the client asked for `b64=1`. Without
   * `bound`, a lingering close waits as long as ws itself does (its own close timer).
   * `perMessageDeflate` says whether the server offers compression (pre-built frames are then not used).
   */
  constructor(ws: WebSocketLike, supportsBinary: boolean, bound?: WebSocketCloseBound, perMessageDeflate = false) {
    super();
    this.#ws = ws;
    this.#supportsBinary = supportsBinary;
    this.#bound = bound;
    this.#perMessageDeflate = perMessageDeflate;
    (ws as OwnedWebSocket)[kTransport] = this;
    ws.on("message", onWsMessage);
    ws.on("error", onWsError);
    ws.on("close", onWsClose);
  }

  /** @internal */
  [kMessage](data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    this.#onMessage(data, isBinary);
  }

  /** @internal */
  [kWsError](error: Error): void {
    if (this.#state === "closed") return;
    const wrapped = new HeartwireError("HW_ERR_TRANSPORT", `websocket error: ${error.message}`, { cause: error });
    this[kSink]?.[kOnError](wrapped);
    this.emit("error", wrapped);
  }

  /** @internal */
  [kWsClose](): void {
    this.#onClose();
  }

  /**
   * True while open and nothing handed over is still being written: the socket queues meanwhile and
   * sends the queue as the next batch (engine.io's flow, which socket.io's volatile packets rely on).
   */
  get writable(): boolean {
    return this.#inFlight === 0 && this.#state === "open" && this.#ws.readyState === OPEN;
  }

  /** True once closed (a lingering close is not closed until the peer answered). */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** Bytes ws holds that the network has not taken yet (0 for an engine that does not say). */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount ?? 0;
  }

  /** Writes each packet as one frame; with `thenClose`, closes the WebSocket after them (lingering). */
  send(packets: readonly QueuedPacket[], options: { thenClose?: boolean } = NO_OPTIONS): void {
    const last = packets.length - 1;
    if (last >= 0) {
      this.#inFlight++;
      // Writes complete in order, so the last frame's callback stands for the whole batch.
      const onWritten = (this.#onWritten ??= (err?: Error) => this.#written(err));
      const encodeOptions = this.#supportsBinary ? ENCODE_BINARY : ENCODE_BASE64;
      for (let i = 0; i <= last; i++) {
        const packet = packets[i]!;
        if (this.#sendPreEncoded(packet, i === last ? onWritten : undefined)) continue;
        // A packet without data (ping, noop, close) goes out as a shared pre-encoded text frame body.
        const bare = packet.data === undefined ? BARE_FRAMES.get(packet.type) : undefined;
        const frame = bare ?? encodePacket(packet, encodeOptions);
        const frameOptions = FRAME_OPTIONS[bare !== undefined || typeof frame === "string" ? 0 : 1][packet.options.compress ? 1 : 0];
        if (i === last) this.#ws.send(frame, frameOptions, onWritten);
        else this.#ws.send(frame, frameOptions);
      }
    }
    if (options.thenClose) this.close(LINGER);
  }

  /** Writes the packet's pre-built frame, if it has one that may be used; false otherwise. */
  #sendPreEncoded(packet: QueuedPacket, onWritten: ((err?: Error) => void) | undefined): boolean {
    const frame = packet.options.wsPreEncodedFrame;
    // A frame built without compression cannot go on a connection that may compress.
    if (frame === undefined || this.#perMessageDeflate) return false;
    const sender = (this.#ws as WebSocketLike & { _sender?: PreEncodedSender })._sender;
    if (typeof sender?.sendFrame !== "function") return false;
    sender.sendFrame(Array.isArray(frame) ? frame : [frame as Buffer], onWritten);
    return true;
  }

  #written(err: Error | undefined): void {
    this.#inFlight--;
    if (err) {
      if (this.#state !== "open") return;
      const error = new HeartwireError("HW_ERR_TRANSPORT", "websocket write error", { cause: err });
      this[kSink]?.[kOnError](error);
      this.emit("error", error);
      return;
    }
    if (this.#inFlight === 0 && this.#state !== "closed") {
      this[kSink]?.[kOnDrain]();
      this.emit("drain");
    }
  }

  /**
   * Closes the WebSocket (normal closure). With `linger`, the transport stays readable until the
   * peer's close frame arrives (bounded by `closeTimeout`); without, it is closed at once, and a
   * lingering close is cut short (the connection is dropped).
   */
  close(options?: { linger?: boolean }): void {
    if (this.#state === "closed") return;
    if (options?.linger === true) {
      if (this.#state === "closing") return;
      this.#state = "closing";
      this.#ws.close(1000);
      if (this.#bound !== undefined) {
        this.#lingerTimer = this.#bound.scheduler.setTimeout(() => {
          this.#ws.terminate();
          this.#onClose();
        }, this.#bound.closeTimeout);
        this.#lingerTimer.unref();
      }
      return;
    }
    if (this.#state === "closing") this.#ws.terminate();
    else this.#ws.close();
    this.#onClose();
  }

  /** Same as {@link WebSocketTransport.close}: a WebSocket has no close packet to skip. */
  discard(): void {
    this.close();
  }

  #onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.#state === "closed") return;
    const buffer = toBuffer(data);
    let packet = !isBinary && buffer.length === 1 ? ONE_DIGIT_PACKETS[buffer[0]!] : undefined;
    if (packet === undefined) {
      const decoded = decodePacket(isBinary ? buffer : buffer.toString("utf8"), asBuffer);
      if (!decoded.ok) {
        this[kSink]?.[kOnParseError]();
        this.emit("parseError", decoded.error);
        return;
      }
      packet = decoded.value;
    }
    if (packet.type === "close") {
      this.close();
      return;
    }
    this[kSink]?.[kOnPacket](packet);
    this.emit("packet", packet);
  }

  #onClose(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#lingerTimer?.cancel();
    this[kSink]?.[kOnClose]();
    this.emit("close");
  }
}
