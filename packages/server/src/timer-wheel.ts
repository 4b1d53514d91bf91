/**
 * @module A coalescing timer list: many logical timers on one host timer, each fired at its own due
 * time.
 *
 * Timers are filed into buckets of `resolution` ms by due time (`floor(due / resolution)`): a
 * bucket is an intrusive doubly linked list threaded through the timers themselves, so arming,
 * re-arming and cancelling are O(1) and re-arming allocates nothing (a new bucket costs one list
 * head and one O(log n) heap push). Only one timer is armed on the base scheduler, for the earliest
 * due time in the earliest bucket; when it fires, every timer whose due time has passed runs, in
 * due-time order, and the host timer is re-armed for the next one. So the wheel adds no lateness of
 * its own: a timer never fires early and fires as soon after its due time as the host timer allows
 * (a host timer that fires before the due time is re-armed for the rest). The resolution only sets
 * how many timers share a bucket (the scan per wake-up), not when they fire. With 10⁴ sockets
 * pinging every 25 s there are at most 2 500 buckets (10 ms) and one host timer, instead of 10⁴
 * host timers.
 */

import { clampDelay, type Scheduler, type TimerHandle } from "@heartwire/shared";

/** The timers whose due times fall in one slot of `resolution` ms, in arming order. */
interface Bucket {
  head: WheelTimer | undefined;
  tail: WheelTimer | undefined;
  size: number;
}

/** One logical timer; it is its own handle and its own list node (no closures per timer). */
class WheelTimer implements TimerHandle {
  due = 0;
  /** Arming order, to break ties between equal due times. */
  seq = 0;
  /** Idle, filed in a bucket, or taken out of its bucket by a wake-up and about to run. */
  state: "idle" | "armed" | "due" = "idle";
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
    return this.state !== "idle";
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

/** Due-time order, arming order among equals. */
function byDue(a: WheelTimer, b: WheelTimer): number {
  return a.due - b.due || a.seq - b.seq;
}

/** A {@link Scheduler} that runs its timers on a single timer of a base scheduler. */
export class TimerWheel implements Scheduler {
  readonly #base: Scheduler;
  readonly #resolution: number;
  readonly #buckets = new Map<number, Bucket>();
  /** Min-heap of the slots in `#buckets`, each exactly once (empty buckets are dropped lazily). */
  readonly #heap: number[] = [];
  /** Reused between wake-ups: the timers that fall due in one. */
  readonly #due: WheelTimer[] = [];
  #host: TimerHandle | undefined;
  /** When the host timer is armed for (Infinity when it is not). */
  #hostDue = Infinity;
  #size = 0;
  #refed = 0;
  #seq = 0;
  #firing = false;
  /** The earliest due time armed by callbacks of the wake-up in progress. */
  #firingMin = Infinity;
  #hostRefed = true;

  /**
   * Creates a wheel over `base` whose buckets span `resolution` ms (at least 1). The resolution
   * trades the scan per wake-up against the number of buckets; it does not delay any timer.
   */
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

  /** Arms a timer that fires once `delay` ms have passed, as soon as the base scheduler allows. */
  setTimeout(callback: () => void, delay: number): TimerHandle {
    const timer = new WheelTimer(this, callback, clampDelay(delay));
    this[kArm](timer);
    return timer;
  }

  /** @internal Files `timer` into the bucket of its due time. */
  [kArm](timer: WheelTimer): void {
    const due = this.#base.now() + timer.delay;
    const slot = Math.floor(due / this.#resolution);
    timer.due = due;
    timer.seq = this.#seq++;
    timer.state = "armed";
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
    // While firing, #fire re-arms the host timer once at the end.
    if (this.#firing) {
      if (due < this.#firingMin) this.#firingMin = due;
      this.#syncRef();
    } else if (due < this.#hostDue) this.#armHost(due);
    else this.#syncRef();
  }

  /** @internal Takes `timer` out of its bucket, or out of the wake-up about to run it (no-op when idle). */
  [kDisarm](timer: WheelTimer): void {
    if (timer.state === "idle") return;
    // An emptied bucket stays until its slot leaves the heap: a slot is in the heap exactly once.
    // The host timer stays armed too: at worst it wakes once for nothing and re-arms.
    if (timer.state === "armed") unlink(timer);
    timer.state = "idle";
    this.#size--;
    if (timer.refed) this.#refed--;
    if (this.#size === 0 && !this.#firing) {
      this.#host?.cancel();
      this.#hostDue = Infinity;
      this.#heap.length = 0;
      this.#buckets.clear();
    } else this.#syncRef();
  }

  /** @internal Changes whether `timer` keeps the process alive. */
  [kSetRef](timer: WheelTimer, refed: boolean): void {
    if (timer.refed !== refed && timer.state !== "idle") this.#refed += refed ? 1 : -1;
    timer.refed = refed;
    this.#syncRef();
  }

  /** Arms the host timer for the earliest due time left (or cancels it when no timer is left). */
  #schedule(): void {
    while (this.#heap.length > 0 && (this.#buckets.get(this.#heap[0]!)?.size ?? 0) === 0) {
      this.#buckets.delete(heapPop(this.#heap)!);
    }
    const slot = this.#heap[0];
    if (slot === undefined) {
      this.#host?.cancel();
      this.#hostDue = Infinity;
      return;
    }
    // Buckets partition due times, so the earliest timer is in the earliest non-empty bucket.
    let due = Infinity;
    for (let timer = this.#buckets.get(slot)!.head; timer !== undefined; timer = timer.next) {
      if (timer.due < due) due = timer.due;
    }
    this.#armHost(due);
  }

  #armHost(due: number): void {
    // Host timers count whole milliseconds: ask for a whole number (Node keeps one timer list per
    // distinct delay), rounded up; one that still fires early finds nothing due and re-arms.
    const delay = Math.max(0, Math.ceil(due - this.#base.now()));
    this.#hostDue = due;
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
    this.#hostDue = Infinity;
    this.#firing = true;
    const due = this.#due;
    /** The earliest timer left for later in the bucket that ended the search. */
    let keptMin = Infinity;
    try {
      const now = this.#base.now();
      // Take every timer due by now. Buckets whose slot starts after now hold none; the first
      // bucket that keeps a timer for later ends the search (later buckets are later still).
      while (this.#heap.length > 0 && this.#heap[0]! * this.#resolution <= now) {
        const slot = this.#heap[0]!;
        const bucket = this.#buckets.get(slot);
        let kept = false;
        if (bucket !== undefined) {
          for (let timer = bucket.head; timer !== undefined; ) {
            const next = timer.next;
            if (timer.due <= now) {
              unlink(timer);
              timer.state = "due";
              due.push(timer);
            } else {
              kept = true;
              if (timer.due < keptMin) keptMin = timer.due;
            }
            timer = next;
          }
        }
        if (kept) break;
        heapPop(this.#heap);
        this.#buckets.delete(slot);
      }
      if (due.length > 1) due.sort(byDue);
      for (let i = 0; i < due.length; i++) {
        const timer = due[i]!;
        // An earlier callback may have cancelled or re-armed a timer still waiting its turn here.
        if (timer.state !== "due") continue;
        timer.state = "idle";
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
    } finally {
      due.length = 0;
      this.#firing = false;
      const next = Math.min(keptMin, this.#firingMin);
      this.#firingMin = Infinity;
      // Usually the bucket that ended the search still holds the next timer: no second scan.
      if (keptMin !== Infinity && this.#size > 0) this.#armHost(next);
      else this.#schedule();
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
