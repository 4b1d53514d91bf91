/**
 * @module Wiring a browser socket to its page's lifecycle: `visibilitychange` (to visible),
 * `pageshow` and `online` re-check the heartbeat deadline; `offline` and `beforeunload` close.
 */

import type { LifecycleOptions, LifecycleTarget, PageLocation } from "./platform/platform.js";

/** The page globals the browser host reads, all optional (it also loads in workers and in Node). */
interface PageGlobals {
  readonly location?: PageLocation;
  readonly document?: { readonly visibilityState?: string } & EventTarget;
  readonly addEventListener?: EventTarget["addEventListener"];
  readonly removeEventListener?: EventTarget["removeEventListener"];
}

/** The page (or worker) global scope. */
export const page = globalThis as PageGlobals;

const LOCAL_HOSTS = ["localhost", "127.0.0.1", "::1"];

type Subscription = [target: Partial<EventTarget> | undefined, event: string, listener: false | (() => void)];

/**
 * Subscribes `target` to the page's lifecycle: `visibilitychange`/`pageshow`/`online` re-check the
 * heartbeat deadline; `offline` closes with "transport close" (unless `closeOnOffline` is off or
 * the server is local); `beforeunload` closes silently when `closeOnBeforeunload` (not subscribed
 * otherwise: it disables the back/forward cache). Returns the unsubscribe function.
 */
export function watchPage(options: LifecycleOptions, target: LifecycleTarget): () => void {
  const doc = page.document;
  const wake = (): void => void target.checkHeartbeat();
  const close = (description: string, silent: boolean) => (): void => target.close("transport close", description, silent);
  const subscriptions: Subscription[] = [
    [doc, "visibilitychange", () => doc?.visibilityState !== "hidden" && wake()],
    [page, "pageshow", wake],
    [page, "online", wake],
    [page, "offline", options.closeOnOffline && !LOCAL_HOSTS.includes(options.hostname) && close("network connection lost", false)],
    [page, "beforeunload", !!options.closeOnBeforeunload && close("page unload", true)],
  ];
  const each = (method: "addEventListener" | "removeEventListener"): void => {
    for (const [on, event, listener] of subscriptions) if (listener) on?.[method]?.(event, listener);
  };
  each("addEventListener");
  return () => each("removeEventListener");
}
