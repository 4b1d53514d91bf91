/** @module Options of a cluster primary ({@link setupPrimary}): one doc comment per field, defaults, validation. */

import type { ClusterSettings } from "node:cluster";
import { availableParallelism } from "node:os";
import { HeartwireError, MAX_TIMER_DELAY, realScheduler, type Scheduler } from "@heartwire/shared";

/** Options of `setupPrimary()`. */
export interface PrimaryOptions {
  /** TCP port the primary listens on; 0 picks a free one (see `address()`). Give `port` or `path`. */
  readonly port?: number;
  /** Address to bind with `port` (e.g. "127.0.0.1"). @default all interfaces, as net.Server */
  readonly host?: string;
  /** A Unix domain socket path to listen on instead of a port. */
  readonly path?: string;
  /** Workers to run. @default os.availableParallelism() */
  readonly workers?: number;
  /**
   * How long a draining worker may take to close its sessions gracefully (the `timeout` of its
   * `engine.close({ graceful: true })`), ms. @default 10000
   */
  readonly drainTimeout?: number;
  /** A worker that has not called `setupWorker()` this many ms after its fork is killed, ms. @default 30000 */
  readonly readyTimeout?: number;
  /** A drained worker still alive this many ms after `drainTimeout` is killed (SIGKILL), ms. @default 5000 */
  readonly exitTimeout?: number;
  /** Largest request head (request line and headers) the primary reads before handing over, bytes; a larger one gets 431. @default 16384 */
  readonly maxHeadSize?: number;
  /** Time a client may take to send its first request head, ms; then 408 and the connection closed. @default 60000 */
  readonly headTimeout?: number;
  /** Signal that starts a rolling restart; `false` for none. @default "SIGHUP" */
  readonly restartSignal?: NodeJS.Signals | false;
  /** Replace a worker that exits without being asked to (a crash) by a new one. @default true */
  readonly respawn?: boolean;
  /** Passed to `cluster.setupPrimary()` before the first fork (`exec`, `args`, `execArgv`, …). @default undefined (Node's: this script) */
  readonly settings?: ClusterSettings;
  /** Environment added to every worker's (`cluster.fork(env)`). @default undefined */
  readonly env?: Readonly<Record<string, string>>;
  /** Clock and timers (a FakeScheduler in tests). @default realScheduler */
  readonly scheduler?: Scheduler;
}

/** {@link PrimaryOptions} with every default applied. */
export interface ResolvedPrimaryOptions {
  readonly listen: { readonly port: number; readonly host: string | undefined } | { readonly path: string };
  readonly workers: number;
  readonly drainTimeout: number;
  readonly readyTimeout: number;
  readonly exitTimeout: number;
  readonly maxHeadSize: number;
  readonly headTimeout: number;
  readonly restartSignal: NodeJS.Signals | false;
  readonly respawn: boolean;
  readonly settings: ClusterSettings | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly scheduler: Scheduler;
}

/** Defaults of the numeric {@link PrimaryOptions}. */
export const primaryDefaults = Object.freeze({
  drainTimeout: 10_000,
  readyTimeout: 30_000,
  exitTimeout: 5_000,
  maxHeadSize: 16_384,
  headTimeout: 60_000,
  restartSignal: "SIGHUP" as const,
});

function invalid(name: string, value: unknown, expected: string): HeartwireError {
  return new HeartwireError("HW_ERR_INVALID_OPTION", `option ${name} must be ${expected}, got ${String(value)}`);
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max = MAX_TIMER_DELAY): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) throw invalid(name, value, `an integer in ${min}…${max}`);
  return value;
}

/** Applies defaults and validates; throws `HW_ERR_INVALID_OPTION` naming the bad value. */
export function resolvePrimaryOptions(user: PrimaryOptions): ResolvedPrimaryOptions {
  let listen: ResolvedPrimaryOptions["listen"];
  if (user.path !== undefined) {
    if (typeof user.path !== "string" || user.path.length === 0) throw invalid("path", user.path, "a non-empty string");
    if (user.port !== undefined) throw invalid("port", user.port, "left out when path is given");
    listen = { path: user.path };
  } else {
    if (user.port === undefined) throw invalid("port", user.port, "a port number (or give path)");
    listen = { port: integer("port", user.port, 0, 0, 65_535), host: user.host };
  }
  const signal = user.restartSignal ?? primaryDefaults.restartSignal;
  if (signal !== false && !(typeof signal === "string" && /^SIG[A-Z0-9]+$/.test(signal))) throw invalid("restartSignal", signal, 'a signal name ("SIGHUP") or false');
  return {
    listen,
    workers: integer("workers", user.workers, availableParallelism(), 1, 1024),
    drainTimeout: integer("drainTimeout", user.drainTimeout, primaryDefaults.drainTimeout, 0),
    readyTimeout: integer("readyTimeout", user.readyTimeout, primaryDefaults.readyTimeout, 1),
    exitTimeout: integer("exitTimeout", user.exitTimeout, primaryDefaults.exitTimeout, 1),
    maxHeadSize: integer("maxHeadSize", user.maxHeadSize, primaryDefaults.maxHeadSize, 64, 1 << 20),
    headTimeout: integer("headTimeout", user.headTimeout, primaryDefaults.headTimeout, 1),
    restartSignal: signal,
    respawn: user.respawn ?? true,
    settings: user.settings,
    env: user.env,
    scheduler: user.scheduler ?? realScheduler,
  };
}
