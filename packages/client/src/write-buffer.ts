/**
 * @module The socket's outgoing queue: packets waiting for the transport, with pongs jumping ahead
 * of application messages, and polling batches cut so one POST stays within the server's maxPayload.
 */

import { isBinary, RECORD_SEPARATOR, toUint8Array, utf8ByteLength, type OutgoingPacket } from "@heartwire/shared";

/** A packet waiting to be written, with the callback to run once it is. */
export interface QueuedPacket {
  readonly packet: OutgoingPacket;
  readonly callback?: (() => void) | undefined;
  /** Heartbeat replies: sent before everything else and even while an upgrade holds messages back. */
  readonly priority: boolean;
}

/** Bytes a packet takes in a polling payload (`<digit><utf-8 text>` or `b<base64>`). */
export function payloadBytes(packet: OutgoingPacket): number {
  const { data } = packet;
  if (data === undefined) return 1;
  if (typeof data === "string") return 1 + utf8ByteLength(data);
  if (isBinary(data)) return 1 + Math.ceil(toUint8Array(data).byteLength / 3) * 4;
  return 1;
}

/** FIFO of outgoing packets with a priority lane at the head, and the batch in flight. */
export class WriteBuffer {
  #items: QueuedPacket[] = [];
  #inFlight: QueuedPacket[] = [];

  /** Packets waiting. */
  get length(): number {
    return this.#items.length;
  }

  /** True when nothing is waiting and no batch is in flight. */
  get idle(): boolean {
    return this.#items.length === 0 && this.#inFlight.length === 0;
  }

  /**
   * Takes the next batch and records it as in flight: only the priority head when
   * `priorityOnly`, else as much as fits in `maxBytes` of polling payload.
   */
  nextBatch(priorityOnly: boolean, maxBytes: number): OutgoingPacket[] {
    this.#inFlight = priorityOnly ? this.takePriority() : this.take(maxBytes);
    return this.#inFlight.map((item) => item.packet);
  }

  /** The batch in flight was written: forgets it and returns its callbacks, in order. */
  finishBatch(): Array<() => void> {
    const done = this.#inFlight;
    this.#inFlight = [];
    return done.flatMap((item) => (item.callback ? [item.callback] : []));
  }

  /** Appends an application packet. */
  push(packet: OutgoingPacket, callback?: () => void): void {
    this.#items.push({ packet, callback, priority: false });
  }

  /** Number of priority packets (pongs) waiting at the head. */
  get priorityCount(): number {
    let i = 0;
    while (i < this.#items.length && this.#items[i]!.priority) i++;
    return i;
  }

  /** Queues a heartbeat reply behind earlier priority packets but ahead of every message. */
  pushPriority(packet: OutgoingPacket): void {
    let i = 0;
    while (i < this.#items.length && this.#items[i]!.priority) i++;
    this.#items.splice(i, 0, { packet, priority: true });
  }

  /** Removes and returns the priority packets at the head. */
  takePriority(): QueuedPacket[] {
    let i = 0;
    while (i < this.#items.length && this.#items[i]!.priority) i++;
    return this.#items.splice(0, i);
  }

  /**
   * Removes and returns the longest head whose polling payload fits in `maxBytes` (always at least
   * one packet, so a single oversized packet still goes out and the server can refuse it).
   */
  take(maxBytes: number = Infinity): QueuedPacket[] {
    if (!Number.isFinite(maxBytes)) return this.#items.splice(0);
    let bytes = 0;
    let count = 0;
    for (const item of this.#items) {
      const size = payloadBytes(item.packet) + (count > 0 ? RECORD_SEPARATOR.length : 0);
      if (count > 0 && bytes + size > maxBytes) break;
      bytes += size;
      count++;
    }
    return this.#items.splice(0, count);
  }

  /** Empties the buffer and forgets the batch in flight, returning what was waiting. */
  clear(): QueuedPacket[] {
    this.#inFlight = [];
    return this.#items.splice(0);
  }
}
