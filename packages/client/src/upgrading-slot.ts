/**
 * @module The transport strategy of the entries that ship polling: opening the first candidate,
 * moving on to the next one while opening (`tryAllTransports`), the polling → websocket upgrade
 * (probe, then the swap: `5` on the new transport, the old one dropped), and `rememberUpgrade`'s
 * memory of a working websocket.
 */

import type { ClientTransport } from "./transports/transport.js";
import { attach, createTransport, drop, type SlotFactory } from "./transport-slot.js";
import { startUpgradeProbe, type UpgradeProbe } from "./upgrade.js";

/** Whether a websocket connection succeeded before in this page or process (`rememberUpgrade`). */
let websocketWorked = false;

/**
 * Longest wait, ms, for an upgrade probe before polling resumes its requests (a probe that hangs);
 * also at most half the server's pingTimeout, so its pings still get through in time.
 */
const PROBE_POLL_HOLD = 500;

/**
 * Opens the first candidate transport: websocket first when `rememberUpgrade` and it worked before.
 * Fails over to the next candidate with `tryAllTransports`; upgrades polling to an offered websocket.
 */
export const upgradingSlot: SlotFactory = (opts, io, scheduler, handlers) => {
  const candidates = [...opts.transports];
  if (opts.rememberUpgrade && websocketWorked && candidates.includes("websocket")) {
    candidates.unshift(...candidates.splice(candidates.indexOf("websocket"), 1));
  }
  let probe: UpgradeProbe | undefined;

  const openCandidate = (): ClientTransport => {
    const transport = attach(createTransport(opts, io, scheduler, candidates[0]!), handlers);
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
    opened({ sid, pingTimeout }, upgrades) {
      remember(true);
      if (!opts.upgrade || current.name !== "polling" || !upgrades.includes("websocket")) return;
      current.hold?.(Math.min(PROBE_POLL_HOLD, pingTimeout / 2));
      const { events } = handlers;
      probe = startUpgradeProbe(current, createTransport(opts, io, scheduler, "websocket", sid), {
        upgrading: (transport) => events.emit("upgrading", transport),
        complete: (transport) => {
          drop(current, false);
          probe = undefined;
          current = attach(transport, handlers);
          transport.send([{ type: "upgrade" }]);
          remember(true);
          events.emit("upgrade", transport);
          handlers.flush(false);
        },
        fail: (error) => {
          probe = undefined;
          websocketWorked = false;
          events.emit("upgradeError", error);
          handlers.flush(true);
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
};
