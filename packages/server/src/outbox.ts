/** @module A socket's outgoing packets: queued, then in flight until written, with a bound on both. */

import type { BinaryInput } from "@heartwire/shared";
import type { QueuedPacket } from "./transports/transport.js";

/** Size of a packet for the byte bound: UTF-16 code units of text, bytes of binary. */
function sizeOf(data: string | BinaryInput | undefined): number {
  if (data === undefined) return 0;
  return typeof data === "string" ? data.length : data.byteLength;
}

const EMPTY: readonly QueuedPacket[] = Object.freeze([]);

/**
 * Packets accepted by `send()` live here until the transport reports them written. The packet bound
 * counts both the queue and what is in flight. The byte bound counts the queue plus what the
 * transport says it has not yet written (`inTransport` of {@link Outbox.push}: ws's own buffer, a
 * poll response being written), so a peer that stops reading (polling without GETs, a WebSocket
 * whose TCP window is shut) cannot grow memory past `maxPackets`/`maxBytes`. One message larger than
 * `maxBytes` is accepted when nothing else is buffered, so large single messages keep working.
 */
export class Outbox<C> {
  readonly #maxPackets: number;
  readonly #maxBytes: number;
  // Arrays are made on demand: an idle socket holds none.
  #queue: QueuedPacket[] | undefined;
  #queueBytes = 0;
  #callbacks: C[] | undefined;
  #inFlightCallbacks: C[] | undefined;
  #inFlightPackets = 0;

  /** Creates an empty outbox with the given bounds. */
  constructor(maxPackets: number, maxBytes: number) {
    this.#maxPackets = maxPackets;
    this.#maxBytes = maxBytes;
  }

  /** Packets queued and not yet handed to the transport. */
  get queued(): number {
    return this.#queue?.length ?? 0;
  }

  /** The packets queued and not yet handed over, oldest first (a live read-only view). */
  get queue(): readonly QueuedPacket[] {
    return this.#queue ?? EMPTY;
  }

  /** Size of what is queued, not yet handed to the transport. */
  get bytes(): number {
    return this.#queueBytes;
  }

  /** True when batches were handed to the transport and not yet reported written. */
  get inFlight(): boolean {
    return this.#inFlightPackets > 0;
  }

  /**
   * Queues a packet and returns undefined; or, when it would pass a bound, queues nothing and names
   * the bound. `inTransport` is the size the transport holds unwritten (see the class comment).
   */
  push(packet: QueuedPacket, callback?: C, inTransport = 0): "packets" | "bytes" | undefined {
    const bytes = sizeOf(packet.data);
    const packets = this.#inFlightPackets + (this.#queue?.length ?? 0);
    if (packets + 1 > this.#maxPackets) return "packets";
    // Packets without data (ping, noop) only count against maxPackets: a ping still goes out behind
    // one large message.
    const held = this.#queueBytes + inTransport;
    if (bytes > 0 && held > 0 && held + bytes > this.#maxBytes) return "bytes";
    if (this.#queue === undefined) this.#queue = [packet];
    else this.#queue.push(packet);
    this.#queueBytes += bytes;
    if (callback !== undefined) (this.#callbacks ??= []).push(callback);
    return undefined;
  }

  /** Moves everything queued in flight and returns it (empty if nothing was queued). */
  take(): QueuedPacket[] {
    const batch = this.#queue;
    if (batch === undefined) return [];
    this.#queue = undefined;
    this.#inFlightPackets += batch.length;
    this.#queueBytes = 0;
    const callbacks = this.#callbacks;
    if (callbacks !== undefined) {
      this.#callbacks = undefined;
      if (this.#inFlightCallbacks === undefined) this.#inFlightCallbacks = callbacks;
      else for (const callback of callbacks) this.#inFlightCallbacks.push(callback);
    }
    return batch;
  }

  /**
   * The transport wrote everything it was given: releases what was in flight and returns the
   * callbacks to run, in order (undefined when there are none).
   */
  written(): C[] | undefined {
    const done = this.#inFlightCallbacks;
    this.#inFlightCallbacks = undefined;
    this.#inFlightPackets = 0;
    return done;
  }

  /** Drops everything (the socket closed) and returns the packets never handed to the transport, in order. */
  clear(): QueuedPacket[] {
    const never = this.#queue ?? [];
    this.#queue = undefined;
    this.#queueBytes = 0;
    this.#callbacks = undefined;
    this.#inFlightCallbacks = undefined;
    this.#inFlightPackets = 0;
    return never;
  }
}
