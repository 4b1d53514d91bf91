/**
 * @module Server-side heartbeat glue: the pure timing in `@heartwire/shared` plus one timer per
 * socket. First ping `pingInterval` after open; the pong is due `pingTimeout` after the ping was
 * due (see HOST_TIMER_SLACK); the next ping is `pingInterval` after the pong arrives. Only pongs
 * count, never data, and only a pong that follows a ping the peer could have read (handed to the
 * transport, not merely queued: a polling client that never GETs never sees its ping, so its pongs
 * cannot answer it). The deadline is also checked when a request of the session arrives.
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
import { NEVER_STALLED, type LoopStalls } from "./loop-watch.js";

/**
 * Where the heartbeat is: waiting to ping, waiting for the pong, past the deadline but giving
 * already-arrived input one I/O turn to be read ("confirming"), or stopped for good.
 */
export type HeartbeatPhase = "idle" | "waiting-to-ping" | "awaiting-pong" | "confirming" | "stopped";

/**
 * A deadline timer that fires more than this many ms late means our event loop was blocked (the
 * timer wheel adds no lateness of its own; a host timer is about a millisecond late).
 */
const STALL_THRESHOLD = 25;

/**
 * How much of a ping's own lateness is not given to the client on top of `pingTimeout`: about what
 * a host timer adds when our loop is idle (Node counts whole milliseconds). The pong is due
 * `pingTimeout` after the ping was due, so the session's bound stays `pingInterval + pingTimeout`
 * after the last pong; a ping that left later than this (our process was busy) extends the deadline
 * by the excess, so the client always has at least `pingTimeout - HOST_TIMER_SLACK` ms.
 */
const HOST_TIMER_SLACK = 2;

/** How many recent round-trip samples the "usual round trip" is the minimum of. */
const RECENT_RTT_SAMPLES = 4;

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
 * The RTT sample runs from the moment the ping was handed to the transport to the pong's arrival.
 */
export class SocketHeartbeat {
  readonly #timing: HeartbeatTiming;
  readonly #scheduler: Scheduler;
  readonly #callbacks: HeartbeatCallbacks;
  readonly #stalls: LoopStalls;
  #phase: HeartbeatPhase = "idle";
  #timer: TimerHandle | undefined;
  /** When the timer is due: a host timer that fires before it is re-armed for the rest. */
  #dueAt = 0;
  /** When the pending (or last) ping was due. */
  #pingDueAt = 0;
  /** When the pong for the outstanding ping is due. */
  #deadline = 0;
  #pingWrittenAt: number | undefined;
  #rtt: RttEstimate | undefined;
  readonly #recentRtts: number[] = [];
  #recentIndex = 0;

  /**
   * Creates a stopped heartbeat; call {@link SocketHeartbeat.start} once the socket is open.
   * `stalls` tells whether our own event loop was blocked (the server's loop watch, `loop-watch.ts`).
   */
  constructor(timing: HeartbeatTiming, scheduler: Scheduler, callbacks: HeartbeatCallbacks, stalls: LoopStalls = NEVER_STALLED) {
    this.#timing = timing;
    this.#scheduler = scheduler;
    this.#callbacks = callbacks;
    this.#stalls = stalls;
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
    this.#pingDueAt = this.#dueAt = nextPingAt(now, this.#timing);
    this.#timer = this.#scheduler.setTimeout(() => this.#onTimer(), this.#dueAt - now);
  }

  /** Tells the heartbeat the ping was handed to the transport now: from here on a pong may answer it. */
  pingWritten(): void {
    if (this.#phase === "awaiting-pong" && this.#pingWrittenAt === undefined) this.#pingWrittenAt = this.#scheduler.now();
  }

  /**
   * A pong arrived. Returns false (and changes nothing) when no ping was outstanding, or when the
   * outstanding one is still queued: the peer cannot have read it, so this pong answers nothing.
   */
  pong(): boolean {
    if (this.#phase !== "awaiting-pong" && this.#phase !== "confirming") return false;
    const sentAt = this.#pingWrittenAt;
    if (sentAt === undefined) return false;
    const now = this.#scheduler.now();
    const sample = Math.max(0, now - sentAt);
    this.#recentRtts[this.#recentIndex++ % RECENT_RTT_SAMPLES] = sample;
    // The next ping is due pingInterval after the pong arrived. Usually that is now. But if our
    // own event loop was blocked, the pong may have waited unread since the block began, and the
    // client's deadline runs from the ping it got: scheduling from `now` could push our next ping
    // past it. Then date the pong no later than the block's start, and no earlier than the ping
    // plus the usual round trip: the smallest of the last few samples, which a block inflates
    // once but a lasting change of the network shows within a few pings; capped at
    // pingTimeout / 2, since a larger one is far more likely our block than the network.
    // A slow client, with our loop responsive, is dated from now, so it is not pinged faster.
    let pongAt = now;
    const blockedSince = this.#stalls.unresponsiveSince();
    if (blockedSince !== undefined) {
      let usualRtt = this.#timing.pingTimeout / 2;
      for (const recent of this.#recentRtts) if (recent < usualRtt) usualRtt = recent;
      pongAt = Math.min(now, Math.max(blockedSince, sentAt + usualRtt));
    }
    this.#rtt = updateRtt(this.#rtt, sample);
    this.#stalls.release();
    this.#phase = "waiting-to-ping";
    this.#pingDueAt = nextPingAt(pongAt, this.#timing);
    this.#arm(this.#pingDueAt, now);
    this.#callbacks.rtt(this.#rtt);
    return true;
  }

  /**
   * Checks the pong deadline now, for a request of this session that just arrived (timers may run
   * after it is read). Past the deadline, with our loop responsive, the heartbeat stops, reports the
   * timeout and returns true: the session is gone for this request. While our loop is catching up
   * on a block the timer decides instead (it gives unread input a grace).
   */
  expireIfOverdue(): boolean {
    if (this.#phase !== "awaiting-pong") return false;
    if (this.#scheduler.now() < this.#deadline) return false;
    const blockedSince = this.#stalls.unresponsiveSince();
    if (blockedSince !== undefined && blockedSince < this.#deadline) return false;
    this.stop();
    this.#callbacks.timeout();
    return true;
  }

  /** Cancels the timer for good. */
  stop(): void {
    if (this.#phase === "awaiting-pong" || this.#phase === "confirming") this.#stalls.release();
    this.#phase = "stopped";
    this.#timer?.cancel();
  }

  /** Re-arms the one timer for `at` (from `now`). */
  #arm(at: number, now: number): void {
    this.#dueAt = at;
    this.#timer?.refresh(Math.max(0, at - now));
  }

  #onTimer(): void {
    const now = this.#scheduler.now();
    // Raw host timers may fire a little early (whole milliseconds); the wheel never does.
    if (now < this.#dueAt) return this.#arm(this.#dueAt, now);
    if (this.#phase === "waiting-to-ping") {
      this.#phase = "awaiting-pong";
      this.#stalls.acquire();
      this.#pingWrittenAt = undefined;
      this.#deadline = pongDeadlineAt(Math.max(this.#pingDueAt, now - HOST_TIMER_SLACK), this.#timing);
      // Arm the deadline before queueing: the ping's write may report back synchronously.
      this.#arm(this.#deadline, now);
      this.#callbacks.ping();
    } else if (this.#phase === "awaiting-pong") {
      const deadline = this.#deadline;
      const late = now - deadline;
      const blockedSince = this.#stalls.unresponsiveSince();
      if (late > STALL_THRESHOLD || (blockedSince !== undefined && blockedSince < deadline)) {
        // Our own event loop was blocked while the pong was due: the deadline fired late, or the
        // loop watch saw a block (one that ends just before the deadline leaves it on time).
        // Timers run before sockets are read, so a pong that arrived meanwhile is still unread (and
        // a POST on a new connection needs more than one loop turn). Give the backlog a short grace
        // instead of blaming a live client.
        this.#phase = "confirming";
        this.#arm(now + Math.min(Math.max(late, STALL_THRESHOLD), this.#timing.pingTimeout / 4), now);
        return;
      }
      this.stop();
      this.#callbacks.timeout();
    } else if (this.#phase === "confirming") {
      this.stop();
      this.#callbacks.timeout();
    }
  }
}
