/**
 * @module The one place that reads the clock and arms timers. Everything that waits takes a
 * {@link Scheduler}, so tests drive time with `FakeScheduler` from `@heartwire/shared/testing`.
 */

import { hostTimer } from "./host-timer.js";

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

/** The scheduler backed by the host's `setTimeout` and `performance.now()`. */
export const realScheduler: Scheduler = Object.freeze({
  now: () => performance.now(),
  setTimeout: hostTimer,
});

// Captured at load, like the native timers (fake-timer libraries replace `performance.now` too).
const nativeNow = performance.now.bind(performance);

/**
 * The scheduler backed by the host's timer functions as they were when this module loaded, so a
 * fake-timer library installed later (sinon) does not affect it (engine.io-client's `useNativeTimers`).
 */
export const nativeScheduler: Scheduler = Object.freeze({
  now: nativeNow,
  setTimeout: (callback: () => void, delay: number) => hostTimer(callback, delay, true),
});
