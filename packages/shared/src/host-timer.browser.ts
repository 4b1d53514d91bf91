/**
 * @module The real timer behind `realScheduler` in browsers (picked through the `browser` field of
 * package.json): a timer id has no `refresh()` or `unref()`, so a refresh re-arms a new timeout and
 * `unref`/`ref` do nothing. Same behaviour as `host-timer.ts` otherwise; both are tested alike.
 */

import type { TimerHandle } from "./scheduler.js";
import { clampDelay } from "./timer-delay.js";

/** Arms a real timer for `callback` in `delay` ms (clamped to what the host honours). */
export function hostTimer(callback: () => void, delay: number): TimerHandle {
  let id: ReturnType<typeof setTimeout> | undefined;
  let ms = clampDelay(delay);
  const arm = (): void => {
    id = setTimeout(() => {
      id = undefined;
      callback();
    }, ms);
  };
  const handle: TimerHandle = {
    get pending() {
      return id !== undefined;
    },
    cancel() {
      clearTimeout(id);
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
