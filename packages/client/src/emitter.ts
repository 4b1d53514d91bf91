/**
 * @module A small typed event emitter for the client (browser-safe, no dependency). It has the
 * methods engine.io-client's emitter and eventemitter3 users call on a socket: `on`/`addListener`,
 * `once`, `off`/`removeListener`, `removeAllListeners`, `emit`, `listeners`, `listenerCount` and
 * `hasListeners`. Listeners run with the emitter as `this`, in the order they were added; an `emit`
 * calls the listeners present when it started (adding or removing during it affects the next one).
 * An `error` event with no listener is dropped, as in eventemitter3.
 */

/** The arguments of `event` in the event map `Events` (`{ message: [data: string] }` …). */
export type EventArgs<Events, K extends keyof Events> = Events[K] extends unknown[] ? Events[K] : never;

/** A listener of `event` in the event map `Events`. */
export type EventListener<Events, K extends keyof Events> = (...args: EventArgs<Events, K>) => void;

type AnyListener = ((...args: unknown[]) => void) & { readonly fn?: AnyListener };

/** Emits the events of the map `Events`: event name → tuple of listener arguments. */
export class Emitter<Events extends object> {
  // Each list is replaced, never mutated, so an emit in progress keeps the list it started with.
  readonly #lists = new Map<keyof Events, AnyListener[]>();

  /** Adds `fn` for `event`. */
  on<K extends keyof Events>(event: K, fn: EventListener<Events, K>): this {
    this.#lists.set(event, [...(this.#lists.get(event) ?? []), fn as AnyListener]);
    return this;
  }

  /** Alias of {@link Emitter.on}. */
  addListener<K extends keyof Events>(event: K, fn: EventListener<Events, K>): this {
    return this.on(event, fn);
  }

  /** Adds `fn` for the next `event` only. */
  once<K extends keyof Events>(event: K, fn: EventListener<Events, K>): this {
    const wrapper = Object.assign((...args: EventArgs<Events, K>): void => {
      this.off(event, wrapper as EventListener<Events, K>);
      fn.apply(this, args);
    }, { fn });
    return this.on(event, wrapper);
  }

  /** Removes `fn` from `event`; without `fn`, every listener of `event`; without arguments, all. */
  off<K extends keyof Events>(event: K, fn?: EventListener<Events, K>): this;
  off(): this;
  off(event?: keyof Events, fn?: unknown): this {
    const kept = fn ? this.#lists.get(event!)?.filter((l) => l !== fn && l.fn !== fn) : undefined;
    if (kept?.length) this.#lists.set(event!, kept);
    else if (event === undefined) this.#lists.clear();
    else this.#lists.delete(event);
    return this;
  }

  /** Alias of {@link Emitter.off}. */
  removeListener<K extends keyof Events>(event: K, fn?: EventListener<Events, K>): this {
    return this.off(event, fn);
  }

  /** Removes every listener of `event`, or of every event. */
  removeAllListeners(event?: keyof Events): this {
    return event === undefined ? this.off() : this.off(event);
  }

  /** Calls the listeners of `event` with `args`; returns whether there were any. */
  emit<K extends keyof Events>(event: K, ...args: EventArgs<Events, K>): boolean {
    const list = this.#lists.get(event);
    for (const fn of list ?? []) fn.apply(this, args);
    return list !== undefined;
  }

  /** The listeners of `event`, in order. */
  listeners<K extends keyof Events>(event: K): Array<EventListener<Events, K>> {
    return (this.#lists.get(event) ?? []).map((l) => (l.fn ?? l) as EventListener<Events, K>);
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof Events): number {
    return this.#lists.get(event)?.length ?? 0;
  }

  /** True when `event` has a listener (engine.io-client's emitter). */
  hasListeners(event: keyof Events): boolean {
    return this.listenerCount(event) > 0;
  }
}
