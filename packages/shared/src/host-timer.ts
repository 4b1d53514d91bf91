/**
 * @module The real timer behind `realScheduler`: the host's `setTimeout`, using Node's `refresh()`
 * (re-arms without allocating) and `unref()` where the host timer has them. Bundlers pick
 * `host-timer.browser.ts` instead (through the `browser` field of package.json), where timers are
 * plain ids with neither.
 */

import type { TimerHandle } from "./scheduler.js";
import { clampDelay } from "./timer-delay.js";

// Structural view of what the host's timer returns: a Node `Timeout` has these, a browser id does not.
interface HostTimer {
  refresh?: () => unknown;
  unref?: () => unknown;
  ref?: () => unknown;
}

// The host's timer functions as they were when this module loaded: a fake-timer library that
// replaces the globals later (sinon) cannot intercept these (engine.io-client's `useNativeTimers`).
const NATIVE_SET = globalThis.setTimeout;
const NATIVE_CLEAR = globalThis.clearTimeout;

class RealTimer implements TimerHandle {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #delay: number;
  #unref = false;
  readonly #callback: () => void;
  readonly #native: boolean;

  constructor(callback: () => void, delay: number, native: boolean) {
    this.#callback = callback;
    this.#delay = clampDelay(delay);
    this.#native = native;
    this.#arm();
  }

  get pending(): boolean {
    return this.#timer !== undefined;
  }

  #arm(): void {
    const timer = (this.#native ? NATIVE_SET : setTimeout)(() => {
      this.#timer = undefined;
      this.#callback();
    }, this.#delay);
    this.#timer = timer;
    if (this.#unref) (timer as unknown as HostTimer).unref?.();
  }

  cancel(): void {
    if (this.#timer !== undefined) (this.#native ? NATIVE_CLEAR : clearTimeout)(this.#timer);
    this.#timer = undefined;
  }

  refresh(delay?: number): void {
    const host = this.#timer as unknown as HostTimer | undefined;
    if (host?.refresh && (delay === undefined || clampDelay(delay) === this.#delay)) {
      // Node's refresh() re-arms the same timer object without allocating.
      host.refresh();
      return;
    }
    this.cancel();
    if (delay !== undefined) this.#delay = clampDelay(delay);
    this.#arm();
  }

  unref(): void {
    this.#unref = true;
    (this.#timer as unknown as HostTimer | undefined)?.unref?.();
  }

  ref(): void {
    this.#unref = false;
    (this.#timer as unknown as HostTimer | undefined)?.ref?.();
  }
}

/**
 * Arms a real timer for `callback` in `delay` ms (clamped to what the host honours): with the
 * global `setTimeout` of the moment, or with the one captured at load when `native`.
 */
export function hostTimer(callback: () => void, delay: number, native = false): TimerHandle {
  return new RealTimer(callback, delay, native);
}
