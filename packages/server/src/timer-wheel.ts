/**
 * @module A coalescing timer list: many logical timers on one host timer.
 *
 * Trade-off (as in undici's timers module): precision for cost. Each timer is filed into a bucket of
 * `resolution` ms, keyed by the bucket's end time (`ceil(due / resolution)`), so a timer fires at the
 * end of its bucket: up to `resolution` ms late and never early. Arming, re-arming and cancelling are
 * O(1): a bucket is an intrusive doubly linked list threaded through the timers themselves, so
 * re-arming allocates nothing (a new bucket costs one list head and one O(log n) heap push), and
 * only one timer is armed on the base scheduler: the earliest bucket's. With 10⁴ sockets pinging every 25 s there are
 * at most 2 500 buckets (10 ms) and one host timer, instead of 10⁴ host timers.
 */

import { clampDelay, type Scheduler, type TimerHandle } from "@heartwire/shared";

/** The timers due at the end of one slot, in arming order. */
interface Bucket {
  head: WheelTimer | undefined;
  tail: WheelTimer | undefined;
  size: number;
}

/** One logical timer; it is its own handle and its own list node (no closures per timer). */
class WheelTimer implements TimerHandle {
  slot = 0;
  armed = false;
  refed = true;
  prev: WheelTimer | undefined = undefined;
  next: WheelTimer | undefined = undefined;
  bucket: Bucket | undefined = undefined;

  constructor(
    readonly wheel: TimerWheel,
    readonly callback: () => void,
    public delay: number,
  ) {}

  get pending(): boolean {
    return this.armed;
  }

  cancel(): void {
    this.wheel[kDisarm](this);
  }

  refresh(delay?: number): void {
    if (delay !== undefined) this.delay = clampDelay(delay);
    this.wheel[kDisarm](this);
    this.wheel[kArm](this);
  }

  unref(): void {
    this.wheel[kSetRef](this, false);
  }

  ref(): void {
    this.wheel[kSetRef](this, true);
  }
}

const kArm = Symbol("arm");
const kDisarm = Symbol("disarm");
const kSetRef = Symbol("setRef");

/** A {@link Scheduler} that coalesces its timers into buckets on a base scheduler. */
export class TimerWheel implements Scheduler {
  readonly #base: Scheduler;
  readonly #resolution: number;
  readonly #buckets = new Map<number, Bucket>();
  /** Min-heap of the slots in `#buckets`, each exactly once (empty buckets are dropped lazily). */
  readonly #heap: number[] = [];
  #host: TimerHandle | undefined;
  #hostSlot = Infinity;
  #size = 0;
  #refed = 0;
  #firing = false;
  #hostRefed = true;

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
    const timer = new WheelTimer(this, callback, clampDelay(delay));
    this[kArm](timer);
    return timer;
  }

  /** @internal Files `timer` into the bucket of its due time. */
  [kArm](timer: WheelTimer): void {
    const slot = Math.ceil((this.#base.now() + timer.delay) / this.#resolution);
    timer.slot = slot;
    timer.armed = true;
    let bucket = this.#buckets.get(slot);
    if (bucket === undefined) {
      bucket = { head: undefined, tail: undefined, size: 0 };
      this.#buckets.set(slot, bucket);
      heapPush(this.#heap, slot);
    }
    timer.bucket = bucket;
    timer.prev = bucket.tail;
    timer.next = undefined;
    if (bucket.tail === undefined) bucket.head = timer;
    else bucket.tail.next = timer;
    bucket.tail = timer;
    bucket.size++;
    this.#size++;
    if (timer.refed) this.#refed++;
    if (!this.#firing && slot < this.#hostSlot) this.#schedule();
    else this.#syncRef();
  }

  /** @internal Takes `timer` out of its bucket (no-op unless armed). */
  [kDisarm](timer: WheelTimer): void {
    if (!timer.armed) return;
    timer.armed = false;
    this.#size--;
    if (timer.refed) this.#refed--;
    // An emptied bucket stays until its slot leaves the heap: a slot is in the heap exactly once.
    unlink(timer);
    if (this.#size === 0 && !this.#firing) {
      this.#host?.cancel();
      this.#hostSlot = Infinity;
      this.#heap.length = 0;
      this.#buckets.clear();
    } else this.#syncRef();
  }

  /** @internal Changes whether `timer` keeps the process alive. */
  [kSetRef](timer: WheelTimer, refed: boolean): void {
    if (timer.refed !== refed && timer.armed) this.#refed += refed ? 1 : -1;
    timer.refed = refed;
    this.#syncRef();
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
    if (this.#host === undefined) {
      this.#host = this.#base.setTimeout(() => this.#fire(), delay);
      this.#hostRefed = true;
    } else this.#host.refresh(delay);
    this.#syncRef();
  }

  #syncRef(): void {
    if (this.#host === undefined) return;
    const want = this.#refed > 0;
    if (want === this.#hostRefed) return;
    this.#hostRefed = want;
    if (want) this.#host.ref();
    else this.#host.unref();
  }

  #fire(): void {
    this.#hostSlot = Infinity;
    this.#firing = true;
    try {
      const now = this.#base.now();
      // Take every bucket whose end has passed; timers armed by callbacks land in new buckets.
      const due: Bucket[] = [];
      while (this.#heap.length > 0 && this.#heap[0]! * this.#resolution <= now) {
        const slot = heapPop(this.#heap)!;
        const bucket = this.#buckets.get(slot);
        if (bucket === undefined) continue;
        this.#buckets.delete(slot);
        due.push(bucket);
      }
      for (const bucket of due) {
        for (let timer = bucket.head; timer !== undefined; timer = bucket.head) {
          // Unlink first: the callback may re-arm this timer (into a new bucket) or cancel others.
          unlink(timer);
          timer.armed = false;
          this.#size--;
          if (timer.refed) this.#refed--;
          try {
            timer.callback();
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

/** Removes `timer` from its bucket's list. */
function unlink(timer: WheelTimer): void {
  const bucket = timer.bucket;
  if (bucket === undefined) return;
  if (timer.prev === undefined) bucket.head = timer.next;
  else timer.prev.next = timer.next;
  if (timer.next === undefined) bucket.tail = timer.prev;
  else timer.next.prev = timer.prev;
  bucket.size--;
  timer.prev = undefined;
  timer.next = undefined;
  timer.bucket = undefined;
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
