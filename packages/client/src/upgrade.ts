/**
 * @module The polling → websocket upgrade as one small state object with a single `cleanup()`:
 * open the probe WebSocket with the session id, send `2probe`, on `3probe` pause polling (wait for
 * the GET and POST in flight), then hand over so the socket sends `5`, swaps and flushes. A probe that
 * dies after polling was paused resumes polling (engine.io-client would stay paused forever).
 */

import { HeartwireError, type Packet } from "@heartwire/shared";
import type { ClientTransport, TransportCloseDetails } from "./transports/transport.js";

/**
 * `probing`: waiting for the WebSocket and `3probe`; `pausing`: waiting for polling to go quiet;
 * `done`: handed over; `failed`: given up (polling goes on).
 */
export type UpgradeState = "probing" | "pausing" | "done" | "failed";

/** What the probe asks of its socket. */
export interface UpgradeHooks {
  /** `3probe` arrived: the socket emits `upgrading`. */
  upgrading(transport: ClientTransport): void;
  /** Polling is quiet: the socket sends `5` on `transport`, swaps to it and flushes. */
  complete(transport: ClientTransport): void;
  /** The probe failed; the socket emits `upgradeError` and keeps its transport. */
  fail(error: HeartwireError): void;
}

/** One attempt to upgrade to `transport`. */
export class UpgradeProbe {
  readonly #current: ClientTransport;
  readonly #transport: ClientTransport;
  readonly #hooks: UpgradeHooks;
  #state: UpgradeState = "probing";

  /** Prepares a probe from `current` to `transport`; {@link UpgradeProbe.start} opens the connection. */
  constructor(current: ClientTransport, transport: ClientTransport, hooks: UpgradeHooks) {
    this.#current = current;
    this.#transport = transport;
    this.#hooks = hooks;
  }

  /** Current state. */
  get state(): UpgradeState {
    return this.#state;
  }

  /** True between `3probe` and the swap: messages wait so none is sent on the old transport. */
  get holdsWrites(): boolean {
    return this.#state === "pausing";
  }

  /** The transport being probed. */
  get transport(): ClientTransport {
    return this.#transport;
  }

  /** Opens the probe connection. */
  start(): void {
    const t = this.#transport;
    t.on("open", this.#onOpen);
    t.on("packet", this.#onPacket);
    t.on("error", this.#onError);
    t.on("close", this.#onClose);
    t.open();
  }

  /** Gives up quietly (the socket is closing): closes the probe, resumes nothing, reports nothing. */
  abort(): void {
    if (this.#state === "done" || this.#state === "failed") return;
    this.#state = "failed";
    this.#cleanup();
    this.#transport.close(false);
  }

  readonly #onOpen = (): void => {
    if (this.#state === "probing") this.#transport.send([{ type: "ping", data: "probe" }]);
  };

  readonly #onPacket = (packet: Packet<Uint8Array>): void => {
    if (this.#state !== "probing") return;
    if (packet.type === "pong" && packet.data === "probe") {
      this.#state = "pausing";
      this.#hooks.upgrading(this.#transport);
      if (this.#state !== "pausing") return;
      this.#current.pause(this.#onPaused);
      return;
    }
    this.#fail(new HeartwireError("HW_ERR_PROTOCOL", `probe error: unexpected ${packet.type} packet`));
  };

  readonly #onPaused = (): void => {
    if (this.#state !== "pausing") return;
    this.#state = "done";
    this.#cleanup();
    this.#hooks.complete(this.#transport);
  };

  readonly #onError = (error: HeartwireError): void => {
    this.#fail(new HeartwireError("HW_ERR_TRANSPORT", "probe error", { cause: error }));
  };

  readonly #onClose = (details: TransportCloseDetails): void => {
    this.#fail(new HeartwireError("HW_ERR_TRANSPORT", `probe error: ${details.description}`, { cause: details }));
  };

  #fail(error: HeartwireError): void {
    const previous = this.#state;
    if (previous === "done" || previous === "failed") return;
    this.#state = "failed";
    this.#cleanup();
    this.#transport.close(false);
    if (previous === "pausing") this.#current.resume();
    this.#hooks.fail(error);
  }

  #cleanup(): void {
    const t = this.#transport;
    t.off("open", this.#onOpen);
    t.off("packet", this.#onPacket);
    t.off("error", this.#onError);
    t.off("close", this.#onClose);
  }
}
