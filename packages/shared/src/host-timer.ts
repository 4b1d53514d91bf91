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

class RealTimer implements TimerHandle {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #delay: number;
  #unref = false;
  readonly #callback: () => void;

  constructor(callback: () => void, delay: number) {
    this.#callback = callback;
    this.#delay = clampDelay(delay);
    this.#arm();
  }

  get pending(): boolean {
    return this.#timer !== undefined;
  }

  #arm(): void {
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.#callback();
    }, this.#delay);
    this.#timer = timer;
    if (this.#unref) (timer as unknown as HostTimer).unref?.();
  }

  cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
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

/** Arms a real timer for `callback` in `delay` ms (clamped to what the host honours). */
export function hostTimer(callback: () => void, delay: number): TimerHandle {
  return new RealTimer(callback, delay);
}
