/** @module Bounded waits for tests: every wait has a timeout, nothing sleeps and hopes. */

/** Anything with `on`/`off` (Node EventEmitter, eventemitter3, ws, our sockets). */
export interface Listenable {
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/** Options for {@link once}. */
export interface WaitOptions {
  /** Give up after this many ms. @default 5000 */
  readonly timeoutMs?: number;
  /** Only resolve when the arguments satisfy this predicate. */
  readonly filter?: (...args: any[]) => boolean;
}

/** Resolves with the arguments of the next `event` (that passes `filter`), or rejects after `timeoutMs`. */
export function once<T extends unknown[] = any[]>(emitter: Listenable, event: string, options: WaitOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise<T>((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      if (options.filter && !options.filter(...args)) return;
      cleanup();
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for '${event}'`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(event, listener);
    };
    emitter.on(event, listener);
  });
}

/** Collects the first argument of `count` occurrences of `event`, or rejects after `timeoutMs`. */
export function collect<T = unknown>(emitter: Listenable, event: string, count: number, timeoutMs = 5000): Promise<T[]> {
  return new Promise<T[]>((resolve, reject) => {
    const items: T[] = [];
    const listener = (value: T): void => {
      items.push(value);
      if (items.length >= count) {
        cleanup();
        resolve(items);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms: got ${items.length}/${count} '${event}' events`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(event, listener);
    };
    if (count <= 0) {
      cleanup();
      resolve(items);
      return;
    }
    emitter.on(event, listener);
  });
}

/** Polls `condition` every few ms until true, or rejects after `timeoutMs` (for state with no event). */
export async function waitUntil(condition: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
