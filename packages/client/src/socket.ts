/**
 * @module The Socket: handshake, ready-state machine, write buffer, heartbeat glue, events.
 * Transport specifics live in `transports/`; how the transport is opened and swapped (failover,
 * upgrade) in the entry's slot strategy (`transport-slot.ts`, `upgrading-slot.ts`); host specifics
 * behind the {@link Platform}.
 */

import { Emitter } from "./emitter.js";
import { HeartwireError, parseOpenPacket, PROTOCOL_VERSION, type OutgoingPacket, type Packet, type Scheduler, type TimerHandle } from "@heartwire/shared";
import { TransportError } from "./errors.js";
import { heartbeatWatch, type HeartbeatWatch } from "./heartbeat-watch.js";
import { resolveSocketOptions, type ResolvedSocketOptions, type SocketOptions, type TransportName } from "./options.js";
import type { BinaryType, HostIO, Platform, SendData } from "./platform/platform.js";
import type { CloseDetails, MessagePacket, ReadyState, SendOptions, SocketCloseReason, SocketEvents } from "./socket-events.js";
import type { TransportSlot } from "./transport-slot.js";
import type { ClientTransport, TransportCloseDetails } from "./transports/transport.js";
import { messageSize, writeBuffer } from "./write-buffer.js";

/** Key of {@link Socket}'s internal list of unsent messages with their send callbacks (for ReconnectingSocket). */
export const kUnsentEntries = Symbol("heartwire.unsentEntries");

/** An unsent message and the callback its `send()` was given. */
export interface UnsentEntry {
  readonly data: SendData;
  readonly callback: (() => void) | undefined;
}

/** Pongs that may wait unsent; more pings (a flood) are answered by the ones already waiting. */
const MAX_WAITING_PONGS = 8;

/** The ready states in the only order a socket goes through them (it may skip some). */
const STATES: readonly ReadyState[] = ["opening", "open", "closing", "closed"];

/**
 * An Engine.IO v4 client connection, API-compatible with engine.io-client's `Socket`. This core
 * class takes its host as a {@link Platform}; the package entries bind the Node or browser one.
 */
export class Socket extends Emitter<SocketEvents> {
  /** The Engine.IO protocol revision (4). */
  static readonly protocol = PROTOCOL_VERSION;
  /** Session id from the open packet; null before the handshake and after close. */
  id: string | null = null;
  /** What received binary messages are delivered as; may be changed at any time. */
  binaryType: BinaryType;
  /** Transports the server offered to upgrade to (that this client implements). */
  upgrades: string[] = [];
  /** The server's ping interval from the open packet, ms. */
  pingInterval: number | undefined;
  /** The server's ping timeout from the open packet, ms. */
  pingTimeout: number | undefined;
  /** Largest POST body the server accepts, bytes (undefined: no limit announced). */
  maxPayload: number | undefined;

  readonly #opts: ResolvedSocketOptions;
  readonly #platform: Platform;
  readonly #io: HostIO;
  /** The options' scheduler, wrapped by the host so that its timers follow `unref()` (Node). */
  readonly #scheduler: Scheduler;
  readonly #heartbeat: HeartbeatWatch;
  readonly #buffer = writeBuffer();
  readonly #stopLifecycle: () => void;
  #readyState: ReadyState = "opening";
  readonly #slot: TransportSlot;
  #unsent: UnsentEntry[] | undefined;
  /** Runs while opening when `openTimeout` is set. */
  #openTimer: TimerHandle | undefined;
  /** A send passed `maxBufferedBytes`: the socket is closing, later sends go to `unsent`. */
  #overflowed = false;

  /** Connects to `uri` (or, in a page, the page's own host). Events start on a later tick. */
  constructor(uri: string | SocketOptions | undefined, options: SocketOptions | undefined, platform: Platform) {
    super();
    const opts = typeof uri === "object" && uri !== null ? uri : (options ?? {});
    this.#opts = resolveSocketOptions(typeof uri === "string" ? uri : undefined, opts, platform.location(), platform);
    // As engine.io-client: reported on a later tick, so that a listener added after `new` hears it.
    if (!this.#opts.transports.length) this.#opts.scheduler.setTimeout(() => this.emit("error", "No transports available"), 0);
    this.#platform = platform;
    this.binaryType = this.#opts.binaryType ?? platform.defaultBinaryType;
    this.#io = this.#opts.io ?? platform.createIO(this.#opts);
    // Node: the socket's timers follow unref() like its connections.
    this.#scheduler = this.#io.timers?.(this.#opts.scheduler) ?? this.#opts.scheduler;
    this.#heartbeat = heartbeatWatch(this.#scheduler, {
      expire: () => this.#onClose("ping timeout"),
      rtt: (sample, estimate) => this.emit("rtt", sample, estimate.smoothed),
    });
    this.#armOpenTimer();
    if (this.#opts.autoUnref) this.unref();
    this.#stopLifecycle = platform.watchLifecycle(this.#opts, {
      checkHeartbeat: () => this.checkHeartbeat(),
      close: (reason, description, silent) => this.#onClose(reason, { description }, silent),
    });
    this.#slot = platform.slot(this.#opts, this.#io, this.#scheduler, {
      packet: (packet) => this.#onPacket(packet),
      drain: () => this.#onDrain(),
      refused: () => this.#buffer.requeueBatch(),
      error: (error) => this.#fail(error, true),
      close: (details) => this.#onClose("transport close", details),
      events: this,
      flush: (settle) => {
        this.#flush();
        if (settle) this.#maybeFinishClosing();
      },
    });
  }

  /**
   * After `close`: the messages `send()` accepted that were never handed to a transport, in order.
   * They certainly did not reach the server (their callbacks never ran), so resending them on a new
   * session creates no duplicate. A polling batch the server answered with an HTTP error (it did not
   * take it) is listed too. A message whose callback did not run and that is not listed was in
   * flight when the connection died: it may or may not have arrived. Empty while not closed.
   */
  get unsent(): readonly SendData[] {
    return this[kUnsentEntries].map((entry) => entry.data);
  }

  /** @internal {@link Socket.unsent} with each message's send callback (not run). */
  get [kUnsentEntries](): readonly UnsentEntry[] {
    return this.#readyState === "closed" ? (this.#unsent ?? []) : [];
  }

  /**
   * Size of the messages accepted by `send()` and not yet taken by the network: queued here (UTF-16
   * units or bytes, plus one per message) and held by the transport. Past `maxBufferedBytes` the
   * socket closes ("slow consumer"); a fast sender should pause above its own threshold until `drain`.
   */
  get bufferedAmount(): number {
    return this.#buffer.bytes + (this.#slot.current?.bufferedAmount ?? 0);
  }

  /** The server's host name (engine.io-client's `hostname`). */
  get hostname(): string {
    return this.#opts.hostname;
  }

  /** The server's port, as a string (engine.io-client's `port`). */
  get port(): string {
    return this.#opts.port;
  }

  /** True for https/wss (engine.io-client's `secure`). */
  get secure(): boolean {
    return this.#opts.secure;
  }

  /** The options after defaults and validation (read-only). */
  get opts(): ResolvedSocketOptions {
    return this.#opts;
  }

  /** The packets waiting to be written, the batch in flight first (engine.io-client's `writeBuffer`). */
  get writeBuffer(): OutgoingPacket[] {
    return this.#buffer.packets();
  }

  /** `"opening"`, `"open"`, `"closing"` or `"closed"`. */
  get readyState(): ReadyState {
    return this.#readyState;
  }

  /** The transport in use (`transport.name` is `"polling"` or `"websocket"`). */
  get transport(): ClientTransport {
    return this.#slot.current;
  }

  /** Latest round-trip sample in ms (from the spacing of pings), or undefined before the second ping. */
  get rtt(): number | undefined {
    return this.#heartbeat.rtt?.latest;
  }

  /** Smoothed round-trip time in ms (RFC 6298 weights), or undefined before the first sample. */
  get smoothedRtt(): number | undefined {
    return this.#heartbeat.rtt?.smoothed;
  }

  /**
   * Queues a message; `callback` runs once the batch holding it has been written (POST answered,
   * or frame handed to the WebSocket). Ignored once the socket is closing. If the heartbeat
   * deadline has passed, nothing is written and the socket closes with `"ping timeout"`.
   */
  send(data: SendData, options?: SendOptions | (() => void), callback?: () => void): this {
    const state = this.#readyState;
    const payload = typeof data === "string" || ArrayBuffer.isView(data) || data instanceof ArrayBuffer ? data : String(data);
    // `options.compress` as engine.io-client records it on the packet (socket.io-client reads it).
    const packet: MessagePacket = { type: "message", data: payload, options: { compress: typeof options !== "object" || options.compress !== false } };
    const done = typeof options === "function" ? options : callback;
    if ((this.#overflowed && state !== "closed") || (state === "open" && !this.#heartbeat.check())) {
      // The session is over (closing on a microtask): the message never left.
      (this.#unsent ??= []).push({ data: payload, callback: done });
    } else if (state === "opening" || state === "open") {
      const held = this.bufferedAmount;
      if (held > 0 && held + messageSize(packet) > this.#opts.maxBufferedBytes) {
        this.#overflowed = true;
        (this.#unsent ??= []).push({ data: payload, callback: done });
        const error = new HeartwireError("HW_ERR_BUFFER_FULL", `slow consumer: the server does not read what is sent; maxBufferedBytes (${this.#opts.maxBufferedBytes}) reached`);
        queueMicrotask(() => {
          if (this.#readyState === "closed") return;
          this.emit("error", error);
          this.#onClose("transport error", error);
        });
        return this;
      }
      this.emit("packetCreate", packet);
      this.#buffer.push(packet, done);
      this.#flush();
    }
    return this;
  }

  /** Alias of {@link Socket.send}. */
  write(data: SendData, options?: SendOptions | (() => void), callback?: () => void): this {
    return this.send(data, options, callback);
  }

  /**
   * Closes the socket once everything queued is written and a running upgrade finished; emits
   * `close("forced close")`. Polling tells the server with a `1` packet.
   */
  close(): this {
    if (this.#readyState === "opening" || this.#readyState === "open") {
      this.#transition("closing");
      this.#slot.abandonProbe?.();
      queueMicrotask(() => this.#maybeFinishClosing());
    }
    return this;
  }

  /**
   * True while open and the server's heartbeat deadline has not passed. If it has passed (a late
   * timer after sleep or throttling), closes with `"ping timeout"` on a microtask and returns false.
   */
  checkHeartbeat(): boolean {
    return this.#readyState === "open" && this.#heartbeat.check();
  }

  /**
   * engine.io-client's check before a write (socket.io-client calls it before each emit): true once
   * the heartbeat deadline has passed, in which case the socket closes with `"ping timeout"` on a
   * microtask. False before the handshake.
   */
  _hasPingExpired(): boolean {
    return !this.#heartbeat.check();
  }

  /** Node: lets the process exit while this socket is open (connections and timers). Returns this. */
  unref(): this {
    this.#io.unref();
    return this;
  }

  /** Undoes {@link Socket.unref}. Returns this. */
  ref(): this {
    this.#io.ref();
    return this;
  }

  /** (Re)starts the `openTimeout` deadline for the transport now opening. */
  #armOpenTimer(): void {
    const openTimeout = this.#opts.openTimeout;
    if (openTimeout === undefined) return;
    this.#openTimer?.cancel();
    this.#openTimer = this.#scheduler.setTimeout(() => {
      this.#openTimer = undefined;
      if (this.#readyState === "opening") this.#fail(new TransportError("open timeout", { context: { openTimeout } }, "HW_ERR_TIMEOUT"), true);
    }, openTimeout);
  }

  #flush(): void {
    const transport = this.#slot.current;
    if ((this.#readyState !== "open" && this.#readyState !== "closing") || !transport.writable || !this.#buffer.length || !this.#heartbeat.check()) return;
    const bytes = transport.batchBytes;
    const batch = this.#buffer.nextBatch(!!this.#slot.holdsWrites, bytes && this.maxPayload ? { max: this.maxPayload, bytes } : undefined);
    if (batch.length === 0) return;
    transport.send(batch);
    this.emit("flush");
  }

  #onDrain(): void {
    for (const callback of this.#buffer.finishBatch()) callback();
    if (this.#readyState === "closed") return;
    if (this.#buffer.length > 0) this.#flush();
    else {
      this.emit("drain");
      this.#maybeFinishClosing();
    }
  }

  #onPacket(packet: Packet<Uint8Array>): void {
    const { type } = packet;
    if (this.#readyState === "closed") return;
    if (this.id === null && type !== "open") return this.#fail(new HeartwireError("HW_ERR_PROTOCOL", `received a ${type} packet before the open packet`));
    const data = packet.data instanceof Uint8Array ? this.#platform.decodeBinary(packet.data, this.binaryType) : packet.data;
    this.emit("packet", { type, data });
    this.emit("heartbeat");
    // A listener may have closed the socket (here and below: the casts undo TypeScript's narrowing).
    if ((this.#readyState as ReadyState) === "closed") return;
    if (type === "open") this.#onHandshake(data);
    else if (type === "ping") this.#onPing();
    else if (type === "message") {
      this.emit("data", data!);
      if ((this.#readyState as ReadyState) !== "closed") this.emit("message", data!);
    }
    else if (type === "close") this.#onClose("transport close", { description: "transport closed by the server" });
  }

  #onHandshake(data: unknown): void {
    if (this.id !== null) return this.#fail(new HeartwireError("HW_ERR_PROTOCOL", "received a second open packet"));
    const parsed = parseOpenPacket(typeof data === "string" ? data : "");
    if (!parsed.ok) return this.#fail(new HeartwireError("HW_ERR_INVALID_HANDSHAKE", parsed.error.message));
    const open = parsed.value;
    const transport = this.#slot.current;
    this.id = open.sid;
    transport.setSid(open.sid);
    this.upgrades = open.upgrades.filter((u) => this.#opts.transports.includes(u as TransportName) && u !== transport.name);
    this.pingInterval = open.pingInterval;
    this.pingTimeout = open.pingTimeout;
    this.maxPayload = open.maxPayload;
    this.#openTimer?.cancel();
    this.#heartbeat.start(open);
    this.emit("handshake", open);
    if (this.#readyState !== "opening") return;
    this.#transition("open");
    this.emit("open");
    if ((this.#readyState as ReadyState) !== "open") return;
    this.#flush();
    this.#slot.opened?.(open, this.upgrades);
  }

  #onPing(): void {
    if (!this.#heartbeat.ping()) return;
    // A server has one ping outstanding; past a few waiting pongs, a ping flood adds no more.
    const pong: OutgoingPacket = { type: "pong" };
    if (this.#buffer.pushPriority(pong, MAX_WAITING_PONGS)) this.emit("packetCreate", pong);
    this.emit("ping");
    this.emit("pong");
    this.#flush();
  }

  /** The only way readyState changes: forward only (opening → open → closing → closed). */
  #transition(to: ReadyState): void {
    if (STATES.indexOf(to) <= STATES.indexOf(this.#readyState)) {
      throw new HeartwireError("HW_ERR_PROTOCOL", `illegal ready-state change ${this.#readyState} -> ${to}`);
    }
    this.#readyState = to;
  }

  #maybeFinishClosing(): void {
    if (this.#readyState === "closing" && (this.id === null || (this.#buffer.idle && !this.#slot.holdsWrites))) {
      this.#onClose("forced close");
    }
  }

  /**
   * A transport failure (may fail over while opening), or a protocol error of ours (`HW_ERR_PROTOCOL`,
   * `HW_ERR_INVALID_HANDSHAKE`): emits `error`, then closes with "transport error" or "parse error".
   */
  #fail(error: HeartwireError, transport = false): void {
    if (transport && this.#readyState === "opening" && this.#slot.failover?.()) return this.#armOpenTimer();
    this.emit("error", error);
    this.#onClose(/^HW_ERR_(INVALID|PROTOCOL)/.test(error.code) ? "parse error" : "transport error", error);
  }

  #onClose(reason: SocketCloseReason, details?: CloseDetails | TransportCloseDetails, silent = false): void {
    if (this.#readyState === "closed") return;
    this.#transition("closed");
    this.#openTimer?.cancel();
    this.#heartbeat.stop();
    this.#slot.close(reason === "forced close" || reason === "parse error" || silent);
    this.#stopLifecycle();
    // Queued messages were sent before any that were refused (already in #unsent).
    const unsent: UnsentEntry[] = [];
    for (const { packet, callback } of this.#buffer.clear()) {
      if (packet.type === "message") unsent.push({ data: packet.data as SendData, callback });
    }
    if (unsent.length > 0) this.#unsent = this.#unsent ? unsent.concat(this.#unsent) : unsent;
    this.id = null;
    if (!silent) this.emit("close", reason, details);
  }
}
