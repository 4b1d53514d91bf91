/** @module The Socket's public types: ready states, close reasons and the typed event map. */

import type { CloseReason, OpenPacket, OutgoingPacket, PacketType } from "@heartwire/shared";
import type { MessageData } from "./platform/platform.js";
import type { ClientTransport, TransportCloseDetails } from "./transports/transport.js";

/** Lifecycle of a socket; it only moves forward. */
export type ReadyState = "opening" | "open" | "closing" | "closed";

/** Why a client socket closed (engine.io-client's strings). */
export type SocketCloseReason = Exclude<CloseReason, "server shutting down">;

/**
 * Second argument of `close`: the error for `transport error`/`parse error`, a description (and the
 * WebSocket close event as `context`) for `transport close`, nothing for `forced close`/`ping timeout`.
 */
export type CloseDetails = Error | TransportCloseDetails;

/** A received packet as the `packet` event reports it (binary data already in the socket's binaryType). */
export interface ReceivedPacket {
  readonly type: PacketType;
  readonly data?: MessageData | undefined;
}

/** A message as `packetCreate` reports it: with the `compress` flag of its `send()` (default true). */
export interface MessagePacket extends OutgoingPacket {
  readonly options: { readonly compress: boolean };
}

/** Options of `send()`. */
export interface SendOptions {
  /** Accepted for engine.io-client compatibility; this client does not negotiate compression. */
  readonly compress?: boolean;
}

/** Events of a {@link Socket}. */
export interface SocketEvents {
  /** The handshake completed; `send()` now writes through. */
  open: [];
  /** The server's open packet (sid, upgrades, pingInterval, pingTimeout, maxPayload). */
  handshake: [data: OpenPacket];
  /** A message from the server: a string, or binary in the socket's `binaryType`. */
  message: [data: MessageData];
  /** The same message, emitted just before `message` (socket.io-client listens to this one). */
  data: [data: MessageData];
  /** Every packet received. */
  packet: [packet: ReceivedPacket];
  /** Every packet queued for sending (messages, with their `options`, and pongs). */
  packetCreate: [packet: OutgoingPacket | MessagePacket];
  /** The server pinged us. */
  ping: [];
  /** We queued the pong that answers a ping (emitted right after `ping`). */
  pong: [];
  /** Any packet arrived (a sign of life). */
  heartbeat: [];
  /** A round-trip sample (ms) from the spacing of two pings, and the smoothed round-trip time. */
  rtt: [rtt: number, smoothedRtt: number];
  /** The probe answered `3probe`; polling is being paused for the switch. */
  upgrading: [transport: ClientTransport];
  /** The socket now runs on `transport`. */
  upgrade: [transport: ClientTransport];
  /** The upgrade failed; the socket keeps its transport. */
  upgradeError: [error: Error];
  /** Everything queued has been written. */
  drain: [];
  /** A batch was handed to the transport. */
  flush: [];
  /**
   * A transport failure or an invalid packet (a `close` follows), or, as in engine.io-client, the
   * string `"No transports available"` when the `transports` option leaves none (no `close` follows).
   */
  error: [error: Error | "No transports available"];
  /** The socket closed; it will not reopen. */
  close: [reason: SocketCloseReason, details?: CloseDetails];
}
