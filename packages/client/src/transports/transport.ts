/** @module The interface every client transport implements, and its typed events. */

import { Emitter } from "../emitter.js";
import type { HeartwireError, OutgoingPacket, Packet, Scheduler } from "@heartwire/shared";
import type { TransportName } from "../options.js";
import type { HostIO } from "../platform/platform.js";

/** Why a transport closed, as engine.io-client reports it in `close(reason, details)`. */
export interface TransportCloseDetails {
  /** "transport closed by the server", "websocket connection closed", "network connection lost"… */
  readonly description: string;
  /** The WebSocket close event (`code`, `reason`) when there is one. */
  readonly context?: unknown;
}

/** Events a transport emits towards its socket. */
export interface TransportEvents {
  /** The connection is established (websocket open; polling: handshake reply received). */
  open: [];
  /** A packet arrived. Binary message data is a Uint8Array here. */
  packet: [packet: Packet<Uint8Array>];
  /** The last batch handed to `send()` was written; the transport is writable again. */
  drain: [];
  /** The transport failed; `HW_ERR_INVALID_PACKET`/`HW_ERR_INVALID_PAYLOAD` mean the peer sent garbage. */
  error: [error: HeartwireError];
  /**
   * The server answered the batch in flight with an HTTP error: it did not take those packets (the
   * socket reports them in `unsent`). An `error` or `close` follows.
   */
  refused: [];
  /** The peer or the network closed the transport. */
  close: [details: TransportCloseDetails];
}

/** A client transport: polling or websocket. */
export interface ClientTransport extends Emitter<TransportEvents> {
  /** `"polling"` or `"websocket"`. */
  readonly name: TransportName;
  /** True when `send()` may be called (no batch in flight, connection open). */
  readonly writable: boolean;
  /** Size of what was handed to `send()` and not yet taken by the network (POST in flight, WebSocket buffer). */
  readonly bufferedAmount: number;
  /**
   * Set when the server's `maxPayload` bounds a batch (polling: one POST body): bytes `packet` adds
   * to it. Otherwise batches are unbounded.
   */
  readonly batchBytes?: ((packet: OutgoingPacket, first: boolean) => number) | undefined;
  /** Starts connecting; events follow asynchronously. */
  open(): void;
  /** Sets the session id used by later requests. */
  setSid(sid: string): void;
  /** Writes one batch; `drain` follows when it is written. */
  send(packets: readonly OutgoingPacket[]): void;
  /** Stops issuing requests and calls `onPaused` once nothing is in flight (used by the upgrade). */
  pause(onPaused: () => void): void;
  /** Undoes `pause()` (and `hold()`). */
  resume(): void;
  /** Polling: starts no new request for up to `ms` while an upgrade probe runs (see `PollingTransport.hold`). */
  hold?(ms: number): void;
  /**
   * Closes for good. `graceful`: tell the server (polling POSTs `1`, websocket closes normally);
   * otherwise drop the connection at once. No events are emitted afterwards.
   */
  close(graceful: boolean): void;
}

/** What a transport needs from its socket. */
export interface TransportContext {
  /** The socket's network layer. */
  readonly io: HostIO;
  /** Builds the URL of a request for this transport and session (undefined before the handshake). */
  readonly url: (transport: TransportName, sid: string | undefined) => string;
  /** Headers for HTTP requests and (Node) the WebSocket handshake. */
  readonly extraHeaders: Readonly<Record<string, string>>;
  /** Encode binary as base64 text even where binary frames are possible. */
  readonly forceBase64?: boolean | undefined;
  /** Largest poll response (characters) or message accepted from the server. */
  readonly maxIncomingPayload: number;
  /** Polling: abort a request unanswered after this many ms (undefined: never). */
  readonly requestTimeout?: number | undefined;
  /** WebSocket subprotocols to offer. */
  readonly protocols?: string | readonly string[] | undefined;
  /** Clock and timers: the socket's (on Node, its timers follow the socket's `unref()`). */
  readonly scheduler: Scheduler;
  /** Session id when the transport joins an existing session (upgrade probe). */
  readonly sid?: string | undefined;
}

/**
 * The base class of this package's transports (engine.io-client's `Transport` export): an emitter of
 * {@link TransportEvents}. A custom transport passed in the `transports` option implements
 * {@link ClientTransport}, is constructed with a {@link TransportContext}, and names itself with
 * `prototype.name` (`"polling"` or `"websocket"`).
 */
export abstract class Transport extends Emitter<TransportEvents> {}

/**
 * engine.io-client's `WebTransport` class name (socket.io-client re-exports it). This client does
 * not implement WebTransport: in the `transports` option this class is ignored, like the name.
 */
export class WebTransport {
  /** Always `"webtransport"`. */
  get name(): "webtransport" {
    return "webtransport";
  }
}

/** A transport class as the `transports` option takes it. */
export type TransportClass = (new (ctx: TransportContext) => ClientTransport) & { readonly prototype: { readonly name: string } };

/**
 * The transports an entry ships, by name. A Socket can only use the ones listed, so an entry that
 * lists only `websocket` lets bundlers drop the polling code (and the payload codec) entirely.
 */
export type TransportRegistry = Readonly<Partial<Record<TransportName, TransportClass>>>;
