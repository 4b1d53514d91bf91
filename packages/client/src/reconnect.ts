/**
 * @module ReconnectingSocket: an opt-in wrapper that opens a fresh Socket (a new session) whenever
 * the current one closes, with capped exponential backoff and full jitter, a `minUptime` reset of
 * the attempt counter, an optional bounded queue for messages sent while disconnected, and no
 * retry when the server clearly refused us (403 / Engine.IO error 4 "Forbidden" / 5 "Unsupported
 * protocol version").
 */

import { Emitter } from "./emitter.js";
import { backoffDelay, realScheduler, type Scheduler, type TimerHandle } from "@heartwire/shared";
import { TransportError } from "./errors.js";
import { resolveReconnectOptions, type ReconnectOptions, type ResolvedReconnectOptions, type SocketOptions } from "./options.js";
import type { MessageData, SendData } from "./platform/platform.js";
import type { CloseDetails, SendOptions, SocketCloseReason } from "./socket-events.js";
import type { Socket } from "./socket.js";

/** Options of a ReconnectingSocket: every Socket option plus the reconnection policy. */
export interface ReconnectingSocketOptions extends SocketOptions, ReconnectOptions {
  /**
   * Decides whether a close is worth retrying. @default retry unless {@link isRefusal} says the
   * server refused us
   */
  readonly shouldReconnect?: (reason: SocketCloseReason, details: CloseDetails | undefined) => boolean;
}

/** `connecting`: a socket is opening; `open`; `waiting`: backing off; `closed`: stopped for good. */
export type ReconnectState = "connecting" | "open" | "waiting" | "closed";

/** `openTimeout` of the sockets a ReconnectingSocket opens, unless set: socket.io-client's `timeout`. */
const DEFAULT_OPEN_TIMEOUT = 20_000;

/** Events of a {@link ReconnectingSocket}. */
export interface ReconnectingSocketEvents {
  /** A socket opened (the first one or a reconnection). */
  open: [];
  /** A message from the server. */
  message: [data: MessageData];
  /** A socket closed (every time); after `close()` or giving up, no socket follows. */
  close: [reason: SocketCloseReason, details?: CloseDetails];
  /** A socket reported an error. */
  error: [error: Error];
  /** A retry was scheduled `delay` ms from now. */
  reconnect_scheduled: [attempt: number, delay: number];
  /** Retry number `attempt` (1-based) starts now. */
  reconnect_attempt: [attempt: number];
  /** Retry number `attempt` succeeded. */
  reconnect: [attempt: number];
  /** No more retries: attempts exhausted, or the server refused us (`details` then says why). */
  reconnect_failed: [details?: CloseDetails];
  /** A message sent while disconnected was discarded (queue disabled or full, or closed for good). */
  drop: [data: SendData];
}

interface QueuedMessage {
  readonly data: SendData;
  readonly callback: (() => void) | undefined;
}

/** Builds one Socket; the package entries pass the platform-bound constructor. */
export type SocketFactory<S extends Socket> = (uri: string | undefined, options: SocketOptions) => S;

/**
 * True when a close means "do not come back": the handshake was answered with 403, or with
 * Engine.IO error 4 (Forbidden, from `allowRequest`) or 5 (Unsupported protocol version).
 */
export function isRefusal(reason: SocketCloseReason, details: CloseDetails | undefined): boolean {
  if (reason !== "transport error" || !(details instanceof TransportError)) return false;
  return details.status === 403 || details.protocolCode === 4 || details.protocolCode === 5;
}

/** A connection that comes back by itself: a new Socket (new session) after every close. */
export class ReconnectingSocket<S extends Socket = Socket> extends Emitter<ReconnectingSocketEvents> {
  readonly #uri: string | undefined;
  readonly #socketOptions: SocketOptions;
  readonly #policy: ResolvedReconnectOptions;
  readonly #shouldReconnect: (reason: SocketCloseReason, details: CloseDetails | undefined) => boolean;
  readonly #scheduler: Scheduler;
  readonly #create: SocketFactory<S>;
  readonly #queue: QueuedMessage[] = [];
  #state: ReconnectState = "connecting";
  #socket: S | undefined;
  #attempt = 0;
  #retryTimer: TimerHandle | undefined;
  #uptimeTimer: TimerHandle | undefined;
  #unref = false;

  /** Opens the first socket at once; events follow asynchronously. */
  constructor(uri: string | ReconnectingSocketOptions | undefined, options: ReconnectingSocketOptions | undefined, create: SocketFactory<S>) {
    super();
    const opts = typeof uri === "object" && uri !== null ? uri : (options ?? {});
    this.#uri = typeof uri === "string" ? uri : undefined;
    this.#policy = resolveReconnectOptions(opts);
    this.#shouldReconnect = opts.shouldReconnect ?? ((reason, details) => !isRefusal(reason, details));
    this.#scheduler = opts.scheduler ?? realScheduler;
    // A reconnecting socket must not wait forever on a server that accepted and never answered.
    this.#socketOptions = { ...opts, openTimeout: opts.openTimeout ?? DEFAULT_OPEN_TIMEOUT };
    this.#create = create;
    this.#connect();
  }

  /** `"connecting"`, `"open"`, `"waiting"` or `"closed"`. */
  get readyState(): ReconnectState {
    return this.#state;
  }

  /** The current Socket (undefined while waiting to retry). */
  get socket(): S | undefined {
    return this.#socket;
  }

  /** Consecutive failed attempts so far (reset after `minUptime` of healthy connection). */
  get attempts(): number {
    return this.#attempt;
  }

  /** Messages waiting for the next connection. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Sends now if connected (and the heartbeat deadline has not passed); otherwise queues the
   * message for the next connection, or drops it (`drop` event) when the queue is off or full.
   */
  send(data: SendData, options?: SendOptions | (() => void), callback?: () => void): this {
    const cb = typeof options === "function" ? options : callback;
    const socket = this.#socket;
    if (this.#state === "open" && socket !== undefined && socket.checkHeartbeat()) {
      socket.send(data, cb);
      return this;
    }
    if (this.#state === "closed" || this.#policy.queueSize === 0) {
      this.emit("drop", data);
      return this;
    }
    if (this.#queue.length >= this.#policy.queueSize) this.emit("drop", this.#queue.shift()!.data);
    this.#queue.push({ data, callback: cb });
    return this;
  }

  /** Alias of {@link ReconnectingSocket.send}. */
  write(data: SendData, options?: SendOptions | (() => void), callback?: () => void): this {
    return this.send(data, options, callback);
  }

  /** Stops for good: closes the current socket (`close("forced close")`) and cancels any retry. */
  close(): this {
    if (this.#state === "closed") return this;
    const waiting = this.#state === "waiting";
    this.#state = "closed";
    this.#retryTimer?.cancel();
    this.#uptimeTimer?.cancel();
    for (const message of this.#queue.splice(0)) this.emit("drop", message.data);
    if (this.#socket) this.#socket.close();
    else if (waiting) queueMicrotask(() => this.emit("close", "forced close"));
    return this;
  }

  /** Node: neither the sockets nor the retry timers keep the process alive. Returns this. */
  unref(): this {
    this.#unref = true;
    this.#socket?.unref();
    this.#retryTimer?.unref();
    this.#uptimeTimer?.unref();
    return this;
  }

  #connect(): void {
    this.#state = "connecting";
    const socket = this.#create(this.#uri, this.#socketOptions);
    this.#socket = socket;
    if (this.#unref) socket.unref();
    socket.on("open", () => this.#onOpen());
    socket.on("message", (data) => this.emit("message", data));
    socket.on("error", (error) => this.emit("error", error));
    socket.on("close", (reason, details) => this.#onSocketClose(socket, reason, details));
  }

  #onOpen(): void {
    if (this.#state !== "connecting") return;
    this.#state = "open";
    const attempt = this.#attempt;
    this.#uptimeTimer = this.#scheduler.setTimeout(() => {
      this.#attempt = 0;
    }, this.#policy.minUptime);
    if (this.#unref) this.#uptimeTimer.unref();
    const socket = this.#socket!;
    for (const message of this.#queue.splice(0)) socket.send(message.data, message.callback);
    if (attempt > 0) this.emit("reconnect", attempt);
    this.emit("open");
  }

  #onSocketClose(socket: S, reason: SocketCloseReason, details: CloseDetails | undefined): void {
    socket.removeAllListeners();
    if (this.#socket === socket) this.#socket = undefined;
    this.#uptimeTimer?.cancel();
    this.#uptimeTimer = undefined;
    this.emit("close", reason, details);
    if (this.#state === "closed") return;
    if (!this.#shouldReconnect(reason, details)) {
      this.#giveUp(details);
      return;
    }
    this.#schedule();
  }

  #schedule(): void {
    const attempt = this.#attempt + 1;
    if (attempt > this.#policy.reconnectionAttempts) {
      this.#giveUp(undefined);
      return;
    }
    this.#attempt = attempt;
    const p = this.#policy;
    const delay = backoffDelay(
      attempt - 1,
      { initialDelay: p.reconnectionDelay, maxDelay: p.reconnectionDelayMax, factor: p.reconnectionFactor, jitter: p.jitter },
      p.random,
    );
    this.#state = "waiting";
    this.emit("reconnect_scheduled", attempt, delay);
    this.#retryTimer = this.#scheduler.setTimeout(() => {
      if (this.#state !== "waiting") return;
      this.emit("reconnect_attempt", attempt);
      if (this.#isWaiting()) this.#connect();
    }, delay);
    if (this.#unref) this.#retryTimer.unref();
  }

  #isWaiting(): boolean {
    return this.#state === "waiting";
  }

  #giveUp(details: CloseDetails | undefined): void {
    this.#state = "closed";
    for (const message of this.#queue.splice(0)) this.emit("drop", message.data);
    this.emit("reconnect_failed", details);
  }
}
