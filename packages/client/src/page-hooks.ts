/** @module Wiring a socket to its page's lifecycle (browsers): wake-ups, going offline, unload. */

import type { ResolvedSocketOptions } from "./options.js";
import type { Platform } from "./platform/platform.js";
import type { SocketCloseReason } from "./socket-events.js";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1"]);

/** What the page hooks may do to their socket. */
export interface PageHookTarget {
  /** Re-checks the heartbeat deadline (closes with "ping timeout" if it passed). */
  checkHeartbeat(): boolean;
  /** Closes with `reason`; `silent` closes without emitting anything (page unload). */
  close(reason: SocketCloseReason, description: string, silent: boolean): void;
}

/**
 * Subscribes to the page's lifecycle: `visibilitychange`/`pageshow`/`online` re-check the heartbeat
 * deadline; `offline` closes with "transport close" (unless `closeOnOffline` is off or the server is
 * local); `beforeunload` closes silently when `closeOnBeforeunload`. Returns the unsubscribe function.
 */
export function watchPage(platform: Platform, opts: ResolvedSocketOptions, target: PageHookTarget): () => void {
  const offline = opts.closeOnOffline && !LOCAL_HOSTS.has(opts.hostname);
  return platform.watchLifecycle({
    wake: () => void target.checkHeartbeat(),
    offline: offline ? () => target.close("transport close", "network connection lost", false) : undefined,
    beforeUnload: opts.closeOnBeforeunload ? () => target.close("transport close", "page unload", true) : undefined,
  });
}
