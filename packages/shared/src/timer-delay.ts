/** @module Clamping a delay into what host timers honour, shared by both host timers. */

/** Largest delay `setTimeout` honours, ms (2^31 − 1); longer ones would fire at once. */
export const MAX_TIMER_DELAY = 2_147_483_647;

/** Clamps a delay into what host timers honour (0 … 2^31 − 1 ms); NaN and ±Infinity become the maximum. */
export function clampDelay(delay: number): number {
  return Number.isFinite(delay) ? Math.min(Math.max(0, delay), MAX_TIMER_DELAY) : MAX_TIMER_DELAY;
}
