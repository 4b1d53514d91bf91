/** @module The interface every server transport implements, and the hooks the server gives it. */

import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { EventEmitter } from "eventemitter3";
import type { BinaryInput, HeartwireError, Packet, PacketDecodeError, PacketType, PayloadDecodeError } from "@heartwire/shared";
import type { TransportName } from "../options.js";

/** The per-packet options a transport reads. */
export interface QueuedPacketOptions {
  /** Allow permessage-deflate / HTTP compression. */
  readonly compress: boolean;
  /**
   * The whole WebSocket frame of this packet, already built (socket.io computes it once per
   * broadcast). Written as is when permessage-deflate is off; ignored by polling.
   */
  readonly wsPreEncodedFrame?: Buffer | readonly Buffer[] | undefined;
}

/** A packet waiting to be written, as the socket queued it. */
export interface QueuedPacket {
  readonly type: PacketType;
  readonly data?: string | BinaryInput | undefined;
  /** engine.io's per-packet options; `compress: false` skips compression. */
  readonly options: QueuedPacketOptions;
}

/** Events a transport emits to its socket. */
export interface TransportEvents {
  /** A decoded packet from the peer (binary data as Buffer). */
  packet: (packet: Packet<Buffer>) => void;
  /** The peer sent something undecodable; the socket closes with "parse error". */
  parseError: (error: PacketDecodeError | PayloadDecodeError) => void;
  /** The transport can take packets now (polling: a GET arrived). */
  ready: () => void;
  /** Everything handed to `send()` so far has been written to the network. */
  drain: () => void;
  /** Something broke; the socket closes with "transport error". */
  error: (error: HeartwireError) => void;
  /** Polling: the headers of a response about to be written (after the server's `headers` events); mutate to add. */
  headers: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void;
  /** The transport is closed (peer close, `1` packet, or after `close()`). Emitted once. */
  close: () => void;
}

/** Keys of the {@link TransportSink} methods (symbols, so they stay off the Socket's public surface). */
export const kOnPacket = Symbol("heartwire.onPacket");
/** @see kOnPacket */
export const kOnParseError = Symbol("heartwire.onParseError");
/** @see kOnPacket */
export const kOnError = Symbol("heartwire.onError");
/** @see kOnPacket */
export const kOnClose = Symbol("heartwire.onClose");
/** @see kOnPacket */
export const kOnReady = Symbol("heartwire.onReady");
/** @see kOnPacket */
export const kOnDrain = Symbol("heartwire.onDrain");
/** Key of a transport's current sink. */
export const kSink = Symbol("heartwire.sink");

/**
 * The owning socket's direct line from its transport. A transport calls its sink first, then emits
 * the matching event; one reference per transport instead of six listener records and closures.
 */
export interface TransportSink {
  [kOnPacket](packet: Packet<Buffer>): void;
  [kOnParseError](): void;
  [kOnError](error: HeartwireError): void;
  [kOnClose](): void;
  [kOnReady](): void;
  [kOnDrain](): void;
}

/** Server-side hooks a transport calls while answering requests. */
export interface TransportHooks {
  /** Lets the server decorate the response headers of session `sid` (cookie, `initial_headers`, `headers` events). */
  headers(headers: OutgoingHttpHeaders, req: IncomingMessage, sid: string): void;
}

/** What a socket needs from a transport; implemented by polling and websocket, joined by composition. */
export interface ServerTransport extends EventEmitter<TransportEvents> {
  /** `"polling"` or `"websocket"`. */
  readonly name: TransportName;
  /**
   * True when `send()` writes at once: polling while a GET is waiting, websocket while nothing it was
   * given is still being written (socket.io drops volatile packets when it is false).
   */
  readonly writable: boolean;
  /** True once closed. */
  readonly closed: boolean;
  /**
   * Bytes handed to `send()` that are not yet written to the network (ws's buffer; a poll response
   * being written). It counts toward the socket's `maxBufferedBytes`.
   */
  readonly bufferedAmount: number;
  /**
   * Writes packets; only call while `writable`. With `thenClose`, the transport closes right after
   * (polling appends the `1` packet to this very response).
   */
  send(packets: readonly QueuedPacket[], options?: { thenClose?: boolean; inline?: boolean }): void;
  /**
   * Orderly close: polling delivers a `1` packet on the pending GET (with `linger`, on the next GET
   * if none is pending); websocket closes the socket.
   */
  close(options?: { linger?: boolean }): void;
  /** Drops the transport without a close packet (after an upgrade). */
  discard(): void;
  /** @internal The socket this transport reports to (set and cleared by the socket). */
  [kSink]: TransportSink | undefined;
}
