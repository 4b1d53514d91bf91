/**
 * @module ReconnectingSocket: an opt-in wrapper that opens a fresh Socket (a new session) whenever
 * the current one closes, with capped exponential backoff and full jitter (none after an orderly
 * close by the server: a draining server wants us elsewhere now), a `minUptime` reset of the attempt
 * counter, a bounded queue for messages sent while disconnected and for those a closed session
 * reports unsent, and no retry when the server clearly refused us (403 / Engine.IO error 4
 * "Forbidden" / 5 "Unsupported protocol version").
 */

import { Emitter } from "./emitter.js";
import { backoffDelay, realScheduler, type Scheduler, type TimerHandle } from "@heartwire/shared";
import { TransportError } from "./errors.js";
import { resolveReconnectOptions, type ReconnectOptions, type ResolvedReconnectOptions, type SocketOptions } from "./options.js";
import type { MessageData, SendData } from "./platform/platform.js";
import type { CloseDetails, SendOptions, SocketCloseReason } from "./socket-events.js";
import { kUnsentEntries, type Socket, type UnsentEntry } from "./socket.js";
import type { TransportCloseDetails } from "./transports/transport.js";

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
  error: [error: Error | "No transports available"];
  /** A retry was scheduled `delay` ms from now. */
  reconnect_scheduled: [attempt: number, delay: number];
  /** Retry number `attempt` (1-based) starts now. */
  reconnect_attempt: [attempt: number];
  /** Retry number `attempt` succeeded. */
  reconnect: [attempt: number];
  /** No more retries: attempts exhausted, or the server refused us (`details` then says why). */
  reconnect_failed: [details?: CloseDetails];
  /**
   * A message was not kept for the next connection: the queue is off or full (the newest is refused),
   * or the socket closed for good. Its send callback never runs; it was not delivered.
   */
  drop: [data: SendData];
}

/** Queue size of a message: text in UTF-16 code units, binary in bytes. */
const sizeOf = (data: SendData): number => (typeof data === "string" ? data.length : data.byteLength);

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

/**
 * True when the server ended the session in order, as a draining server does (it spreads those
 * closes itself): its close packet, or a WebSocket close frame with code 1000. Not a lost connection
 * (1006, errors), nor a close frame without a code (1005), which is how engine.io and a server
 * closing every session at once end them: those clients keep their backoff, or they would all come
 * back in the same instant.
 */
export function isOrderlyServerClose(reason: SocketCloseReason, details: CloseDetails | undefined): boolean {
  if (reason !== "transport close" || details === undefined || details instanceof Error) return false;
  const { description, context } = details as TransportCloseDetails;
  return description === "transport closed by the server" || (context as { code?: unknown } | undefined)?.code === 1000;
}

/**
 * A connection that comes back by itself: a new Socket (new session) after every close. Every
 * message given to `send()` is either handed to a socket whose callback then runs, reported by a
 * `drop` event, or kept in order for the next connection (with what a closed socket reports unsent).
 */
export class ReconnectingSocket<S extends Socket = Socket> extends Emitter<ReconnectingSocketEvents> {
  readonly #uri: string | undefined;
  readonly #socketOptions: SocketOptions;
  readonly #policy: ResolvedReconnectOptions;
  readonly #shouldReconnect: (reason: SocketCloseReason, details: CloseDetails | undefined) => boolean;
  readonly #scheduler: Scheduler;
  readonly #create: SocketFactory<S>;
  readonly #queue: UnsentEntry[] = [];
  #queuedBytes = 0;
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

  /** Size of the messages waiting (text in UTF-16 code units, binary in bytes). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Sends now if connected (and the heartbeat deadline has not passed); otherwise queues the
   * message for the next connection, or refuses it (`drop` event) when the queue is off or full.
   */
  send(data: SendData, options?: SendOptions | (() => void), callback?: () => void): this {
    const cb = typeof options === "function" ? options : callback;
    const socket = this.#socket;
    if (this.#state === "open" && socket !== undefined && socket.checkHeartbeat()) {
      socket.send(data, cb);
      return this;
    }
    if (this.#state === "closed") this.emit("drop", data);
    else this.#enqueue({ data, callback: cb });
    return this;
  }

  /** Queues `entry` at the tail, or refuses it with `drop` past `queueSize` or `queueBytes`. */
  #enqueue(entry: UnsentEntry): void {
    const size = sizeOf(entry.data);
    if (this.#queue.length >= this.#policy.queueSize || this.#queuedBytes + size > this.#policy.queueBytes) {
      this.emit("drop", entry.data);
      return;
    }
    this.#queue.push(entry);
    this.#queuedBytes += size;
  }

  /** Empties the queue, reporting each message with `drop`. */
  #dropAll(): void {
    const dropped = this.#queue.splice(0);
    this.#queuedBytes = 0;
    for (const message of dropped) this.emit("drop", message.data);
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
    this.#dropAll();
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
    const queued = this.#queue.splice(0);
    this.#queuedBytes = 0;
    for (const message of queued) socket.send(message.data, message.callback);
    if (attempt > 0) this.emit("reconnect", attempt);
    this.emit("open");
  }

  #onSocketClose(socket: S, reason: SocketCloseReason, details: CloseDetails | undefined): void {
    socket.removeAllListeners();
    if (this.#socket === socket) this.#socket = undefined;
    const wasOpen = this.#state === "open";
    this.#uptimeTimer?.cancel();
    this.#uptimeTimer = undefined;
    // What the socket never wrote goes first (it is older than anything queued since), callbacks kept.
    const unsent = socket[kUnsentEntries];
    if (unsent.length > 0) {
      const later = this.#queue.splice(0);
      this.#queuedBytes = 0;
      for (const entry of unsent) this.#enqueue(entry);
      for (const entry of later) this.#enqueue(entry);
    }
    this.emit("close", reason, details);
    if (this.#state === "closed") {
      this.#dropAll();
      return;
    }
    if (!this.#shouldReconnect(reason, details)) {
      this.#giveUp(details);
      return;
    }
    // A server that closed a working session in order (a drain) wants us elsewhere now: no delay.
    if (wasOpen && isOrderlyServerClose(reason, details)) this.#attempt = 0;
    this.#schedule(wasOpen && isOrderlyServerClose(reason, details));
  }

  #schedule(immediate = false): void {
    const attempt = this.#attempt + 1;
    if (attempt > this.#policy.reconnectionAttempts) {
      this.#giveUp(undefined);
      return;
    }
    this.#attempt = attempt;
    const p = this.#policy;
    const delay = immediate ? 0 : backoffDelay(
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
    this.#dropAll();
    this.emit("reconnect_failed", details);
  }
}
