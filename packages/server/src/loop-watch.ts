/**
 * @module Our own event loop's responsiveness, seen by one periodic tick per server.
 *
 * The heartbeat needs to know whether a pong it reads now may have waited unread because this
 * process was blocked. Timer lateness alone cannot tell: with few sessions no heartbeat timer may
 * be due during a block. A tick every `period` ms always is, so a block longer than
 * `period + tolerance` is always seen, whenever it happens. It only ticks while some pong is
 * outstanding: an idle server (one ping per 25 s per session, answered in a millisecond) does not
 * wake up for it, and a busy one has its timer wheel awake anyway.
 */

import type { Scheduler, TimerHandle } from "@heartwire/shared";

/** What the heartbeat asks of the watch. */
export interface LoopStalls {
  /** A ping went out and its pong is awaited: watch until the matching {@link LoopStalls.release}. */
  acquire(): void;
  /** That pong came, or the wait ended otherwise. */
  release(): void;
  /**
   * When our loop stopped answering, if it is blocked now or its backlog is still being read after
   * a block; `undefined` while it is responsive. Input read now may have arrived as early as that.
   */
  unresponsiveSince(): number | undefined;
}

/** A watch that never sees a block (for heartbeats without a server, e.g. in unit tests). */
export const NEVER_STALLED: LoopStalls = Object.freeze({
  acquire: () => {},
  release: () => {},
  unresponsiveSince: () => undefined,
});

/**
 * Ticks on `scheduler` every `period` ms while acquired at least once (on an unref'd timer) and
 * remembers the start of the current block: consecutive late ticks are one block, and it ends at
 * the first tick that comes on time. Until then, everything read is treated as possibly delayed
 * by it.
 */
export class LoopWatch implements LoopStalls {
  readonly #scheduler: Scheduler;
  readonly #period: number;
  readonly #lateAfter: number;
  #timer: TimerHandle | undefined;
  #users = 0;
  #lastTick = 0;
  /** Start of the block the last tick ended (or is part of), while no on-time tick followed. */
  #blockStart: number | undefined;

  /**
   * @param period ms between ticks.
   * @param tolerance how late a tick may be without counting as a block (timer coarseness).
   */
  constructor(scheduler: Scheduler, period = 50, tolerance = 30) {
    this.#scheduler = scheduler;
    this.#period = period;
    this.#lateAfter = period + tolerance;
  }

  /** True while ticking. */
  get running(): boolean {
    return this.#users > 0;
  }

  /** Starts ticking on the first user; the watch's view begins now. */
  acquire(): void {
    if (this.#users++ > 0) return;
    this.#lastTick = this.#scheduler.now();
    this.#blockStart = undefined;
    if (this.#timer === undefined) {
      this.#timer = this.#scheduler.setTimeout(() => this.#tick(), this.#period);
      this.#timer.unref();
    } else this.#timer.refresh(this.#period);
  }

  /** Stops ticking when the last user is gone; a stopped watch reports no block. */
  release(): void {
    if (this.#users === 0) return;
    if (--this.#users === 0) this.#timer?.cancel();
  }

  unresponsiveSince(): number | undefined {
    if (this.#users === 0) return undefined;
    // A tick overdue now means we are inside a block the watch has not seen end yet.
    if (this.#scheduler.now() - this.#lastTick > this.#lateAfter) return this.#blockStart ?? this.#lastTick;
    return this.#blockStart;
  }

  #tick(): void {
    const now = this.#scheduler.now();
    if (now - this.#lastTick > this.#lateAfter) this.#blockStart ??= this.#lastTick;
    else this.#blockStart = undefined;
    this.#lastTick = now;
    if (this.#users > 0) this.#timer?.refresh(this.#period);
  }
}
