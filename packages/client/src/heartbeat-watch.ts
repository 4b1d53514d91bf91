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

/** Watches for pings from the server and reports when none came in time. */
export interface HeartbeatWatch {
  /** The round-trip estimate so far, or undefined before the first sample. */
  readonly rtt: RttEstimate | undefined;
  /** Starts watching after the open packet: the first ping is due within `pingInterval + pingTimeout`. */
  start(timing: HeartbeatTiming): void;
  /**
   * Records a ping. Returns false (and reports expiry) if the deadline had already passed, in which
   * case the ping must not be answered. The open→first-ping gap gives no round-trip sample.
   */
  ping(): boolean;
  /**
   * True while the server may still be alive. Once the deadline has passed, returns false and
   * reports expiry on a microtask (never from inside the caller's own call).
   */
  check(): boolean;
  /** Stops watching (socket closed). */
  stop(): void;
}

/**
 * A deadline timer that fires more than this many ms late means our event loop was blocked (or
 * the page was throttled) rather than that the server is slow.
 */
const STALL_THRESHOLD = 25;

/** Creates an idle watch; nothing runs until {@link HeartbeatWatch.start}. */
export function heartbeatWatch(scheduler: Scheduler, handlers: HeartbeatWatchHandlers): HeartbeatWatch {
  // `watching` while timing is set and not expired; the deadline is on the scheduler's clock.
  let timing: HeartbeatTiming | undefined;
  let expired = false;
  let deadline = 0;
  let lastPingAt: number | undefined;
  let timer: TimerHandle | undefined;
  let rtt: RttEstimate | undefined;
  /** True while a late deadline is being given its grace (see `onTimer`). */
  let confirming = false;

  const expire = (deferred: boolean): void => {
    if (!timing || expired) return;
    expired = true;
    timer?.cancel();
    if (deferred) queueMicrotask(handlers.expire);
    else handlers.expire();
  };

  const arm = (from: number): void => {
    deadline = pingDeadlineAt(from, timing!);
    confirming = false;
    if (timer) timer.refresh(deadline - from);
    else timer = scheduler.setTimeout(onTimer, deadline - from);
  };

  const onTimer = (): void => {
    if (!timing || expired) return;
    const now = scheduler.now();
    const late = now - deadline;
    if (!isExpired(deadline, now)) timer!.refresh(-late);
    else if (!confirming && late > STALL_THRESHOLD) {
      // Our own event loop was blocked past the deadline, and timers run before sockets are read:
      // a ping that arrived meanwhile may still be unread. Give it a short, bounded grace.
      confirming = true;
      timer!.refresh(Math.min(late, timing.pingTimeout / 4));
    } else expire(false);
  };

  const check = (): boolean => {
    if (expired) return false;
    if (!timing || confirming || !isExpired(deadline, scheduler.now())) return true;
    expire(true);
    return false;
  };

  return {
    get rtt() {
      return rtt;
    },
    start(t) {
      timing = t;
      expired = false;
      lastPingAt = undefined;
      arm(scheduler.now());
    },
    ping() {
      if (!check() || !timing) return !expired;
      const now = scheduler.now();
      const sample = lastPingAt === undefined ? undefined : rttFromPingSpacing(lastPingAt, now, timing);
      if (sample !== undefined) handlers.rtt(sample, (rtt = updateRtt(rtt, sample)));
      lastPingAt = now;
      arm(now);
      return true;
    },
    check,
    stop() {
      timing = undefined;
      expired = false;
      timer?.cancel();
      timer = undefined;
    },
  };
}
