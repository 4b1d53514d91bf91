/**
 * @module The socket's current transport and how it changes: opening the first candidate, moving
 * on to the next one while opening (`tryAllTransports`), and the polling → websocket upgrade
 * (probe, then the swap: `5` on the new transport, the old one dropped).
 */

import type { HeartwireError, Packet } from "@heartwire/shared";
import type { ResolvedSocketOptions, TransportName } from "./options.js";
import type { HostIO } from "./platform/platform.js";
import { createTransport, rememberWebsocket, transportOrder } from "./transports/factory.js";
import type { ClientTransport, TransportCloseDetails, TransportRegistry } from "./transports/transport.js";
import { UpgradeProbe } from "./upgrade.js";

/** What the slot reports to its socket. */
export interface SlotHandlers {
  packet(packet: Packet<Uint8Array>): void;
  drain(): void;
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
export class TransportSlot {
  readonly #opts: ResolvedSocketOptions;
  readonly #io: HostIO;
  readonly #registry: TransportRegistry;
  readonly #handlers: SlotHandlers;
  readonly #candidates: TransportName[];
  #current: ClientTransport;
  #probe: UpgradeProbe | undefined;

  /** Opens the first candidate transport (events follow asynchronously). */
  constructor(opts: ResolvedSocketOptions, io: HostIO, registry: TransportRegistry, handlers: SlotHandlers) {
    this.#opts = opts;
    this.#io = io;
    this.#registry = registry;
    this.#handlers = handlers;
    this.#candidates = transportOrder(opts);
    this.#current = this.#openCandidate();
  }

  /** The transport in use. */
  get current(): ClientTransport {
    return this.#current;
  }

  /** True between `3probe` and the swap: application packets must wait. */
  get holdsWrites(): boolean {
    return this.#probe?.holdsWrites ?? false;
  }

  /** Opening failed: with `tryAllTransports`, moves on to the next candidate and returns true. */
  failover(): boolean {
    if (this.#current.name === "websocket") rememberWebsocket(false);
    if (!this.#opts.tryAllTransports || this.#candidates.length <= 1) return false;
    this.#drop(this.#current, false);
    this.#candidates.shift();
    this.#current = this.#openCandidate();
    return true;
  }

  /** After the handshake: remembers a working websocket, or starts probing an offered upgrade. */
  opened(sid: string, upgrades: readonly string[]): void {
    if (this.#current.name === "websocket") rememberWebsocket(true);
    if (!this.#opts.upgrade || this.#current.name !== "polling" || !upgrades.includes("websocket")) return;
    const probe = new UpgradeProbe(this.#current, createTransport("websocket", this.#registry, this.#opts, this.#io, sid), {
      upgrading: (transport) => this.#handlers.upgrading(transport),
      complete: (transport) => this.#swap(transport),
      fail: (error) => {
        this.#probe = undefined;
        rememberWebsocket(false);
        this.#handlers.upgradeError(error);
      },
    });
    this.#probe = probe;
    probe.start();
  }

  /** The socket is closing: a probe that has not paused polling yet is abandoned. */
  abandonProbe(): void {
    if (this.#probe === undefined || this.#probe.holdsWrites) return;
    this.#probe.abort();
    this.#probe = undefined;
  }

  /** Closes everything for good, without further events. */
  close(graceful: boolean): void {
    this.#probe?.abort();
    this.#probe = undefined;
    this.#drop(this.#current, graceful);
  }

  #openCandidate(): ClientTransport {
    const transport = createTransport(this.#candidates[0]!, this.#registry, this.#opts, this.#io);
    this.#attach(transport);
    transport.open();
    return transport;
  }

  #attach(transport: ClientTransport): void {
    const h = this.#handlers;
    transport.on("packet", (packet) => h.packet(packet));
    transport.on("drain", () => h.drain());
    transport.on("error", (error) => h.error(error));
    transport.on("close", (details) => h.close(details));
  }

  #drop(transport: ClientTransport, graceful: boolean): void {
    transport.removeAllListeners();
    transport.close(graceful);
  }

  #swap(transport: ClientTransport): void {
    this.#drop(this.#current, false);
    this.#probe = undefined;
    this.#current = transport;
    this.#attach(transport);
    transport.send([{ type: "upgrade" }]);
    rememberWebsocket(true);
    this.#handlers.upgraded(transport);
  }
}
