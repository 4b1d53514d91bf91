/** @module Reconnection delays: capped exponential backoff with jitter drawn fresh on every attempt. */

/** Backoff policy. */
export interface BackoffOptions {
  /** Ceiling of the first delay, ms. */
  readonly initialDelay: number;
  /** Largest ceiling, ms. */
  readonly maxDelay: number;
  /** Growth of the ceiling per attempt. */
  readonly factor: number;
  /**
   * Share of the ceiling that is random, 0–1. 1 is "full jitter" (uniform in `[0, ceiling]`),
   * 0.5 is uniform in `[ceiling / 2, ceiling]`, 0 is no jitter.
   */
  readonly jitter: number;
}

/** Ceiling of the delay before attempt `attempt` (0-based): `min(maxDelay, initialDelay · factor^attempt)`. */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const exponent = Math.max(0, Math.floor(attempt));
  const raw = options.initialDelay * Math.pow(options.factor, exponent);
  return Number.isFinite(raw) ? Math.min(options.maxDelay, raw) : options.maxDelay;
}

/**
 * Delay before attempt `attempt` (0-based). `random` returns a number in `[0, 1)` and is called once
 * per attempt, so many clients that lost the same server spread their retries over the window.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const ceiling = backoffCeiling(attempt, options);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling * (1 - jitter * r));
}
