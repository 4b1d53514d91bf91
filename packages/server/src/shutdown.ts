/**
 * @module A server's shutdown: from `close()` until its last session ended, no new sessions; every
 * session is closed, at once or gracefully (spread over a window, with an optional deadline), and the
 * `close()` callbacks run after the last one ended. Then the server takes sessions again (engine.io's
 * `close()` is not final: an http.Server that listens again brings its engine back).
 */

import { HeartwireError, type Scheduler, type TimerHandle } from "@heartwire/shared";
import type { CloseOptions } from "./server-types.js";
import type { Socket } from "./socket.js";
import { kDrainClose, kShutdown } from "./socket-types.js";

/** Ms between two shares of a spread close. */
export const SPREAD_STEP = 10;

function checkMs(name: string, value: unknown): void {
  if (value !== undefined && !(typeof value === "number" && value >= 0 && Number.isFinite(value))) {
    throw new HeartwireError("HW_ERR_INVALID_OPTION", `close() ${name} must be a finite number >= 0, got ${String(value)}`);
  }
}

/** The shutdown state of one server, over its live session map. */
export class Shutdown {
  readonly #sessions: ReadonlyMap<string, Socket>;
  readonly #scheduler: Scheduler;
  readonly #random: () => number;
  #begun = false;
  #count = 0;
  /** close() callbacks waiting for the last session to end. */
  readonly #waiters: Array<() => void> = [];
  /** Drops the sessions a graceful close still has at its `timeout`. */
  #deadline: TimerHandle | undefined;
  /** Sessions a spread close has yet to close, in the (random) order it closes them. */
  #pending: Socket[] = [];
  #spreadTimer: TimerHandle | undefined;

  /** Watches `sessions` (the server's own map, which it keeps current); `random` orders a spread close. */
  constructor(sessions: ReadonlyMap<string, Socket>, scheduler: Scheduler, random: () => number = Math.random) {
    this.#sessions = sessions;
    this.#scheduler = scheduler;
    this.#random = random;
  }

  /** True from `close()` until the last session ended: handshakes are refused meanwhile. */
  get begun(): boolean {
    return this.#begun;
  }

  /** How many times `close()` was called: a handshake that saw it change while it waited is refused. */
  get count(): number {
    return this.#count;
  }

  /** Closes every session as `options` say; `callback` runs once none is left. */
  begin(options: CloseOptions, callback?: () => void): void {
    const { timeout } = options;
    checkMs("timeout", timeout);
    checkMs("spread", options.spread);
    this.#begun = true;
    this.#count++;
    if (callback) this.#waiters.push(callback);
    if (!options.graceful) {
      this.#stopSpread();
      for (const socket of [...this.#sessions.values()]) socket[kShutdown]();
    } else if (this.#spreadTimer === undefined) {
      this.#spread(options.spread ?? (timeout === undefined ? 0 : timeout / 2));
    }
    if (options.graceful && timeout !== undefined && this.#sessions.size > 0 && this.#deadline === undefined) {
      this.#deadline = this.#scheduler.setTimeout(() => {
        this.#stopSpread();
        for (const socket of [...this.#sessions.values()]) socket[kShutdown]();
      }, timeout);
    }
    this.sessionEnded();
  }

  /** Called after a session left the map: after the last one, ends the shutdown and runs the callbacks (after its `close` event). */
  sessionEnded(): void {
    if (!this.#begun || this.#sessions.size > 0) return;
    this.#begun = false;
    this.#deadline?.cancel();
    this.#deadline = undefined;
    this.#stopSpread();
    for (const callback of this.#waiters.splice(0)) queueMicrotask(callback);
  }

  /** Closes the sessions in random order over `window` ms: step k closes the k-th of ⌊window / step⌋ shares. */
  #spread(window: number): void {
    const order = [...this.#sessions.values()];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const steps = Math.max(1, Math.floor(window / SPREAD_STEP));
    const total = order.length;
    this.#pending = order;
    let step = 0;
    const closeShare = (): void => {
      step++;
      // After step k, ⌈k·n / steps⌉ sessions have been asked to close.
      const due = Math.ceil((step * total) / steps) - (total - this.#pending.length);
      for (const socket of this.#pending.splice(0, due)) socket[kDrainClose]();
      if (this.#pending.length === 0) {
        this.#spreadTimer = undefined;
        return;
      }
      this.#spreadTimer = this.#scheduler.setTimeout(closeShare, SPREAD_STEP);
    };
    closeShare();
  }

  #stopSpread(): void {
    this.#spreadTimer?.cancel();
    this.#spreadTimer = undefined;
    this.#pending = [];
  }
}
