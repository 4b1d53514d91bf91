/**
 * @module The types around a server {@link Socket}: its ready states, message data, send options and
 * events (public), and its contract with the server (what the server hands it, what it reports
 * back, and the internal hooks the server calls).
 */

import type { IncomingMessage } from "node:http";
import type { CloseReason, HeartbeatTiming, Packet, RttEstimate, Scheduler } from "@heartwire/shared";
import type { LoopStalls } from "./loop-watch.js";
import type { ResolvedOptions } from "./options.js";
import type { Socket } from "./socket.js";
import type { QueuedPacket, ServerTransport } from "./transports/transport.js";

/** A socket's lifecycle. Moves only forward: opening → open → closing → closed. */
export type ReadyState = "opening" | "open" | "closing" | "closed";

/** Data a socket sends or receives: text, or binary (received binary is always a Buffer). */
export type MessageData = string | Buffer | ArrayBuffer | ArrayBufferView;

/**
 * What `send()` takes: message data, or (as engine.io does) any other value, sent as its string
 * form (`String(value)`), with a falsy one (`null`, `undefined`, `0`, `false`) sent as an empty message.
 */
export type SendData = MessageData | number | boolean | null | undefined;

/** Per-message options, as in engine.io (other fields, such as socket.io's, are ignored). */
export interface SendOptions {
  /** Allow permessage-deflate / HTTP compression for this packet. @default true */
  compress?: boolean;
  /**
   * The packet's complete WebSocket frame, already built (socket.io passes it for broadcasts): written
   * as is on a WebSocket when permessage-deflate is off; otherwise the data is encoded as usual.
   */
  wsPreEncodedFrame?: Buffer | readonly Buffer[];
}

/** Called once the packet has been written to the network, with the transport that wrote it. */
export type SendCallback = (transport: ServerTransport) => void;

/** Typed events of a {@link Socket}. */
export interface SocketEvents {
  /** A message from the client (a string, or a Buffer for binary). */
  message: (data: string | Buffer) => void;
  /** Alias of `message`, as in engine.io. */
  data: (data: string | Buffer) => void;
  /** The session ended; emitted once. `description` is the error behind "transport error"/"parse error". */
  close: (reason: CloseReason, description?: Error) => void;
  /** A pong answered our ping. */
  heartbeat: () => void;
  /** A new round-trip sample (ms, from ping written to pong received) and the smoothed estimate. */
  rtt: (rtt: number, estimate: RttEstimate) => void;
  /** The client probed a WebSocket (`2probe` answered with `3probe`). */
  upgrading: (transport: ServerTransport) => void;
  /** The session now runs on the new transport. */
  upgrade: (transport: ServerTransport) => void;
  /**
   * The write buffer was handed to the transport and is empty again (engine.io's meaning; the send
   * callbacks tell when their packets were written).
   */
  drain: () => void;
  /** Packets are about to be handed to the transport. */
  flush: (buffer: readonly QueuedPacket[]) => void;
  /** Every packet received (including pongs). */
  packet: (packet: Packet<Buffer>) => void;
  /** Every packet created for sending (including pings). */
  packetCreate: (packet: QueuedPacket) => void;
}

/** What a socket reports to its server; one object per server, shared by all its sockets. */
export interface SocketHost {
  /** The socket closed (called before its `close` event). */
  socketClosed(socket: Socket): void;
  /** The socket handed packets to its transport. */
  socketFlushed(socket: Socket, buffer: readonly QueuedPacket[]): void;
  /** The socket handed its write buffer to its transport. */
  socketDrained(socket: Socket): void;
}

/** What the server hands a new socket. */
export interface SocketInit {
  readonly id: string;
  readonly request: IncomingMessage;
  readonly transport: ServerTransport;
  readonly options: ResolvedOptions;
  readonly timing: HeartbeatTiming;
  /** Scheduler for heartbeat timers (the server's timer wheel). */
  readonly heartbeatScheduler: Scheduler;
  /** The server's watch on its own event loop, for dating pongs read after a block. */
  readonly loopStalls: LoopStalls;
  readonly upgrades: readonly string[];
  /** The server side of the socket (shared by every socket of a server). */
  readonly host: SocketHost;
}

/** Internal hooks: reachable by the server through these symbols, not part of the public API. */
export const kOpen = Symbol("heartwire.open");
/** @see kOpen */
export const kMaybeUpgrade = Symbol("heartwire.maybeUpgrade");
/** @see kOpen */
export const kShutdown = Symbol("heartwire.shutdown");
/** @see kOpen */
export const kDrainClose = Symbol("heartwire.drainClose");
/** @see kOpen */
export const kRequestArrived = Symbol("heartwire.requestArrived");
