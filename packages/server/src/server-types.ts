/** @module The public types of a {@link Server}: its events, the `connection_error` payload, and the options of `close()`. */

import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { ProtocolErrorInfo } from "@heartwire/shared";
import type { Server } from "./server.js";
import type { Socket } from "./socket.js";
import type { QueuedPacket } from "./transports/transport.js";

/** The payload of `connection_error`: which request, which protocol error, and why. */
export interface ConnectionErrorEvent {
  readonly req: IncomingMessage;
  readonly code: ProtocolErrorInfo["code"];
  /** The canonical message of the code. */
  readonly message: string;
  readonly context: Readonly<Record<string, unknown>>;
}

/** Typed events of a {@link Server}. */
export interface ServerEvents {
  /** A new session opened. */
  connection: (socket: Socket) => void;
  /** A request was refused. */
  connection_error: (error: ConnectionErrorEvent) => void;
  /** Headers of a handshake response (polling 200 or WebSocket 101); mutate to add headers. */
  initial_headers: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void;
  /** Headers of every data response (and the 101); mutate to add headers. */
  headers: (headers: OutgoingHttpHeaders, req: IncomingMessage) => void;
  /** A socket handed packets to its transport. */
  flush: (socket: Socket, buffer: readonly QueuedPacket[]) => void;
  /** A socket handed its write buffer to its transport (the socket's `drain`). */
  drain: (socket: Socket) => void;
  /** The http.Server made by `listen()` failed: could not listen (when `listen()` got no callback), or later. */
  error: (error: Error) => void;
}

/** Options of {@link Server.close}. */
export interface CloseOptions {
  /**
   * Flush each socket's buffer and send the close packet (reason "forced close") instead of
   * dropping everything at once (reason "server shutting down"). @default false
   */
  readonly graceful?: boolean;
  /**
   * With `graceful`: sessions still open this many ms after `close()` (a polling client that never
   * comes back for its close packet, a slow reader) are dropped ("server shutting down").
   * @default undefined (each polling session waits at most `closeTimeout`)
   */
  readonly timeout?: number;
  /**
   * With `graceful`: ms over which the sessions are closed, in random order, a share every 10 ms,
   * so that the clients, which reconnect as soon as they see the close, do not all reach the
   * remaining servers at once. 0 closes every session at once.
   * @default timeout / 2 (0 without a timeout)
   */
  readonly spread?: number;
}
