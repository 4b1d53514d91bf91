/**
 * @module A server's shutdown: from `close()` on, no new sessions; every session is closed, at once
 * or gracefully with an optional deadline, and the `close()` callbacks run after the last one ended.
 */

import { HeartwireError, type Scheduler, type TimerHandle } from "@heartwire/shared";
import type { CloseOptions } from "./server-types.js";
import type { Socket } from "./socket.js";
import { kShutdown } from "./socket-types.js";

/** The shutdown state of one server, over its live session map. */
export class Shutdown {
  readonly #sessions: ReadonlyMap<string, Socket>;
  readonly #scheduler: Scheduler;
  #begun = false;
  /** close() callbacks waiting for the last session to end. */
  readonly #waiters: Array<() => void> = [];
  /** Drops the sessions a graceful close still has at its `timeout`. */
  #deadline: TimerHandle | undefined;

  /** Watches `sessions` (the server's own map, which it keeps current). */
  constructor(sessions: ReadonlyMap<string, Socket>, scheduler: Scheduler) {
    this.#sessions = sessions;
    this.#scheduler = scheduler;
  }

  /** True once `close()` was called: handshakes are refused from then on. */
  get begun(): boolean {
    return this.#begun;
  }

  /** Closes every session as `options` say; `callback` runs once none is left. */
  begin(options: CloseOptions, callback?: () => void): void {
    const { timeout } = options;
    if (timeout !== undefined && !(typeof timeout === "number" && timeout >= 0 && Number.isFinite(timeout))) {
      throw new HeartwireError("HW_ERR_INVALID_OPTION", `close() timeout must be a finite number >= 0, got ${String(timeout)}`);
    }
    this.#begun = true;
    if (callback) this.#waiters.push(callback);
    for (const socket of [...this.#sessions.values()]) {
      if (options.graceful) socket.close();
      else socket[kShutdown]();
    }
    if (options.graceful && timeout !== undefined && this.#sessions.size > 0 && this.#deadline === undefined) {
      this.#deadline = this.#scheduler.setTimeout(() => {
        for (const socket of [...this.#sessions.values()]) socket[kShutdown]();
      }, timeout);
    }
    this.sessionEnded();
  }

  /** Called after a session left the map: after the last one, runs the callbacks (after its `close` event). */
  sessionEnded(): void {
    if (!this.#begun || this.#sessions.size > 0) return;
    this.#deadline?.cancel();
    this.#deadline = undefined;
    for (const callback of this.#waiters.splice(0)) queueMicrotask(callback);
  }
}
