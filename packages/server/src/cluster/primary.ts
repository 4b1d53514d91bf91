/**
 * @module The cluster primary: owns the listening socket, reads the first request head of each
 * connection, and hands the connection to a worker: a request with a `sid` to the worker named in
 * its prefix, a handshake to the least-loaded worker. Restarts workers one at a time.
 */

import cluster, { type Worker } from "node:cluster";
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { EventEmitter } from "eventemitter3";
import { clampDelay, HeartwireError, ProtocolError, type TimerHandle } from "@heartwire/shared";
import { answerAndClose, handleOf, readRequestHead, type HeadResult, type StreamHandle } from "./handoff.js";
import { kindOf, TAG, type ToPrimary, type ToWorker } from "./messages.js";
import { resolvePrimaryOptions, type PrimaryOptions, type ResolvedPrimaryOptions } from "./primary-options.js";
import { ownerOfSid } from "./request-head.js";

/** `starting`: forked, `setupWorker()` not yet run; `ready`: takes handshakes; `draining`: only its own sessions' requests. */
export type WorkerState = "starting" | "ready" | "draining";

/** A snapshot of one worker, as the primary sees it. */
export interface WorkerInfo {
  /** `cluster` worker id; the worker's session ids start with `w<id>.`. */
  readonly id: number;
  readonly pid: number | undefined;
  readonly state: WorkerState;
  /** Open sessions, as last reported by the worker. */
  readonly sessions: number;
}

/** Events of a {@link ClusterPrimary}. */
export interface PrimaryEvents {
  /** The listening socket is bound. */
  listening: [address: AddressInfo | string];
  /** A worker called `setupWorker()`. */
  worker_ready: [worker: WorkerInfo];
  /** A worker exited (drained, crashed or killed). */
  worker_exit: [worker: WorkerInfo, code: number | null, signal: string | null];
  /** A rolling restart failed, a crashed worker could not be replaced, or the listening socket failed. */
  error: [error: Error];
}

interface WorkerRecord {
  readonly worker: Worker;
  state: WorkerState;
  sessions: number;
  /** Handshakes handed to this worker, and how many of them the worker reports as over. */
  handshakesRouted: number;
  handshakesDone: number;
  /** Sequence number of the last handshake it got, so that ties go to the one idle longest. */
  lastPicked: number;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
  /** The kill deadline of a drain. */
  killTimer: TimerHandle | undefined;
  /** The worker reported its drain over: nothing more is sent to it, then it is disconnected. */
  drained: boolean;
  /**
   * Connections sent and not yet written to the IPC channel. Node queues a handle behind the one
   * still awaiting the worker's acknowledgement, and does not close the queued ones when the
   * worker dies: they are closed here, so their clients see the connection fail instead of hang.
   */
  readonly inFlight: Set<Socket>;
  /**
   * The handle written last. Node writes the next handle only once the worker acknowledged the
   * previous one, so only this one may still wait for its acknowledgement; if the worker dies
   * first, Node does not close it either.
   */
  lastSent: StreamHandle | null;
}

const LINGER_MS = 2000;

function infoOf(record: WorkerRecord): WorkerInfo {
  return Object.freeze({ id: record.worker.id, pid: record.worker.process.pid, state: record.state, sessions: record.sessions });
}

/** The primary of a Heartwire cluster; made by {@link setupPrimary}. */
export class ClusterPrimary extends EventEmitter<PrimaryEvents> {
  /** Resolves once the primary listens and the first workers are ready; rejects if either fails. */
  readonly ready: Promise<void>;
  readonly #opts: ResolvedPrimaryOptions;
  readonly #server: NetServer;
  readonly #workers = new Map<number, WorkerRecord>();
  /** Connections whose first head is still being read. */
  readonly #reading = new Set<Socket>();
  #sequence = 0;
  #closing: Promise<void> | undefined;
  /** Restarts run one after the other; calls made while one waits to start share it. */
  #restartChain: Promise<void> = Promise.resolve();
  #pendingRestart: Promise<void> | undefined;
  readonly #onSignal = (): void => {
    this.restart().catch((error: unknown) => this.emit("error", error as Error));
  };

  /** Forks the workers and starts listening; see {@link PrimaryOptions}. */
  constructor(options: PrimaryOptions) {
    super();
    if (!cluster.isPrimary) throw new HeartwireError("HW_ERR_CLUSTER", "setupPrimary() must run in the cluster primary");
    this.#opts = resolvePrimaryOptions(options);
    if (this.#opts.settings !== undefined) cluster.setupPrimary(this.#opts.settings);
    this.#server = createServer({ pauseOnConnect: true }, (socket) => this.#accept(socket));
    const listening = new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      const onListening = (): void => {
        this.#server.off("error", reject);
        this.#server.on("error", (error) => this.emit("error", error));
        this.emit("listening", this.address()!);
        resolve();
      };
      const target = this.#opts.listen;
      if ("path" in target) this.#server.listen(target.path, onListening);
      else this.#server.listen(target.port, target.host, onListening);
    });
    const first = Array.from({ length: this.#opts.workers }, () => this.#fork().ready);
    this.ready = Promise.all([listening, ...first]).then(() => undefined);
    // A failed start is reported through `ready` (keep it from being an unhandled rejection too);
    // without a listening socket the workers have nothing to do.
    this.ready.catch(() => {});
    listening.catch(() => void this.close());
    if (this.#opts.restartSignal !== false) process.on(this.#opts.restartSignal, this.#onSignal);
  }

  /** The listening address (as net.Server's `address()`), or null before listening and after close. */
  address(): AddressInfo | string | null {
    return this.#server.address();
  }

  /** The workers now running, in fork order. */
  get workers(): WorkerInfo[] {
    return [...this.#workers.values()].map(infoOf);
  }

  /**
   * Rolling restart: for each running worker in turn, forks a new one, waits until it is ready, then
   * the old one stops taking handshakes, drains (its sessions are closed gracefully within
   * `drainTimeout`) and exits. The listening socket stays open throughout. Rejects, keeping the
   * old worker, if a new one does not become ready within `readyTimeout`.
   */
  restart(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new HeartwireError("HW_ERR_CLUSTER", "the cluster primary is closed"));
    if (this.#pendingRestart !== undefined) return this.#pendingRestart;
    const run = this.#restartChain.then(() => {
      this.#pendingRestart = undefined;
      return this.#rollAll();
    });
    this.#pendingRestart = run;
    this.#restartChain = run.catch(() => {});
    return run;
  }

  /** Stops listening, drains every worker (as a restart drains one) and resolves once all have exited. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#opts.restartSignal !== false) process.off(this.#opts.restartSignal, this.#onSignal);
    this.#server.close();
    for (const socket of this.#reading) socket.destroy();
    await Promise.all([...this.#workers.values()].map((record) => this.#drain(record)));
  }

  async #rollAll(): Promise<void> {
    for (const old of [...this.#workers.values()]) {
      if (this.#closing !== undefined) return;
      if (old.state === "draining" || !this.#workers.has(old.worker.id)) continue;
      const fresh = this.#fork();
      await fresh.ready;
      await this.#drain(old);
    }
  }

  #fork(): WorkerRecord {
    const worker = cluster.fork(this.#opts.env);
    let readyTimer: TimerHandle | undefined;
    let markReady!: () => void;
    let failReady!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    const record: WorkerRecord = {
      worker,
      state: "starting",
      sessions: 0,
      handshakesRouted: 0,
      handshakesDone: 0,
      lastPicked: 0,
      ready,
      exited: new Promise<void>((resolve) => worker.once("exit", () => resolve())),
      killTimer: undefined,
      drained: false,
      inFlight: new Set(),
      lastSent: null,
    };
    ready.catch(() => {});
    readyTimer = this.#opts.scheduler.setTimeout(() => {
      failReady(new HeartwireError("HW_ERR_CLUSTER", `worker ${worker.id} did not call setupWorker() within ${this.#opts.readyTimeout} ms`));
      worker.process.kill("SIGKILL");
    }, this.#opts.readyTimeout);
    worker.on("message", (message: unknown) => this.#onMessage(record, message, markReady));
    worker.on("error", () => {});
    worker.once("exit", (code: number | null, signal: string | null) => {
      readyTimer?.cancel();
      readyTimer = undefined;
      record.killTimer?.cancel();
      const wasState = record.state;
      this.#workers.delete(worker.id);
      for (const socket of record.inFlight) socket.destroy();
      record.inFlight.clear();
      record.lastSent?.close();
      record.lastSent = null;
      failReady(new HeartwireError("HW_ERR_CLUSTER", `worker ${worker.id} exited (${signal ?? `code ${String(code)}`}) before it was ready`));
      this.emit("worker_exit", infoOf(record), code, signal);
      if (wasState === "ready" && this.#closing === undefined && this.#opts.respawn) {
        this.#fork().ready.catch((error: unknown) => this.emit("error", error as Error));
      }
    });
    const onReady = (): void => {
      readyTimer?.cancel();
      readyTimer = undefined;
    };
    ready.then(onReady, onReady);
    this.#workers.set(worker.id, record);
    return record;
  }

  #onMessage(record: WorkerRecord, message: unknown, markReady: () => void): void {
    const kind = kindOf(message);
    if (kind === "ready") {
      if (record.state === "starting") record.state = "ready";
      markReady();
      this.emit("worker_ready", infoOf(record));
    } else if (kind === "load") {
      const load = message as Extract<ToPrimary, { [TAG]: "load" }>;
      record.sessions = load.sessions;
      record.handshakesDone = load.handshakesDone;
    } else if (kind === "drained" && !record.drained) {
      // The primary disconnects, not the worker: the disconnect then comes after every connection
      // already sent (a worker that disconnected itself could leave one in flight, never taken).
      record.drained = true;
      if (record.worker.isConnected()) record.worker.disconnect();
    }
  }

  /** Asks a worker to drain and resolves once it has exited (killed after drainTimeout + exitTimeout). */
  #drain(record: WorkerRecord): Promise<void> {
    if (record.state !== "draining" && this.#workers.has(record.worker.id)) {
      record.state = "draining";
      const message: ToWorker = { [TAG]: "drain", timeout: this.#opts.drainTimeout };
      if (record.worker.isConnected()) record.worker.send(message, undefined, {}, () => {});
      record.killTimer = this.#opts.scheduler.setTimeout(() => record.worker.process.kill("SIGKILL"), clampDelay(this.#opts.drainTimeout + this.#opts.exitTimeout));
    }
    return record.exited;
  }

  #accept(socket: Socket): void {
    socket.on("error", () => {});
    if (this.#closing !== undefined) {
      socket.destroy();
      return;
    }
    this.#reading.add(socket);
    readRequestHead(socket, this.#opts, this.#opts.scheduler, (result) => {
      this.#reading.delete(socket);
      this.#route(socket, result);
    });
  }

  #route(socket: Socket, result: HeadResult): void {
    const { scheduler } = this.#opts;
    switch (result.kind) {
      case "closed":
        return;
      case "timeout":
        return answerAndClose(socket, 408, "Request Timeout", undefined, scheduler, LINGER_MS);
      case "too large":
        return answerAndClose(socket, 431, "Request Header Fields Too Large", undefined, scheduler, LINGER_MS);
      case "invalid":
        return answerAndClose(socket, 400, "Bad Request", undefined, scheduler, LINGER_MS);
      case "head":
        break;
    }
    if (result.sid !== null) {
      const owner = ownerOfSid(result.sid);
      const record = owner === undefined ? undefined : this.#workers.get(owner);
      if (record === undefined || record.state === "starting" || record.drained) {
        const { code, message } = ProtocolError.UNKNOWN_SID;
        return answerAndClose(socket, 400, "Bad Request", { code, message }, scheduler, LINGER_MS);
      }
      return this.#handOver(record, socket, result.bytes, false);
    }
    const record = this.#leastLoaded();
    if (record === undefined) return answerAndClose(socket, 503, "Service Unavailable", { code: 3, message: "No worker available" }, scheduler, LINGER_MS);
    this.#handOver(record, socket, result.bytes, true);
  }

  /** The ready worker with the fewest sessions and handshakes in flight; ties go to the one idle longest. */
  #leastLoaded(): WorkerRecord | undefined {
    let best: WorkerRecord | undefined;
    let bestLoad = Infinity;
    for (const record of this.#workers.values()) {
      if (record.state !== "ready" || record.drained || !record.worker.isConnected()) continue;
      const load = record.sessions + record.handshakesRouted - record.handshakesDone;
      if (load < bestLoad || (load === bestLoad && best !== undefined && record.lastPicked < best.lastPicked)) {
        best = record;
        bestLoad = load;
      }
    }
    if (best !== undefined) best.lastPicked = ++this.#sequence;
    return best;
  }

  #handOver(record: WorkerRecord, socket: Socket, bytes: Buffer, handshake: boolean): void {
    if (handshake) record.handshakesRouted++;
    const message: ToWorker = { [TAG]: "connection", head: bytes.toString("base64"), handshake };
    record.inFlight.add(socket);
    const handle = handleOf(socket);
    record.worker.send(message, socket, { keepOpen: false }, (error) => {
      record.inFlight.delete(socket);
      if (error === null) {
        // Written after the worker's exit was seen: nobody will acknowledge it.
        if (!this.#workers.has(record.worker.id)) handle?.close();
        else record.lastSent = handle;
        return;
      }
      if (handshake) record.handshakesRouted--;
      answerAndClose(socket, 503, "Service Unavailable", { code: 3, message: "No worker available" }, this.#opts.scheduler, LINGER_MS);
    });
  }
}

/**
 * Starts a Heartwire cluster primary (call it where `cluster.isPrimary`): listens, forks
 * `workers` workers (each must call `setupWorker(engine)`), and routes every connection to the
 * right worker. See the README's "Deploying" section.
 */
export function setupPrimary(options: PrimaryOptions): ClusterPrimary {
  return new ClusterPrimary(options);
}
