/** @module The polling → WebSocket upgrade, as a small state object with one cleanup (PROTOCOL.md §1.5). */

import type { Packet, Scheduler, TimerHandle } from "@heartwire/shared";
import type { ServerTransport } from "./transports/transport.js";

/** Where an upgrade stands: waiting for `2probe`, waiting for `5`, or finished either way. */
export type UpgradeState = "probing" | "probed" | "upgraded" | "failed";

/** Milliseconds between noops that release a held GET while the client finishes the upgrade. */
export const UPGRADE_NOOP_INTERVAL = 100;

/** What the probe needs from its socket. */
export interface UpgradeHost {
  /** Writes a `6` noop on the current polling transport if a GET is waiting. */
  releasePoll(): void;
  /** `3probe` was sent: emit `upgrading`. */
  upgrading(transport: ServerTransport): void;
  /** `5` arrived: swap transports. */
  upgraded(transport: ServerTransport): void;
  /** The probe failed or timed out (already closed). */
  failed(transport: ServerTransport, reason: string): void;
}

/**
 * Runs one probe transport through `2probe` → `3probe` → `5`. Any other packet, an error, the
 * transport closing or `upgradeTimeout` passing closes the probe transport and reports failure.
 */
export class UpgradeProbe {
  readonly #transport: ServerTransport;
  readonly #host: UpgradeHost;
  readonly #scheduler: Scheduler;
  readonly #timeout: TimerHandle;
  #noopTimer: TimerHandle | undefined;
  #state: UpgradeState = "probing";

  /** Starts watching `transport`; it fails after `upgradeTimeout` ms without a `5`. */
  constructor(transport: ServerTransport, host: UpgradeHost, scheduler: Scheduler, upgradeTimeout: number) {
    this.#transport = transport;
    this.#host = host;
    this.#scheduler = scheduler;
    this.#timeout = scheduler.setTimeout(() => this.cancel("upgrade timeout"), upgradeTimeout);
    transport.on("packet", this.#onPacket);
    transport.on("parseError", this.#onParseError);
    transport.on("error", this.#onError);
    transport.on("close", this.#onClose);
  }

  /** Current state. */
  get state(): UpgradeState {
    return this.#state;
  }

  /** True while the upgrade is in progress. */
  get active(): boolean {
    return this.#state === "probing" || this.#state === "probed";
  }

  /** Abandons the upgrade and closes the probe transport. */
  cancel(reason = "upgrade cancelled"): void {
    if (!this.active) return;
    this.#cleanup();
    this.#state = "failed";
    this.#transport.close();
    this.#host.failed(this.#transport, reason);
  }

  readonly #onPacket = (packet: Packet<Buffer>): void => {
    if (packet.type === "ping" && packet.data === "probe" && this.#state === "probing") {
      this.#state = "probed";
      this.#transport.send([{ type: "pong", data: "probe", options: { compress: false } }]);
      this.#host.upgrading(this.#transport);
      this.#releasePoll();
    } else if (packet.type === "upgrade") {
      this.#cleanup();
      this.#state = "upgraded";
      this.#host.upgraded(this.#transport);
    } else {
      this.cancel(`unexpected ${packet.type} packet during upgrade`);
    }
  };

  readonly #onParseError = (): void => this.cancel("parse error during upgrade");
  readonly #onError = (): void => this.cancel("probe transport error");
  readonly #onClose = (): void => this.cancel("probe transport closed");

  #releasePoll(): void {
    this.#host.releasePoll();
    if (this.#noopTimer === undefined) {
      this.#noopTimer = this.#scheduler.setTimeout(() => this.#releasePoll(), UPGRADE_NOOP_INTERVAL);
    } else this.#noopTimer.refresh(UPGRADE_NOOP_INTERVAL);
  }

  #cleanup(): void {
    this.#timeout.cancel();
    this.#noopTimer?.cancel();
    this.#transport.off("packet", this.#onPacket);
    this.#transport.off("parseError", this.#onParseError);
    this.#transport.off("error", this.#onError);
    this.#transport.off("close", this.#onClose);
  }
}
