/**
 * @module The one place that reads the clock and arms timers. Everything that waits takes a
 * {@link Scheduler}, so tests drive time with `FakeScheduler` from `@heartwire/shared/testing`.
 */

/** A scheduled callback. */
export interface TimerHandle {
  /** Stops the timer; harmless if it already fired or was cancelled. */
  cancel(): void;
  /** Re-arms the timer to fire `delay` ms from now (default: its previous delay), even if it had fired. */
  refresh(delay?: number): void;
  /** Lets the process exit while this timer is pending (Node only; no-op elsewhere). */
  unref(): void;
  /** Undoes {@link TimerHandle.unref}. */
  ref(): void;
  /** True while the timer is armed and has not fired. */
  readonly pending: boolean;
}

/** A monotonic clock and a timer factory. */
export interface Scheduler {
  /** Monotonic milliseconds (not wall-clock time); only differences are meaningful. */
  now(): number;
  /** Runs `callback` once after `delay` ms. */
  setTimeout(callback: () => void, delay: number): TimerHandle;
}

// Structural view of what the host's timer returns: a Node `Timeout` has these, a browser id does not.
interface HostTimer {
  refresh?: () => unknown;
  unref?: () => unknown;
  ref?: () => unknown;
}

/** Clamps a delay into what host timers honour (0 … 2^31 − 1 ms). */
function safeDelay(delay: number): number {
  return Number.isFinite(delay) ? Math.min(Math.max(0, delay), 2_147_483_647) : 2_147_483_647;
}

class RealTimer implements TimerHandle {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #delay: number;
  #unref = false;
  readonly #callback: () => void;

  constructor(callback: () => void, delay: number) {
    this.#callback = callback;
    this.#delay = safeDelay(delay);
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
    if (host?.refresh && (delay === undefined || safeDelay(delay) === this.#delay)) {
      // Node's refresh() re-arms the same timer object without allocating.
      host.refresh();
      return;
    }
    this.cancel();
    if (delay !== undefined) this.#delay = safeDelay(delay);
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

/** The scheduler backed by the host's `setTimeout` and `performance.now()`. */
export const realScheduler: Scheduler = Object.freeze({
  now: () => performance.now(),
  setTimeout: (callback: () => void, delay: number): TimerHandle => new RealTimer(callback, delay),
});
