/**
 * @module `installTimerFunctions`, which socket.io-client imports from engine.io-client: gives an
 * object `setTimeoutFn`/`clearTimeoutFn`, the host's timers as they were at load when
 * `useNativeTimers` is set (so a fake-timer library installed later cannot intercept them), else
 * the current globals.
 */

const NATIVE_SET = globalThis.setTimeout;
const NATIVE_CLEAR = globalThis.clearTimeout;

/** The timer functions `installTimerFunctions` sets. */
export interface TimerFunctions {
  setTimeoutFn: typeof setTimeout;
  clearTimeoutFn: typeof clearTimeout;
}

/** Sets `target.setTimeoutFn` and `target.clearTimeoutFn` (see the module doc). */
export function installTimerFunctions(target: object, opts: { readonly useNativeTimers?: boolean | undefined }): void {
  const native = opts.useNativeTimers;
  const functions: TimerFunctions = {
    setTimeoutFn: (native ? NATIVE_SET : globalThis.setTimeout).bind(globalThis),
    clearTimeoutFn: (native ? NATIVE_CLEAR : globalThis.clearTimeout).bind(globalThis),
  };
  Object.assign(target, functions);
}
