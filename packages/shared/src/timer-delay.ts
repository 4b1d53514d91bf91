/** @module The timer range: the largest delay a host timer honours, and clamping a delay into it. */

/** Largest delay a JavaScript timer honours (2^31 − 1 ms); longer values fire at once. */
export const MAX_TIMER_DELAY = 2_147_483_647;

/** Clamps a delay into what host timers honour (0 … 2^31 − 1 ms); NaN and ±Infinity become the maximum. */
export function clampDelay(delay: number): number {
  return Number.isFinite(delay) ? Math.min(Math.max(0, delay), MAX_TIMER_DELAY) : MAX_TIMER_DELAY;
}
