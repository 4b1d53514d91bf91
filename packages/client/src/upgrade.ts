/**
 * @module The polling → websocket upgrade as one small state object with a single cleanup: open
 * the probe WebSocket with the session id, send `2probe`, on `3probe` pause polling (wait for the
 * GET and POST in flight), then hand over so the socket sends `5`, swaps and flushes. A probe that
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

/** One running attempt to upgrade to another transport. */
export interface UpgradeProbe {
  /** Current state. */
  readonly state: UpgradeState;
  /** True between `3probe` and the swap: messages wait so none is sent on the old transport. */
  readonly holdsWrites: boolean;
  /** Gives up quietly (the socket is closing): closes the probe, resumes nothing, reports nothing. */
  abort(): void;
}

/** Opens `transport` as a probe to replace `current`; {@link UpgradeHooks} report how it goes. */
export function startUpgradeProbe(current: ClientTransport, transport: ClientTransport, hooks: UpgradeHooks): UpgradeProbe {
  let state: UpgradeState = "probing";

  const probeError = (message: string, cause?: object): HeartwireError =>
    new HeartwireError(cause ? "HW_ERR_TRANSPORT" : "HW_ERR_PROTOCOL", `probe error${message}`, cause && { cause });

  /** Leaves `probing`/`pausing` for `to`, detaching from the probe transport; false if already left. */
  const leave = (to: UpgradeState): boolean => {
    if (state === "done" || state === "failed") return false;
    state = to;
    listen("off");
    return true;
  };

  const end = (error?: HeartwireError): void => {
    if (!leave("failed")) return;
    transport.close(false);
    if (error) {
      // Polling was held or paused for this probe: it goes on.
      current.resume();
      hooks.fail(error);
    }
  };

  const listeners = {
    open: (): void => {
      if (state === "probing") transport.send([{ type: "ping", data: "probe" }]);
    },
    packet: (packet: Packet<Uint8Array>): void => {
      if (state !== "probing") return;
      if (packet.type !== "pong" || packet.data !== "probe") return end(probeError(`: unexpected ${packet.type} packet`));
      state = "pausing";
      hooks.upgrading(transport);
      if (state === "pausing") current.pause(() => state === "pausing" && leave("done") && hooks.complete(transport));
    },
    error: (error: HeartwireError): void => end(probeError("", error)),
    close: (details: TransportCloseDetails): void => end(probeError(`: ${details.description}`, details)),
  };

  const listen = (method: "on" | "off"): void => {
    for (const [event, listener] of Object.entries(listeners)) transport[method](event as "open", listener as () => void);
  };

  listen("on");
  transport.open();
  return {
    get state() {
      return state;
    },
    get holdsWrites() {
      return state === "pausing";
    },
    abort: () => end(),
  };
}
