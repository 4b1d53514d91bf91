/** @module A deterministic clock for tests: time moves only when the test says so. */

import type { Scheduler, TimerHandle } from "../scheduler.js";

interface FakeTimerState {
  due: number;
  seq: number;
  delay: number;
  armed: boolean;
  callback: () => void;
}

/**
 * A {@link Scheduler} whose clock starts at 0 and moves only through {@link FakeScheduler.advance}
 * (firing due timers in order) or {@link FakeScheduler.jump} (moving the clock without firing, the
 * way a sleeping laptop or a throttled tab sees time). Disposable with `using`: disposal cancels
 * every pending timer.
 */
export class FakeScheduler implements Scheduler, Disposable {
  #now = 0;
  #seq = 0;
  readonly #timers = new Set<FakeTimerState>();

  /** Current fake time, ms. */
  now(): number {
    return this.#now;
  }

  /** Arms a fake timer; it fires during a later {@link FakeScheduler.advance}. */
  setTimeout(callback: () => void, delay: number): TimerHandle {
    const state: FakeTimerState = { due: 0, seq: 0, delay: Math.max(0, delay), armed: false, callback };
    const arm = (): void => {
      state.due = this.#now + state.delay;
      state.seq = this.#seq++;
      state.armed = true;
      this.#timers.add(state);
    };
    arm();
    return {
      cancel: () => {
        state.armed = false;
        this.#timers.delete(state);
      },
      refresh: (delay?: number) => {
        if (delay !== undefined) state.delay = Math.max(0, delay);
        this.#timers.delete(state);
        arm();
      },
      unref: () => {},
      ref: () => {},
      get pending() {
        return state.armed;
      },
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in due-time order. */
  advance(ms: number): void {
    const target = this.#now + Math.max(0, ms);
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.due > target) break;
      this.#now = Math.max(this.#now, next.due);
      next.armed = false;
      this.#timers.delete(next);
      next.callback();
    }
    this.#now = target;
  }

  /** Moves the clock forward by `ms` without firing anything; overdue timers fire on the next advance. */
  jump(ms: number): void {
    this.#now += Math.max(0, ms);
  }

  /** Fires timers that are already due (for instance after a {@link FakeScheduler.jump}). */
  runDue(): void {
    this.advance(0);
  }

  /** Number of armed timers. */
  pendingCount(): number {
    return this.#timers.size;
  }

  /** Time at which the next timer fires, or `undefined` when none is armed. */
  nextDueAt(): number | undefined {
    return this.#earliest()?.due;
  }

  /** Cancels every armed timer. */
  [Symbol.dispose](): void {
    for (const t of this.#timers) t.armed = false;
    this.#timers.clear();
  }

  #earliest(): FakeTimerState | undefined {
    let best: FakeTimerState | undefined;
    for (const t of this.#timers) {
      if (best === undefined || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
