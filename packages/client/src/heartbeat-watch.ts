/**
 * @module The client's view of the heartbeat: a deadline of `pingInterval + pingTimeout` after the
 * open packet and after every ping, kept as a timestamp on the scheduler's monotonic clock so it can
 * be checked at any moment (before a send, when a page wakes up), not only when a timer fires — a
 * throttled tab or a sleeping laptop fires timers late, but its clock still moves. Also derives
 * round-trip samples from the spacing of pings.
 */

import {
  isExpired,
  pingDeadlineAt,
  rttFromPingSpacing,
  updateRtt,
  type HeartbeatTiming,
  type RttEstimate,
  type Scheduler,
  type TimerHandle,
} from "@heartwire/shared";

/** What the watch reports to its socket. */
export interface HeartbeatWatchHandlers {
  /** The deadline passed: the server is gone. Called at most once per `start()`. */
  expire(): void;
  /** A new round-trip sample (ms) and the updated estimate. */
  rtt(sample: number, estimate: RttEstimate): void;
}

type WatchState = "idle" | "watching" | "expired";

/**
 * A deadline timer that fires more than this many ms late means our event loop was blocked (or
 * the page was throttled) rather than that the server is slow.
 */
const STALL_THRESHOLD = 25;

/** Watches for pings from the server and reports when none came in time. */
export class HeartbeatWatch {
  readonly #scheduler: Scheduler;
  readonly #handlers: HeartbeatWatchHandlers;
  #state: WatchState = "idle";
  #timing: HeartbeatTiming | undefined;
  #deadline: number | undefined;
  #lastPingAt: number | undefined;
  #timer: TimerHandle | undefined;
  #rtt: RttEstimate | undefined;
  #unref = false;
  /** True while a late deadline is being given its grace (see `#onTimer`). */
  #confirming = false;

  /** Creates an idle watch; nothing runs until {@link HeartbeatWatch.start}. */
  constructor(scheduler: Scheduler, handlers: HeartbeatWatchHandlers) {
    this.#scheduler = scheduler;
    this.#handlers = handlers;
  }

  /** The deadline on the scheduler clock, or undefined when not watching. */
  get deadline(): number | undefined {
    return this.#state === "watching" ? this.#deadline : undefined;
  }

  /** The round-trip estimate so far, or undefined before the first sample. */
  get rtt(): RttEstimate | undefined {
    return this.#rtt;
  }

  /** Starts watching after the open packet: the first ping is due within `pingInterval + pingTimeout`. */
  start(timing: HeartbeatTiming): void {
    this.#timing = timing;
    this.#state = "watching";
    this.#confirming = false;
    this.#lastPingAt = undefined;
    this.#arm(this.#scheduler.now());
  }

  /**
   * Records a ping. Returns false (and reports expiry) if the deadline had already passed, in which
   * case the ping must not be answered. The open→first-ping gap gives no round-trip sample.
   */
  ping(): boolean {
    if (!this.check()) return false;
    const timing = this.#timing;
    if (timing === undefined) return true;
    const now = this.#scheduler.now();
    if (this.#lastPingAt !== undefined) {
      const sample = rttFromPingSpacing(this.#lastPingAt, now, timing);
      if (sample !== undefined) {
        this.#rtt = updateRtt(this.#rtt, sample);
        this.#handlers.rtt(sample, this.#rtt);
      }
    }
    this.#lastPingAt = now;
    this.#confirming = false;
    this.#arm(now);
    return true;
  }

  /**
   * True while the server may still be alive. Once the deadline has passed, returns false and
   * reports expiry on a microtask (never from inside the caller's own call).
   */
  check(): boolean {
    if (this.#state === "expired") return false;
    if (this.#state !== "watching" || this.#deadline === undefined || this.#confirming) return true;
    if (!isExpired(this.#deadline, this.#scheduler.now())) return true;
    this.#expire(true);
    return false;
  }

  /** Stops watching (socket closed). */
  stop(): void {
    this.#state = "idle";
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** The deadline timer no longer keeps a Node process alive. */
  unref(): void {
    this.#unref = true;
    this.#timer?.unref();
  }

  /** Undoes {@link HeartbeatWatch.unref}. */
  ref(): void {
    this.#unref = false;
    this.#timer?.ref();
  }

  #arm(from: number): void {
    const timing = this.#timing;
    if (timing === undefined) return;
    this.#deadline = pingDeadlineAt(from, timing);
    const delay = this.#deadline - from;
    if (this.#timer === undefined) {
      this.#timer = this.#scheduler.setTimeout(() => this.#onTimer(), delay);
      if (this.#unref) this.#timer.unref();
    } else {
      this.#timer.refresh(delay);
    }
  }

  #onTimer(): void {
    if (this.#state !== "watching" || this.#deadline === undefined) return;
    const now = this.#scheduler.now();
    if (!isExpired(this.#deadline, now)) {
      this.#timer?.refresh(this.#deadline - now);
      return;
    }
    const late = now - this.#deadline;
    if (!this.#confirming && late > STALL_THRESHOLD && this.#timing !== undefined) {
      // Our own event loop was blocked past the deadline, and timers run before sockets are read:
      // a ping that arrived meanwhile may still be unread. Give it a short, bounded grace.
      this.#confirming = true;
      this.#timer?.refresh(Math.min(late, this.#timing.pingTimeout / 4));
      return;
    }
    this.#expire(false);
  }

  #expire(deferred: boolean): void {
    if (this.#state !== "watching") return;
    this.#state = "expired";
    this.#timer?.cancel();
    if (deferred) queueMicrotask(() => this.#handlers.expire());
    else this.#handlers.expire();
  }
}
