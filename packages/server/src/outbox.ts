/** @module A socket's outgoing packets: queued, then in flight until written, with a bound on both. */

import type { BinaryInput } from "@heartwire/shared";
import type { QueuedPacket } from "./transports/transport.js";

interface Batch<C> {
  readonly count: number;
  readonly bytes: number;
  readonly callbacks: C[];
}

/** Size of a packet for the byte bound: UTF-16 code units of text, bytes of binary. */
function sizeOf(data: string | BinaryInput | undefined): number {
  if (data === undefined) return 0;
  return typeof data === "string" ? data.length : data.byteLength;
}

/**
 * Packets accepted by `send()` live here until the transport reports them written. The bound
 * counts both the queue and what is in flight, so a peer that stops reading (polling without GETs,
 * a WebSocket whose TCP window is shut) cannot grow memory past `maxPackets`/`maxBytes`.
 */
export class Outbox<C> {
  readonly #maxPackets: number;
  readonly #maxBytes: number;
  #queue: QueuedPacket[] = [];
  #callbacks: C[] = [];
  #inFlight: Batch<C>[] = [];
  #packets = 0;
  #bytes = 0;

  /** Creates an empty outbox with the given bounds. */
  constructor(maxPackets: number, maxBytes: number) {
    this.#maxPackets = maxPackets;
    this.#maxBytes = maxBytes;
  }

  /** Packets queued and not yet handed to the transport. */
  get queued(): number {
    return this.#queue.length;
  }

  /** True when batches were handed to the transport and not yet reported written. */
  get inFlight(): boolean {
    return this.#inFlight.length > 0;
  }

  /** Queues a packet; returns false (and queues nothing) when it would pass a bound. */
  push(packet: QueuedPacket, callback?: C): boolean {
    const bytes = sizeOf(packet.data);
    if (this.#packets + 1 > this.#maxPackets || this.#bytes + bytes > this.#maxBytes) return false;
    this.#queue.push(packet);
    this.#packets++;
    this.#bytes += bytes;
    if (callback !== undefined) this.#callbacks.push(callback);
    return true;
  }

  /** Moves everything queued into one in-flight batch and returns it (empty if nothing was queued). */
  take(): QueuedPacket[] {
    const batch = this.#queue;
    if (batch.length === 0) return batch;
    this.#queue = [];
    let bytes = 0;
    for (const packet of batch) bytes += sizeOf(packet.data);
    this.#inFlight.push({ count: batch.length, bytes, callbacks: this.#callbacks });
    this.#callbacks = [];
    return batch;
  }

  /** The transport wrote everything it was given: releases every in-flight batch, returns their callbacks. */
  written(): C[] {
    const done: C[] = [];
    for (const batch of this.#inFlight) {
      this.#packets -= batch.count;
      this.#bytes -= batch.bytes;
      done.push(...batch.callbacks);
    }
    this.#inFlight = [];
    return done;
  }

  /** Drops everything (the socket closed). */
  clear(): void {
    this.#queue = [];
    this.#callbacks = [];
    this.#inFlight = [];
    this.#packets = 0;
    this.#bytes = 0;
  }
}
