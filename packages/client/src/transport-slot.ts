/**
 * @module The socket's transport slot: what a socket asks of the strategy that opens and holds its
 * transport, and the simplest strategy, {@link singleTransport} (one transport for the whole
 * session: the websocket-only entries). `upgrading-slot.ts` is the strategy of the entries that
 * also ship polling (failover, upgrade, `rememberUpgrade`).
 */

import type { HeartwireError, OpenPacket, Packet, Scheduler } from "@heartwire/shared";
import type { Emitter } from "./emitter.js";
import type { ResolvedSocketOptions, TransportName } from "./options.js";
import type { HostIO } from "./platform/platform.js";
import { requestUrl } from "./request-url.js";
import type { SocketEvents } from "./socket-events.js";
import type { ClientTransport, TransportCloseDetails } from "./transports/transport.js";

/** What the slot reports to its socket. */
export interface SlotHandlers {
  packet(packet: Packet<Uint8Array>): void;
  drain(): void;
  /** The batch in flight was refused by the server (not delivered). */
  refused(): void;
  error(error: HeartwireError): void;
  close(details: TransportCloseDetails): void;
  /** The socket, for the upgrade events (`upgrading`, `upgrade`, `upgradeError`). */
  readonly events: Emitter<SocketEvents>;
  /** Writes what waits; `settle`: then finishes a pending `close()` if nothing is left. */
  flush(settle: boolean): void;
}

/** Holds the socket's transport; a strategy may swap it on failover and upgrade. */
export interface TransportSlot {
  /** The transport in use. */
  readonly current: ClientTransport;
  /** True between `3probe` and the swap: application packets must wait. */
  readonly holdsWrites?: boolean;
  /** Opening failed: moves on to the next candidate and returns true, if the strategy has one. */
  failover?(): boolean;
  /** After the handshake (`upgrades`: the ones this socket may use): may start an upgrade. */
  opened?(open: OpenPacket, upgrades: readonly string[]): void;
  /** The socket is closing: a probe that has not paused polling yet is abandoned. */
  abandonProbe?(): void;
  /** Closes everything for good, without further events. */
  close(graceful: boolean): void;
}

/**
 * A strategy: opens the first transport (events follow asynchronously) and returns the slot. Its
 * transports use `io` and `scheduler` (the socket's, whatever `transportOptions` say).
 */
export type SlotFactory = (opts: ResolvedSocketOptions, io: HostIO, scheduler: Scheduler, handlers: SlotHandlers) => TransportSlot;

/** Creates transport `name` with its own options (`transportOptions`), joining session `sid` if given. */
export function createTransport(opts: ResolvedSocketOptions, io: HostIO, scheduler: Scheduler, name: TransportName, sid?: string): ClientTransport {
  const own = opts.transportOptions?.[name] ?? opts;
  // `opts.transportClasses` has a class for each of `opts.transports` (see `resolveSocketOptions`).
  return new opts.transportClasses[name]!({ ...own, io, scheduler, sid, url: (transport, s) => requestUrl(own, transport, s) });
}

/** Routes `transport`'s events to the socket. */
export const attach = (transport: ClientTransport, h: SlotHandlers): ClientTransport =>
  transport.on("packet", h.packet).on("drain", h.drain).on("refused", h.refused).on("error", h.error).on("close", h.close);

/** Detaches and closes `transport`. */
export const drop = (transport: ClientTransport | undefined, graceful: boolean): void => {
  transport?.removeAllListeners().close(graceful);
};

/** Opens the first transport of `opts.transports` and keeps it for the whole session. */
export const singleTransport: SlotFactory = (opts, io, scheduler, handlers) => {
  const name = opts.transports[0];
  // No transport: the socket reports "No transports available" and never has one.
  const current = name && attach(createTransport(opts, io, scheduler, name), handlers);
  current?.open();
  return {
    current: current as ClientTransport,
    close: (graceful) => drop(current, graceful),
  };
};
