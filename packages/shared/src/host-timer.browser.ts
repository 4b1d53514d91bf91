/**
 * @module The real timer behind `realScheduler` in browsers (picked through the `browser` field of
 * package.json): a timer id has no `refresh()` or `unref()`, so a refresh re-arms a new timeout and
 * `unref`/`ref` do nothing. Same behaviour as `host-timer.ts` otherwise; both are tested alike.
 */

import type { TimerHandle } from "./scheduler.js";
import { clampDelay } from "./timer-delay.js";

// The page's timer functions at load: fake-timer libraries that replace the globals later cannot
// intercept these (engine.io-client's `useNativeTimers`).
const NATIVE_SET = globalThis.setTimeout;
const NATIVE_CLEAR = globalThis.clearTimeout;

/**
 * Arms a real timer for `callback` in `delay` ms (clamped to what the host honours): with the
 * global `setTimeout` of the moment, or with the one captured at load when `native`.
 */
export function hostTimer(callback: () => void, delay: number, native = false): TimerHandle {
  let id: ReturnType<typeof setTimeout> | undefined;
  let ms = clampDelay(delay);
  const arm = (): void => {
    id = (native ? NATIVE_SET : setTimeout)(() => {
      id = undefined;
      callback();
    }, ms);
  };
  const handle: TimerHandle = {
    get pending() {
      return id !== undefined;
    },
    cancel() {
      (native ? NATIVE_CLEAR : clearTimeout)(id);
      id = undefined;
    },
    refresh(next) {
      handle.cancel();
      if (next !== undefined) ms = clampDelay(next);
      arm();
    },
    unref() {},
    ref() {},
  };
  arm();
  return handle;
}
