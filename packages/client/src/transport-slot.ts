/**
 * @module The socket's current transport and how it changes: opening the first candidate, moving
 * on to the next one while opening (`tryAllTransports`), the polling → websocket upgrade (probe,
 * then the swap: `5` on the new transport, the old one dropped), and `rememberUpgrade`'s memory of
 * a working websocket.
 */

import type { HeartwireError, Packet } from "@heartwire/shared";
import type { ResolvedSocketOptions, TransportName } from "./options.js";
import type { HostIO, Platform } from "./platform/platform.js";
import { requestUrl } from "./request-url.js";
import type { ClientTransport, TransportCloseDetails } from "./transports/transport.js";
import type { UpgradeProbe } from "./upgrade.js";

/** What the slot reports to its socket. */
export interface SlotHandlers {
  packet(packet: Packet<Uint8Array>): void;
  drain(): void;
  /** The batch in flight was refused by the server (not delivered). */
  refused(): void;
  error(error: HeartwireError): void;
  close(details: TransportCloseDetails): void;
  /** `3probe` arrived; polling is being paused. */
  upgrading(transport: ClientTransport): void;
  /** The socket now runs on `transport` (the `5` packet has been written). */
  upgraded(transport: ClientTransport): void;
  /** The probe failed; the current transport goes on. */
  upgradeError(error: HeartwireError): void;
}

/** Holds the socket's transport; swaps it on failover and upgrade. */
export interface TransportSlot {
  /** The transport in use. */
  readonly current: ClientTransport;
  /** True between `3probe` and the swap: application packets must wait. */
  readonly holdsWrites: boolean;
  /** Opening failed: with `tryAllTransports`, moves on to the next candidate and returns true. */
  failover(): boolean;
  /**
   * After the handshake: remembers a working websocket, or starts probing an offered upgrade, the
   * current transport making no new request for up to `holdMs` meanwhile.
   */
  opened(sid: string, upgrades: readonly string[], holdMs: number): void;
  /** The socket is closing: a probe that has not paused polling yet is abandoned. */
  abandonProbe(): void;
  /** Closes everything for good, without further events. */
  close(graceful: boolean): void;
}

/** Whether a websocket connection succeeded before in this page or process (`rememberUpgrade`). */
let websocketWorked = false;

/**
 * Opens the first candidate transport (events follow asynchronously): websocket first when
 * `rememberUpgrade` and it worked before. The platform's transports and upgrade probe are used.
 */
export function transportSlot(
  opts: ResolvedSocketOptions,
  io: HostIO,
  { upgrade }: Pick<Platform, "upgrade">,
  handlers: SlotHandlers,
): TransportSlot {
  const candidates = [...opts.transports];
  if (opts.rememberUpgrade && websocketWorked && candidates.includes("websocket")) {
    candidates.unshift(...candidates.splice(candidates.indexOf("websocket"), 1));
  }
  let probe: UpgradeProbe | undefined;

  // `opts.transportClasses` has a class for each of `opts.transports` (see `resolveSocketOptions`).
  const create = (name: TransportName, sid?: string): ClientTransport => {
    const own = opts.transportOptions?.[name] ?? opts;
    return new opts.transportClasses[name]!({ ...own, io, sid, url: (transport, s) => requestUrl(own, transport, s) });
  };

  const attach = (transport: ClientTransport): ClientTransport =>
    transport.on("packet", handlers.packet).on("drain", handlers.drain).on("refused", handlers.refused).on("error", handlers.error).on("close", handlers.close);

  const drop = (transport: ClientTransport | undefined, graceful: boolean): void => {
    transport?.removeAllListeners().close(graceful);
  };

  const openCandidate = (): ClientTransport => {
    const transport = attach(create(candidates[0]!));
    transport.open();
    return transport;
  };

  const remember = (worked: boolean): void => {
    if (current.name === "websocket") websocketWorked = worked;
  };

  const abortProbe = (): void => {
    probe?.abort();
    probe = undefined;
  };

  // No candidate: the socket reports "No transports available" and never has a transport.
  let current = candidates.length ? openCandidate() : (undefined as unknown as ClientTransport);

  return {
    get current() {
      return current;
    },
    get holdsWrites() {
      return !!probe?.holdsWrites;
    },
    failover() {
      remember(false);
      if (!opts.tryAllTransports || candidates.length <= 1) return false;
      drop(current, false);
      candidates.shift();
      current = openCandidate();
      return true;
    },
    opened(sid, upgrades, holdMs) {
      remember(true);
      if (!upgrade || !opts.upgrade || current.name !== "polling" || !upgrades.includes("websocket")) return;
      current.hold?.(holdMs);
      probe = upgrade(current, create("websocket", sid), {
        upgrading: handlers.upgrading,
        complete: (transport) => {
          drop(current, false);
          probe = undefined;
          current = attach(transport);
          transport.send([{ type: "upgrade" }]);
          remember(true);
          handlers.upgraded(transport);
        },
        fail: (error) => {
          probe = undefined;
          websocketWorked = false;
          handlers.upgradeError(error);
        },
      });
    },
    abandonProbe() {
      if (!probe?.holdsWrites) abortProbe();
    },
    close(graceful) {
      abortProbe();
      drop(current, graceful);
    },
  };
}
