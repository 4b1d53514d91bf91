/** @module The open packet (what a server tells a client at handshake) and heartbeat negotiation. */

import { err, ok, type Result } from "./result.js";
import { MAX_TIMER_DELAY } from "./timer-delay.js";

/** The JSON body of an Engine.IO v4 open packet. */
export interface OpenPacket {
  /** Session id, used as `sid` in every later request. */
  readonly sid: string;
  /** Transports the client may upgrade to (`["websocket"]` on polling, `[]` on websocket). */
  readonly upgrades: readonly string[];
  /** Milliseconds between a pong (or the open) and the next ping. */
  readonly pingInterval: number;
  /** Milliseconds the server waits for a pong after a ping. */
  readonly pingTimeout: number;
  /** Largest body or frame the server accepts, in bytes (absent on servers older than engine.io 6.2). */
  readonly maxPayload?: number | undefined;
}

/** Why an open packet was rejected. */
export interface HandshakeError {
  readonly message: string;
}

/** Serialises an open packet's JSON body (without the leading `0`). */
export function encodeOpenPacket(open: OpenPacket): string {
  const body: Record<string, unknown> = {
    sid: open.sid,
    upgrades: open.upgrades,
    pingInterval: open.pingInterval,
    pingTimeout: open.pingTimeout,
  };
  if (open.maxPayload !== undefined) body["maxPayload"] = open.maxPayload;
  return JSON.stringify(body);
}

const MAX_SID_LENGTH = 256;

function isTimerValue(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value <= MAX_TIMER_DELAY;
}

/** What is wrong with a parsed open packet body, or undefined when nothing is. */
function openPacketProblem(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "is not a JSON object";
  const { sid, upgrades, pingInterval, pingTimeout, maxPayload } = body as Record<string, unknown>;
  if (typeof sid !== "string" || sid.length === 0 || sid.length > MAX_SID_LENGTH) return "has no valid sid";
  if (upgrades !== undefined && !(Array.isArray(upgrades) && upgrades.every((u) => typeof u === "string"))) {
    return "upgrades is not a list of strings";
  }
  if (!isTimerValue(pingInterval)) return "pingInterval is not a valid delay";
  if (!isTimerValue(pingTimeout)) return "pingTimeout is not a valid delay";
  if (pingInterval + pingTimeout > MAX_TIMER_DELAY) return "pingInterval + pingTimeout exceeds the timer range";
  if (maxPayload !== undefined && !(typeof maxPayload === "number" && maxPayload > 0 && Number.isFinite(maxPayload))) {
    return "maxPayload is not a positive number";
  }
  return undefined;
}

/**
 * Validates an open packet received from a server. Anything that would leave the client with a
 * nonsense timer (zero, negative, fractional, beyond the timer range) or no usable sid is rejected.
 */
export function parseOpenPacket(data: string): Result<OpenPacket, HandshakeError> {
  let body: unknown;
  let problem: string | undefined;
  try {
    body = JSON.parse(data);
    problem = openPacketProblem(body);
  } catch {
    problem = "is not JSON";
  }
  if (problem !== undefined) return err({ message: `open packet ${problem}` });
  const open = body as OpenPacket;
  const { sid, pingInterval, pingTimeout, maxPayload } = open;
  return ok({ sid, upgrades: open.upgrades ?? [], pingInterval, pingTimeout, maxPayload });
}

/** An inclusive `[min, max]` range in milliseconds. */
export type MillisecondRange = readonly [min: number, max: number];

/** What a server allows: its own values and the ranges a client proposal may move them within. */
export interface HeartbeatPolicy {
  readonly pingInterval: number;
  readonly pingTimeout: number;
  /** Accepted client proposals for pingInterval; default `[pingInterval, pingInterval]`. */
  readonly pingIntervalRange?: MillisecondRange | undefined;
  /** Accepted client proposals for pingTimeout; default `[pingTimeout, pingTimeout]`. */
  readonly pingTimeoutRange?: MillisecondRange | undefined;
}

/** Values a client proposed (typically raw query-string values). */
export interface HeartbeatProposal {
  readonly pingInterval?: unknown;
  readonly pingTimeout?: unknown;
}

/** The heartbeat both sides run on. */
export interface HeartbeatTiming {
  readonly pingInterval: number;
  readonly pingTimeout: number;
}

/**
 * Reads one proposed value: a positive integer number of milliseconds, given as a number or a
 * plain decimal string. Anything else (fractions, signs, exponents, NaN, zero) is ignored.
 */
export function parseProposedDelay(value: unknown): number | undefined {
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && /^[0-9]{1,12}$/.test(value)) n = Number(value);
  else return undefined;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function clamp(value: number, [min, max]: MillisecondRange): number {
  return Math.min(Math.max(value, min), max);
}

/**
 * Picks the heartbeat for a new session: each proposed value is clamped into the server's range,
 * an absent or nonsense one leaves the server's own value. Never throws.
 */
export function negotiateHeartbeat(proposal: HeartbeatProposal, policy: HeartbeatPolicy): HeartbeatTiming {
  const intervalRange = policy.pingIntervalRange ?? [policy.pingInterval, policy.pingInterval];
  const timeoutRange = policy.pingTimeoutRange ?? [policy.pingTimeout, policy.pingTimeout];
  const interval = parseProposedDelay(proposal.pingInterval);
  const timeout = parseProposedDelay(proposal.pingTimeout);
  return {
    pingInterval: interval === undefined ? policy.pingInterval : clamp(interval, intervalRange),
    pingTimeout: timeout === undefined ? policy.pingTimeout : clamp(timeout, timeoutRange),
  };
}
