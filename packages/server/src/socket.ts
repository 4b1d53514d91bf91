/** @module One client session: ready-state machine, write buffer, send callbacks, heartbeat, upgrade, close. */

import type { IncomingMessage } from "node:http";
import { EventEmitter } from "eventemitter3";
import {
  encodeOpenPacket,
  HeartwireError,
  type BinaryInput,
  type CloseReason,
  type HeartbeatTiming,
  type Packet,
  type PacketType,
  type RttEstimate,
} from "@heartwire/shared";
import type { ResolvedOptions } from "./options.js";
import { SocketHeartbeat, type HeartbeatCallbacks } from "./socket-heartbeat.js";
import { Outbox } from "./outbox.js";
import {
  kOnClose,
  kOnDrain,
  kOnError,
  kOnPacket,
  kOnParseError,
  kOnReady,
  kSink,
  type QueuedPacket,
  type ServerTransport,
  type TransportSink,
} from "./transports/transport.js";
import { UpgradeProbe, type UpgradeHost } from "./upgrade.js";
import { kDrainClose, kMaybeUpgrade, kOpen, kRequestArrived, kShutdown } from "./socket-types.js";
import type { MessageData, ReadyState, SendCallback, SendData, SendOptions, SocketEvents, SocketHost, SocketInit } from "./socket-types.js";

/** Per-packet options objects, shared: packets are read-only once queued. */
const COMPRESS = Object.freeze({ compress: true });
const NO_COMPRESS = Object.freeze({ compress: false });
const PING: QueuedPacket = Object.freeze({ type: "ping", options: COMPRESS });
const THEN_CLOSE = Object.freeze({ thenClose: true });
const THEN_CLOSE_INLINE = Object.freeze({ thenClose: true, inline: true });
const NOT_THEN_CLOSE = Object.freeze({ thenClose: false });
const NO_UPGRADE_PACKET: QueuedPacket = Object.freeze({ type: "noop", options: NO_COMPRESS });

/** engine.io's reading of send() data: text and binary as they are, any other value as text (falsy: empty). */
function asMessage(data: SendData): MessageData {
  if (typeof data === "string" || ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data;
  return data ? String(data) : "";
}

/** The heartbeat's view of its socket: a small object with shared methods instead of three closures. */
class HeartbeatLink implements HeartbeatCallbacks {
  readonly #socket: Socket;
  constructor(socket: Socket) {
    this.#socket = socket;
  }
  ping(): void {
    this.#socket[kHeartbeatPing]();
  }
  timeout(): void {
    this.#socket[kHeartbeatTimeout]();
  }
  rtt(estimate: RttEstimate): void {
    this.#socket.emit("rtt", estimate.latest, estimate);
  }
}

const kHeartbeatPing = Symbol("heartwire.heartbeatPing");
const kHeartbeatTimeout = Symbol("heartwire.heartbeatTimeout");

const LEGAL: Readonly<Record<ReadyState, readonly ReadyState[]>> = {
  opening: ["open", "closed"],
  open: ["closing", "closed"],
  closing: ["closed"],
  closed: [],
};

/** A client session. Created by the server; hold it from the `connection` event. */
export class Socket extends EventEmitter<SocketEvents> implements TransportSink {
  /** Session id (`sid`). */
  readonly id: string;
  /** The handshake request. */
  readonly request: IncomingMessage;
  /** The client's address, from the handshake request's socket. */
  readonly remoteAddress: string;
  /** Engine.IO protocol revision: always 4. */
  readonly protocol = 4 as const;
  // The init object itself is not kept: these are shared per server (timing is, unless negotiated).
  readonly #options: ResolvedOptions;
  readonly #host: SocketHost;
  readonly #timing: HeartbeatTiming;
  readonly #upgrades: readonly string[];
  readonly #heartbeat: SocketHeartbeat;
  #state: ReadyState = "opening";
  #transport: ServerTransport;
  readonly #outbox: Outbox<SendCallback>;
  /** A ping sits in the outbox: tell the heartbeat when it is handed to the transport. */
  #pingQueued = false;
  #overflowed = false;
  /** Messages never handed to a transport: refused by the bound, then (on close) the rest of the queue. */
  #unsent: MessageData[] | undefined;
  #probe: UpgradeProbe | undefined;
  #upgraded = false;
  #closeReason: CloseReason | undefined;
  /** Closing for a server drain: polling appends the close packet to the last batch. */
  #drainClose = false;

  /** @internal Created by the server. */
  constructor(init: SocketInit) {
    super();
    this.#options = init.options;
    this.#host = init.host;
    this.#timing = init.timing;
    this.#upgrades = init.upgrades;
    this.id = init.id;
    this.request = init.request;
    this.remoteAddress = init.request.socket?.remoteAddress ?? "";
    this.#transport = init.transport;
    this.#outbox = new Outbox(init.options.maxBufferedPackets, init.options.maxBufferedBytes);
    this.#heartbeat = new SocketHeartbeat(init.timing, init.heartbeatScheduler, new HeartbeatLink(this), init.loopStalls);
    this.#attach(init.transport);
  }

  /** Current ready state. */
  get readyState(): ReadyState {
    return this.#state;
  }

  /** The transport in use (`transport.name` is "polling" or "websocket"). */
  get transport(): ServerTransport {
    return this.#transport;
  }

  /** True once the session moved from polling to WebSocket. */
  get upgraded(): boolean {
    return this.#upgraded;
  }

  /** True while a WebSocket probe is in progress. */
  get upgrading(): boolean {
    return this.#probe?.active ?? false;
  }

  /** Negotiated ms between a pong and the next ping. */
  get pingInterval(): number {
    return this.#timing.pingInterval;
  }

  /** Negotiated ms the client has to answer a ping. */
  get pingTimeout(): number {
    return this.#timing.pingTimeout;
  }

  /** Latest round-trip time in ms (ping written → pong received), or undefined before the first pong. */
  get rtt(): number | undefined {
    return this.#heartbeat.rtt?.latest;
  }

  /** Smoothed round-trip time in ms (RFC 6298), or undefined before the first pong. */
  get smoothedRtt(): number | undefined {
    return this.#heartbeat.rtt?.smoothed;
  }

  /**
   * Bytes accepted by `send()` and not yet written to the network: our queue (UTF-16 code units for
   * text) plus what the transport holds unwritten (ws's buffer, a poll response being written).
   * Past `maxBufferedBytes` the socket closes ("slow consumer"), so a sender that produces faster
   * than the client reads should pause above its own threshold and resume on `drain`.
   */
  get bufferedAmount(): number {
    return this.#outbox.bytes + this.#transport.bufferedAmount;
  }

  /**
   * The packets queued and not yet handed to the transport (engine.io's `writeBuffer`), read-only:
   * empty while the transport keeps up, longer while it is busy (a polling session between GETs).
   */
  get writeBuffer(): readonly QueuedPacket[] {
    return this.#outbox.queue;
  }

  /**
   * After `close`: the messages `send()` accepted that were never handed to a transport, in order
   * (their callbacks never ran; they certainly did not reach the client, so they may be resent on a
   * new session without duplicates). Messages whose callback did not run and that are not listed
   * were in flight: they may or may not have arrived. Empty while the session is open.
   */
  get unsent(): readonly MessageData[] {
    return this.#state === "closed" ? (this.#unsent ?? []) : [];
  }

  /**
   * Sends a message; `callback` runs once it was written to the network. Dropped once closing.
   * Data that is neither text nor binary is sent as engine.io sends it (see {@link SendData}).
   */
  send(data: SendData, options?: SendOptions | SendCallback, callback?: SendCallback): this {
    const message = asMessage(data);
    if (typeof options === "function") this.#sendPacket("message", message, undefined, options);
    else this.#sendPacket("message", message, options, callback);
    return this;
  }

  /** Alias of {@link Socket.send}. */
  write(data: SendData, options?: SendOptions | SendCallback, callback?: SendCallback): this {
    return this.send(data, options, callback);
  }

  /**
   * Closes the session with "forced close" once the buffer is flushed. On polling, as engine.io: a
   * pending GET with nothing queued gets `1`; otherwise the queued packets go out first and the
   * next GET gets `6␞1` (noop, close). With `discard`, nothing waits.
   */
  close(discard = false): this {
    if (this.#state === "open") {
      this.#transition("closing");
      this.#closeReason = "forced close";
      if (this.#outbox.queued === 0 || discard) this.#closeTransport(!discard);
    } else if (discard && this.#state === "closing") this.#closeTransport(false);
    return this;
  }

  /** @internal Opens the session: queues the open packet (and initialPacket), starts the heartbeat. */
  [kOpen](): void {
    this.#transition("open");
    const open = encodeOpenPacket({
      sid: this.id,
      upgrades: this.#upgrades,
      pingInterval: this.pingInterval,
      pingTimeout: this.pingTimeout,
      maxPayload: this.#options.maxHttpBufferSize,
    });
    this.#sendPacket("open", open);
    const initial = this.#options.initialPacket;
    if (initial !== undefined) this.#sendPacket("message", initial);
    this.#heartbeat.start();
  }

  /** @internal A WebSocket arrived for this sid: probe it, or refuse (returns false) if not possible. */
  [kMaybeUpgrade](transport: ServerTransport): boolean {
    if (this.#state !== "open" || this.#probe?.active || this.#upgraded || this.#transport.name !== "polling") {
      transport.close();
      return false;
    }
    this.#probe = new UpgradeProbe(transport, this.#upgradeHost(), this.#options.scheduler, this.#options.upgradeTimeout);
    return true;
  }

  /**
   * @internal A request for this session arrived (a poll, a POST or a WebSocket upgrade). Returns
   * false when the session is gone for it: its pong was overdue, so it closed with "ping timeout".
   */
  [kRequestArrived](): boolean {
    return !this.#heartbeat.expireIfOverdue();
  }

  /** @internal The heartbeat's ping is due. */
  [kHeartbeatPing](): void {
    this.#sendPacket("ping");
  }

  /** @internal No pong came in time. */
  [kHeartbeatTimeout](): void {
    this.#onClose("ping timeout");
  }

  /** @internal Server shutdown: close now, without waiting for a GET. */
  /** @internal A graceful server close: {@link Socket.close}, with the close packet inline on polling. */
  [kDrainClose](): void {
    // A draining server answers each HTTP request on a connection it then closes: the close packet
    // rides the response that carries the last packets, so one more poll is not needed.
    this.#drainClose = true;
    this.close();
  }

  /** @internal Server shutdown: close now, without waiting for a GET. */
  [kShutdown](): void {
    if (this.#state === "closed") return;
    if (this.#state === "open") this.#transition("closing");
    this.#closeReason = "server shutting down";
    this.#closeTransport(false);
  }

  /** The probe's view of this socket; made only when a socket upgrades. */
  #upgradeHost(): UpgradeHost {
    return {
      releasePoll: () => {
        if (this.#transport.name === "polling" && this.#transport.writable && this.#state !== "closed") {
          this.#transport.send([NO_UPGRADE_PACKET]);
        }
      },
      upgrading: (transport) => this.emit("upgrading", transport),
      upgraded: (transport) => this.#swapTransport(transport),
      failed: () => {},
    };
  }

  #transition(to: ReadyState): void {
    if (!LEGAL[this.#state].includes(to)) {
      throw new HeartwireError("HW_ERR_PROTOCOL", `illegal socket state change ${this.#state} -> ${to}`);
    }
    this.#state = to;
  }

  #sendPacket(type: PacketType, data?: string | BinaryInput, options?: SendOptions, callback?: SendCallback): void {
    if (this.#state !== "open" && this.#state !== "opening") return;
    if (this.#overflowed) {
      if (type === "message") (this.#unsent ??= []).push(data as MessageData);
      return;
    }
    let packet: QueuedPacket;
    if (type === "ping") {
      packet = PING;
      this.#pingQueued = true;
    } else if (options?.wsPreEncodedFrame !== undefined) {
      packet = { type, data, options: { compress: options.compress !== false, wsPreEncodedFrame: options.wsPreEncodedFrame } };
    } else packet = { type, data, options: options?.compress === false ? NO_COMPRESS : COMPRESS };
    const refused = this.#outbox.push(packet, callback, this.#transport.bufferedAmount);
    if (refused !== undefined) {
      this.#overflowed = true;
      if (type === "message") (this.#unsent ??= []).push(data as MessageData);
      const bound = refused === "bytes" ? `maxBufferedBytes (${this.#options.maxBufferedBytes})` : `maxBufferedPackets (${this.#options.maxBufferedPackets})`;
      const error = new HeartwireError("HW_ERR_BUFFER_FULL", `slow consumer: the client does not read what is sent; ${bound} reached`);
      queueMicrotask(() => this.#onClose("transport error", error));
      return;
    }
    this.emit("packetCreate", packet);
    this.#flush();
  }

  #flush(): void {
    if (this.#state === "closed" || this.#outbox.queued === 0 || !this.#transport.writable) return;
    const buffer = this.#outbox.take();
    this.emit("flush", buffer);
    this.#host.socketFlushed(this, buffer);
    // A forced close waits for the buffer: the last batch carries the close along.
    const thenClose = this.#state === "closing" && this.#closeReason === "forced close";
    if (thenClose) this.#cancelProbe(true);
    const hadPing = this.#pingQueued;
    this.#pingQueued = false;
    this.#transport.send(buffer, thenClose ? (this.#drainClose ? THEN_CLOSE_INLINE : THEN_CLOSE) : NOT_THEN_CLOSE);
    if (hadPing) this.#heartbeat.pingWritten();
    // engine.io's `drain`: the write buffer was handed over and is empty again.
    this.emit("drain");
    this.#host.socketDrained(this);
  }

  /** @internal Transport sink: everything handed over so far was written. */
  [kOnDrain](): void {
    const callbacks = this.#outbox.written();
    if (callbacks !== undefined) for (const callback of callbacks) callback(this.#transport);
    this.#flush();
  }

  /** @internal Transport sink: the peer sent something undecodable. */
  [kOnParseError](): void {
    this.#onClose("parse error", new HeartwireError("HW_ERR_INVALID_PACKET", "undecodable packet or payload"));
  }

  /** @internal Transport sink: the transport failed. */
  [kOnError](error: HeartwireError): void {
    this.#onClose("transport error", error);
  }

  /** @internal Transport sink: the transport closed. */
  [kOnClose](): void {
    this.#onClose(this.#closeReason ?? "transport close");
  }

  /** @internal Transport sink: the transport can take packets. */
  [kOnReady](): void {
    this.#flush();
  }

  /** @internal Transport sink: a packet from the peer. */
  [kOnPacket](packet: Packet<Buffer>): void {
    // While closing, what the client sent before it saw our close still counts.
    if (this.#state !== "open" && this.#state !== "closing") return;
    this.emit("packet", packet);
    switch (packet.type) {
      case "ping":
        this.#onClose("transport error", new HeartwireError("HW_ERR_PROTOCOL", "invalid heartbeat direction"));
        return;
      case "pong":
        if (this.#heartbeat.pong()) this.emit("heartbeat");
        return;
      case "message": {
        const data = packet.data ?? "";
        this.emit("data", data);
        this.emit("message", data);
        return;
      }
      default:
        return;
    }
  }

  #attach(transport: ServerTransport): void {
    transport[kSink] = this;
  }

  #detach(): void {
    if (this.#transport[kSink] === this) this.#transport[kSink] = undefined;
  }

  #swapTransport(next: ServerTransport): void {
    const previous = this.#transport;
    this.#detach();
    // The client waited for its last poll before sending `5`; whatever was in flight was written.
    if (this.#outbox.inFlight) this[kOnDrain]();
    previous.discard();
    this.#transport = next;
    this.#upgraded = true;
    this.#attach(next);
    this.emit("upgrade", next);
    if (this.#state === "closing") {
      this.#flush();
      if (this.#outbox.queued === 0) this.#closeTransport(this.#closeReason === "forced close");
      return;
    }
    this.#flush();
  }

  #closeTransport(linger: boolean): void {
    if (this.#outbox.queued > 0 && linger) return;
    this.#cancelProbe(linger);
    this.#transport.close({ linger });
  }

  /**
   * A closing socket ends its upgrade probe, except in a graceful close after `3probe`: the client
   * may already be writing on the new WebSocket (after its `5`), so the probe finishes and the close
   * goes on there (or fails, and the close goes on on polling).
   */
  #cancelProbe(graceful: boolean): void {
    if (graceful && this.#probe?.state === "probed") return;
    this.#probe?.cancel("socket closing");
  }

  #onClose(reason: CloseReason, description?: Error): void {
    if (this.#state === "closed") return;
    this.#transition("closed");
    this.#heartbeat.stop();
    this.#probe?.cancel("socket closed");
    this.#detach();
    this.#transport.close();
    const never = this.#outbox.clear();
    if (never.length > 0) {
      const unsent: MessageData[] = [];
      for (const packet of never) if (packet.type === "message") unsent.push(packet.data as MessageData);
      // Refused ones were sent after everything queued.
      this.#unsent = this.#unsent === undefined ? unsent : unsent.concat(this.#unsent);
    }
    this.#host.socketClosed(this);
    this.emit("close", reason, description);
  }
}
