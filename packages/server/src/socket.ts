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
  type Scheduler,
} from "@heartwire/shared";
import type { ResolvedOptions } from "./options.js";
import { SocketHeartbeat } from "./socket-heartbeat.js";
import { Outbox } from "./outbox.js";
import type { QueuedPacket, ServerTransport } from "./transports/transport.js";
import { UpgradeProbe, type UpgradeHost } from "./upgrade.js";

/** A socket's lifecycle. Moves only forward: opening → open → closing → closed. */
export type ReadyState = "opening" | "open" | "closing" | "closed";

/** Data a socket sends or receives: text, or binary (received binary is always a Buffer). */
export type MessageData = string | Buffer | ArrayBuffer | ArrayBufferView;

/** Per-message options, as in engine.io. */
export interface SendOptions {
  /** Allow permessage-deflate / HTTP compression for this packet. @default true */
  compress?: boolean;
}

/** Called once the packet has been written to the network, with the transport that wrote it. */
export type SendCallback = (transport: ServerTransport) => void;

/** Typed events of a {@link Socket}. */
export interface SocketEvents {
  /** A message from the client (a string, or a Buffer for binary). */
  message: (data: string | Buffer) => void;
  /** Alias of `message`, as in engine.io. */
  data: (data: string | Buffer) => void;
  /** The session ended; emitted once. `description` is the error behind "transport error"/"parse error". */
  close: (reason: CloseReason, description?: Error) => void;
  /** A pong answered our ping. */
  heartbeat: () => void;
  /** A new round-trip sample (ms, from ping written to pong received) and the smoothed estimate. */
  rtt: (rtt: number, estimate: RttEstimate) => void;
  /** The client probed a WebSocket (`2probe` answered with `3probe`). */
  upgrading: (transport: ServerTransport) => void;
  /** The session now runs on the new transport. */
  upgrade: (transport: ServerTransport) => void;
  /** Everything flushed so far has been written to the network. */
  drain: () => void;
  /** Packets are about to be handed to the transport. */
  flush: (buffer: readonly QueuedPacket[]) => void;
  /** Every packet received (including pongs). */
  packet: (packet: Packet<Buffer>) => void;
  /** Every packet created for sending (including pings). */
  packetCreate: (packet: QueuedPacket) => void;
}

/** Internal hooks: reachable by the server through these symbols, not part of the public API. */
export const kOpen = Symbol("heartwire.open");
/** @see kOpen */
export const kMaybeUpgrade = Symbol("heartwire.maybeUpgrade");
/** @see kOpen */
export const kShutdown = Symbol("heartwire.shutdown");

/** What the server hands a new socket. */
export interface SocketInit {
  readonly id: string;
  readonly request: IncomingMessage;
  readonly transport: ServerTransport;
  readonly options: ResolvedOptions;
  readonly timing: HeartbeatTiming;
  /** Scheduler for heartbeat timers (the server's timer wheel). */
  readonly heartbeatScheduler: Scheduler;
  readonly upgrades: readonly string[];
  /** Called when the socket closes, before its `close` event. */
  readonly onClosed: (socket: Socket) => void;
  readonly onFlush: (socket: Socket, buffer: readonly QueuedPacket[]) => void;
  readonly onDrain: (socket: Socket) => void;
}

const LEGAL: Readonly<Record<ReadyState, readonly ReadyState[]>> = {
  opening: ["open", "closed"],
  open: ["closing", "closed"],
  closing: ["closed"],
  closed: [],
};

/** A client session. Created by the server; hold it from the `connection` event. */
export class Socket extends EventEmitter<SocketEvents> {
  /** Session id (`sid`). */
  readonly id: string;
  /** The handshake request. */
  readonly request: IncomingMessage;
  /** The client's address, from the handshake request's socket. */
  readonly remoteAddress: string;
  /** Engine.IO protocol revision: always 4. */
  readonly protocol = 4 as const;
  readonly #init: SocketInit;
  readonly #heartbeat: SocketHeartbeat;
  #state: ReadyState = "opening";
  #transport: ServerTransport;
  #detach: () => void = () => {};
  readonly #outbox: Outbox<SendCallback>;
  #overflowed = false;
  #probe: UpgradeProbe | undefined;
  #upgraded = false;
  #closeReason: CloseReason | undefined;

  /** @internal Created by the server. */
  constructor(init: SocketInit) {
    super();
    this.#init = init;
    this.id = init.id;
    this.request = init.request;
    this.remoteAddress = init.request.socket?.remoteAddress ?? "";
    this.#transport = init.transport;
    this.#outbox = new Outbox(init.options.maxBufferedPackets, init.options.maxBufferedBytes);
    this.#heartbeat = new SocketHeartbeat(init.timing, init.heartbeatScheduler, {
      ping: () => this.#sendPacket("ping"),
      timeout: () => this.#onClose("ping timeout"),
      rtt: (estimate) => this.emit("rtt", estimate.latest, estimate),
    });
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
    return this.#init.timing.pingInterval;
  }

  /** Negotiated ms the client has to answer a ping. */
  get pingTimeout(): number {
    return this.#init.timing.pingTimeout;
  }

  /** Latest round-trip time in ms (ping written → pong received), or undefined before the first pong. */
  get rtt(): number | undefined {
    return this.#heartbeat.rtt?.latest;
  }

  /** Smoothed round-trip time in ms (RFC 6298), or undefined before the first pong. */
  get smoothedRtt(): number | undefined {
    return this.#heartbeat.rtt?.smoothed;
  }

  /** Sends a message; `callback` runs once it was written to the network. Dropped once closing. */
  send(data: MessageData, options?: SendOptions | SendCallback, callback?: SendCallback): this {
    const [opts, cb] = typeof options === "function" ? [{}, options] : [options ?? {}, callback];
    this.#sendPacket("message", data, opts, cb);
    return this;
  }

  /** Alias of {@link Socket.send}. */
  write(data: MessageData, options?: SendOptions | SendCallback, callback?: SendCallback): this {
    return this.send(data, options, callback);
  }

  /**
   * Closes the session with "forced close" once the buffer is flushed. On polling the close packet
   * rides the pending or next GET. With `discard`, nothing waits.
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
      upgrades: this.#init.upgrades,
      pingInterval: this.pingInterval,
      pingTimeout: this.pingTimeout,
      maxPayload: this.#init.options.maxHttpBufferSize,
    });
    this.#sendPacket("open", open);
    const initial = this.#init.options.initialPacket;
    if (initial !== undefined) this.#sendPacket("message", initial);
    this.#heartbeat.start();
  }

  /** @internal A WebSocket arrived for this sid: probe it, or refuse (returns false) if not possible. */
  [kMaybeUpgrade](transport: ServerTransport): boolean {
    if (this.#state !== "open" || this.#probe?.active || this.#upgraded || this.#transport.name !== "polling") {
      transport.close();
      return false;
    }
    this.#probe = new UpgradeProbe(transport, this.#upgradeHost, this.#init.options.scheduler, this.#init.options.upgradeTimeout);
    return true;
  }

  /** @internal Server shutdown: close now, without waiting for a GET. */
  [kShutdown](): void {
    if (this.#state === "closed") return;
    if (this.#state === "open") this.#transition("closing");
    this.#closeReason = "server shutting down";
    this.#closeTransport(false);
  }

  readonly #upgradeHost: UpgradeHost = {
    releasePoll: () => {
      if (this.#transport.name === "polling" && this.#transport.writable && this.#state !== "closed") {
        this.#transport.send([{ type: "noop", options: { compress: false } }]);
      }
    },
    upgrading: (transport) => this.emit("upgrading", transport),
    upgraded: (transport) => this.#swapTransport(transport),
    failed: () => {},
  };

  #transition(to: ReadyState): void {
    if (!LEGAL[this.#state].includes(to)) {
      throw new HeartwireError("HW_ERR_PROTOCOL", `illegal socket state change ${this.#state} -> ${to}`);
    }
    this.#state = to;
  }

  #sendPacket(type: PacketType, data?: string | BinaryInput, options: SendOptions = {}, callback?: SendCallback): void {
    if (this.#state !== "open" && this.#state !== "opening") return;
    if (this.#overflowed) return;
    const packet: QueuedPacket = { type, data, options: { compress: options.compress !== false } };
    if (!this.#outbox.push(packet, callback)) {
      this.#overflowed = true;
      const error = new HeartwireError("HW_ERR_BUFFER_FULL", "outgoing buffer limit exceeded: the client is not reading");
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
    this.#init.onFlush(this, buffer);
    // A forced close waits for the buffer: the last batch carries the close along.
    const thenClose = this.#state === "closing" && this.#closeReason === "forced close";
    if (thenClose) this.#probe?.cancel("socket closing");
    this.#transport.send(buffer, { thenClose });
    if (buffer.some((packet) => packet.type === "ping")) this.#heartbeat.pingWritten();
  }

  #onDrain = (): void => {
    for (const callback of this.#outbox.written()) callback(this.#transport);
    this.emit("drain");
    this.#init.onDrain(this);
    this.#flush();
  };

  #onPacket = (packet: Packet<Buffer>): void => {
    if (this.#state !== "open") return;
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
  };

  #attach(transport: ServerTransport): void {
    const onParseError = (): void =>
      this.#onClose("parse error", new HeartwireError("HW_ERR_INVALID_PACKET", "undecodable packet or payload"));
    const onError = (error: HeartwireError): void => this.#onClose("transport error", error);
    const onClose = (): void => this.#onClose(this.#closeReason ?? "transport close");
    const onReady = (): void => this.#flush();
    transport.on("packet", this.#onPacket);
    transport.on("parseError", onParseError);
    transport.on("error", onError);
    transport.on("close", onClose);
    transport.on("ready", onReady);
    transport.on("drain", this.#onDrain);
    this.#detach = () => {
      transport.off("packet", this.#onPacket);
      transport.off("parseError", onParseError);
      transport.off("error", onError);
      transport.off("close", onClose);
      transport.off("ready", onReady);
      transport.off("drain", this.#onDrain);
    };
  }

  #swapTransport(next: ServerTransport): void {
    const previous = this.#transport;
    this.#detach();
    // The client waited for its last poll before sending `5`; whatever was in flight was written.
    if (this.#outbox.inFlight) this.#onDrain();
    previous.discard();
    this.#transport = next;
    this.#upgraded = true;
    this.#attach(next);
    this.emit("upgrade", next);
    if (this.#state === "closing") {
      this.#flush();
      if (this.#outbox.queued === 0) this.#closeTransport(false);
      return;
    }
    this.#flush();
  }

  #closeTransport(linger: boolean): void {
    if (this.#outbox.queued > 0 && linger) return;
    this.#probe?.cancel("socket closing");
    this.#transport.close({ linger });
  }

  #onClose(reason: CloseReason, description?: Error): void {
    if (this.#state === "closed") return;
    this.#transition("closed");
    this.#heartbeat.stop();
    this.#probe?.cancel("socket closed");
    this.#detach();
    this.#transport.close();
    this.#outbox.clear();
    this.#init.onClosed(this);
    this.emit("close", reason, description);
  }
}
