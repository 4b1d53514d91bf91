/**
 * @module A coalescing timer list: many logical timers on one host timer.
 *
 * Trade-off (as in undici's timers module): precision for cost. Each timer is filed into a bucket of
 * `resolution` ms, keyed by the bucket's end time (`ceil(due / resolution)`), so a timer fires at the
 * end of its bucket: up to `resolution` ms late and never early. Arming, re-arming and cancelling are
 * O(1) map/set operations (a new bucket also costs one O(log n) heap push), and only one timer is
 * armed on the base scheduler: the earliest bucket's. With 10⁴ sockets pinging every 25 s there are
 * at most 2 500 buckets (10 ms) and one host timer, instead of 10⁴ host timers.
 */

import type { Scheduler, TimerHandle } from "@heartwire/shared";

interface Entry {
  slot: number;
  delay: number;
  armed: boolean;
  refed: boolean;
  readonly callback: () => void;
}

/** A {@link Scheduler} that coalesces its timers into buckets on a base scheduler. */
export class TimerWheel implements Scheduler {
  readonly #base: Scheduler;
  readonly #resolution: number;
  readonly #buckets = new Map<number, Set<Entry>>();
  /** Min-heap of the slots in `#buckets`, each exactly once (empty buckets are dropped lazily). */
  readonly #heap: number[] = [];
  #host: TimerHandle | undefined;
  #hostSlot = Infinity;
  #size = 0;
  #refed = 0;
  #firing = false;

  /** Creates a wheel over `base` with buckets of `resolution` ms (at least 1). */
  constructor(base: Scheduler, resolution = 10) {
    this.#base = base;
    this.#resolution = Math.max(1, Math.floor(resolution));
  }

  /** The base scheduler's clock. */
  now(): number {
    return this.#base.now();
  }

  /** Number of armed timers (for tests and benchmarks). */
  get size(): number {
    return this.#size;
  }

  /** Arms a timer that fires between `delay` and `delay + resolution` ms from now. */
  setTimeout(callback: () => void, delay: number): TimerHandle {
    const entry: Entry = { slot: 0, delay: sanitize(delay), armed: false, refed: true, callback };
    this.#arm(entry);
    const wheel = this;
    return {
      cancel: () => wheel.#disarm(entry),
      refresh: (next?: number) => {
        if (next !== undefined) entry.delay = sanitize(next);
        wheel.#disarm(entry);
        wheel.#arm(entry);
      },
      unref: () => {
        if (entry.refed && entry.armed) wheel.#refed--;
        entry.refed = false;
        wheel.#syncRef();
      },
      ref: () => {
        if (!entry.refed && entry.armed) wheel.#refed++;
        entry.refed = true;
        wheel.#syncRef();
      },
      get pending() {
        return entry.armed;
      },
    };
  }

  #arm(entry: Entry): void {
    const due = this.#base.now() + entry.delay;
    entry.slot = Math.ceil(due / this.#resolution);
    entry.armed = true;
    let bucket = this.#buckets.get(entry.slot);
    if (bucket === undefined) {
      bucket = new Set();
      this.#buckets.set(entry.slot, bucket);
      heapPush(this.#heap, entry.slot);
    }
    bucket.add(entry);
    this.#size++;
    if (entry.refed) this.#refed++;
    if (!this.#firing && entry.slot < this.#hostSlot) this.#schedule();
    else this.#syncRef();
  }

  #disarm(entry: Entry): void {
    if (!entry.armed) return;
    entry.armed = false;
    this.#size--;
    if (entry.refed) this.#refed--;
    // An emptied bucket stays until its slot leaves the heap: a slot is in the heap exactly once.
    this.#buckets.get(entry.slot)?.delete(entry);
    if (this.#size === 0 && !this.#firing) {
      this.#host?.cancel();
      this.#hostSlot = Infinity;
      this.#heap.length = 0;
      this.#buckets.clear();
    } else this.#syncRef();
  }

  /** Arms the host timer for the earliest live bucket (or cancels it when none is left). */
  #schedule(): void {
    while (this.#heap.length > 0 && (this.#buckets.get(this.#heap[0]!)?.size ?? 0) === 0) {
      this.#buckets.delete(heapPop(this.#heap)!);
    }
    const slot = this.#heap[0];
    if (slot === undefined) {
      this.#host?.cancel();
      this.#hostSlot = Infinity;
      return;
    }
    const delay = Math.max(0, slot * this.#resolution - this.#base.now());
    this.#hostSlot = slot;
    if (this.#host === undefined) this.#host = this.#base.setTimeout(() => this.#fire(), delay);
    else this.#host.refresh(delay);
    this.#syncRef();
  }

  #syncRef(): void {
    if (this.#host === undefined) return;
    if (this.#refed > 0) this.#host.ref();
    else this.#host.unref();
  }

  #fire(): void {
    this.#hostSlot = Infinity;
    this.#firing = true;
    try {
      const now = this.#base.now();
      // Take every bucket whose end has passed; timers armed by callbacks land in new buckets.
      const due: Set<Entry>[] = [];
      while (this.#heap.length > 0 && this.#heap[0]! * this.#resolution <= now) {
        const slot = heapPop(this.#heap)!;
        const bucket = this.#buckets.get(slot);
        if (bucket === undefined) continue;
        this.#buckets.delete(slot);
        due.push(bucket);
      }
      for (const bucket of due) {
        for (const entry of bucket) {
          if (!entry.armed) continue;
          entry.armed = false;
          this.#size--;
          if (entry.refed) this.#refed--;
          try {
            entry.callback();
          } catch (error) {
            // One failing callback must not starve the others; surface it asynchronously.
            queueMicrotask(() => {
              throw error;
            });
          }
        }
      }
    } finally {
      this.#firing = false;
      this.#schedule();
    }
  }
}

function sanitize(delay: number): number {
  return Number.isFinite(delay) ? Math.min(Math.max(0, delay), 2_147_483_647) : 2_147_483_647;
}

function heapPush(heap: number[], value: number): void {
  heap.push(value);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= value) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): number | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length === 0 || last === undefined) return top;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
    if (heap[child]! >= last) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = last;
  return top;
}
