/**
 * @module Heartbeat timing shared by both sides, as pure functions of the negotiated values and a
 * `now` supplied by the caller.
 *
 * Server: first ping `pingInterval` after open; after each ping the pong is due within
 * `pingTimeout`; the next ping is `pingInterval` after the pong arrives.
 * Client: the peer is dead if no ping arrives within `pingInterval + pingTimeout` of the open packet
 * or of the previous ping. Both bounds are measured from the last sign of life, so either side
 * notices a silent peer within `pingInterval + pingTimeout`.
 */

import type { HeartbeatTiming } from "./handshake.js";

/** When the server sends its next ping: `pingInterval` after open or after the last pong. */
export function nextPingAt(lastPongOrOpenAt: number, timing: HeartbeatTiming): number {
  return lastPongOrOpenAt + timing.pingInterval;
}

/** When the server gives up on a pong for a ping sent at `pingSentAt`. */
export function pongDeadlineAt(pingSentAt: number, timing: HeartbeatTiming): number {
  return pingSentAt + timing.pingTimeout;
}

/** When the client gives up on the server: `pingInterval + pingTimeout` after open or the last ping. */
export function pingDeadlineAt(lastPingOrOpenAt: number, timing: HeartbeatTiming): number {
  return lastPingOrOpenAt + timing.pingInterval + timing.pingTimeout;
}

/** True once `now` has reached `deadline`. */
export function isExpired(deadline: number, now: number): boolean {
  return now >= deadline;
}

/**
 * A client-side round-trip sample from the spacing of two pings. The server sends a ping
 * `pingInterval` after our pong arrives, so two consecutive pings are `pingInterval + RTT` apart
 * (plus server timer lateness). Returns `undefined` when the gap cannot be a clean sample.
 */
export function rttFromPingSpacing(previousPingAt: number, pingAt: number, timing: HeartbeatTiming): number | undefined {
  const gap = pingAt - previousPingAt;
  if (!(gap >= 0) || gap > timing.pingInterval + timing.pingTimeout) return undefined;
  return Math.max(0, gap - timing.pingInterval);
}

/** Round-trip state smoothed as TCP does (RFC 6298): α = 1/8 for the mean, β = 1/4 for the variance. */
export interface RttEstimate {
  /** Latest sample, ms. */
  readonly latest: number;
  /** Smoothed round-trip time (SRTT), ms. */
  readonly smoothed: number;
  /** Round-trip variation (RTTVAR), ms. */
  readonly variation: number;
  /** Samples taken so far. */
  readonly samples: number;
}

/** Folds a new round-trip sample into the estimate (the first sample seeds it, per RFC 6298). */
export function updateRtt(previous: RttEstimate | undefined, sample: number): RttEstimate {
  if (previous === undefined) return { latest: sample, smoothed: sample, variation: sample / 2, samples: 1 };
  const variation = 0.75 * previous.variation + 0.25 * Math.abs(previous.smoothed - sample);
  const smoothed = 0.875 * previous.smoothed + 0.125 * sample;
  return { latest: sample, smoothed, variation, samples: previous.samples + 1 };
}
