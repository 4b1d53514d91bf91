/**
 * @module Server-side heartbeat glue: the pure timing in `@heartwire/shared` plus one timer per
 * socket. First ping `pingInterval` after open; the pong is due `pingTimeout` after the ping is
 * queued; the next ping is `pingInterval` after the pong arrives. Only pongs count, never data.
 */

import {
  nextPingAt,
  pongDeadlineAt,
  updateRtt,
  type HeartbeatTiming,
  type RttEstimate,
  type Scheduler,
  type TimerHandle,
} from "@heartwire/shared";

/** Where the heartbeat is: waiting to ping, waiting for the pong, or stopped for good. */
export type HeartbeatPhase = "idle" | "waiting-to-ping" | "awaiting-pong" | "stopped";

/** What the heartbeat asks of its socket. */
export interface HeartbeatCallbacks {
  /** Queue a ping packet now. */
  ping(): void;
  /** No pong came in time: close with "ping timeout". */
  timeout(): void;
  /** A new round-trip sample was taken. */
  rtt(estimate: RttEstimate): void;
}

/**
 * One socket's heartbeat. It uses a single timer handle, re-armed with `refresh(delay)` for each
 * phase, so a coalescing scheduler (the server's timer wheel) keeps the cost to one map entry.
 * The RTT sample runs from the moment the ping was written to the network (or queued, if the
 * transport never reported the write) to the pong's arrival.
 */
export class SocketHeartbeat {
  readonly #timing: HeartbeatTiming;
  readonly #scheduler: Scheduler;
  readonly #callbacks: HeartbeatCallbacks;
  #phase: HeartbeatPhase = "idle";
  #timer: TimerHandle | undefined;
  #pingQueuedAt = 0;
  #pingWrittenAt: number | undefined;
  #rtt: RttEstimate | undefined;

  /** Creates a stopped heartbeat; call {@link SocketHeartbeat.start} once the socket is open. */
  constructor(timing: HeartbeatTiming, scheduler: Scheduler, callbacks: HeartbeatCallbacks) {
    this.#timing = timing;
    this.#scheduler = scheduler;
    this.#callbacks = callbacks;
  }

  /** Current phase. */
  get phase(): HeartbeatPhase {
    return this.#phase;
  }

  /** Latest and smoothed round-trip estimate, if any pong came back yet. */
  get rtt(): RttEstimate | undefined {
    return this.#rtt;
  }

  /** Schedules the first ping `pingInterval` from now. */
  start(): void {
    if (this.#phase !== "idle") return;
    this.#phase = "waiting-to-ping";
    const now = this.#scheduler.now();
    this.#timer = this.#scheduler.setTimeout(() => this.#onTimer(), nextPingAt(now, this.#timing) - now);
  }

  /** Tells the heartbeat the ping left for the network now (refines the RTT sample). */
  pingWritten(): void {
    if (this.#phase === "awaiting-pong" && this.#pingWrittenAt === undefined) this.#pingWrittenAt = this.#scheduler.now();
  }

  /** A pong arrived. Returns false (and changes nothing) when no ping was outstanding. */
  pong(): boolean {
    if (this.#phase !== "awaiting-pong") return false;
    const now = this.#scheduler.now();
    const sample = Math.max(0, now - (this.#pingWrittenAt ?? this.#pingQueuedAt));
    this.#rtt = updateRtt(this.#rtt, sample);
    this.#phase = "waiting-to-ping";
    this.#timer?.refresh(nextPingAt(now, this.#timing) - now);
    this.#callbacks.rtt(this.#rtt);
    return true;
  }

  /** Cancels the timer for good. */
  stop(): void {
    this.#phase = "stopped";
    this.#timer?.cancel();
  }

  #onTimer(): void {
    if (this.#phase === "waiting-to-ping") {
      const now = this.#scheduler.now();
      this.#phase = "awaiting-pong";
      this.#pingQueuedAt = now;
      this.#pingWrittenAt = undefined;
      // Arm the deadline before queueing: the ping's write may report back synchronously.
      this.#timer?.refresh(pongDeadlineAt(now, this.#timing) - now);
      this.#callbacks.ping();
    } else if (this.#phase === "awaiting-pong") {
      this.stop();
      this.#callbacks.timeout();
    }
  }
}
