/**
 * @module The socket's outgoing queue: packets waiting for the transport, with pongs jumping ahead
 * of application messages, and batches cut so that one polling POST stays within the server's
 * maxPayload.
 */

import type { OutgoingPacket } from "@heartwire/shared";

/** A packet waiting to be written, with the callback to run once it is. */
export interface QueuedPacket {
  readonly packet: OutgoingPacket;
  readonly callback?: (() => void) | undefined;
  /** Heartbeat replies: sent before everything else and even while an upgrade holds messages back. */
  readonly priority?: boolean;
}

/** How a transport bounds its batches: at most `max` bytes (the first packet is always taken). */
export interface BatchLimit {
  readonly max: number;
  /** Bytes `packet` adds to a batch, separator included unless it is the `first` one. */
  readonly bytes: (packet: OutgoingPacket, first: boolean) => number;
}

/** FIFO of outgoing packets with a priority lane at the head, and the batch in flight. */
export interface WriteBuffer {
  /** Packets waiting. */
  readonly length: number;
  /** True when nothing is waiting and no batch is in flight. */
  readonly idle: boolean;
  /** Size of the messages waiting (see {@link messageSize}). */
  readonly bytes: number;
  /** The packets in flight and waiting, in order. */
  packets(): OutgoingPacket[];
  /** Appends an application packet. */
  push(packet: OutgoingPacket, callback?: () => void): void;
  /**
   * Queues a heartbeat reply behind earlier priority packets but ahead of every message, unless
   * `max` of them already wait (a ping flood: those answer it). Returns whether it was queued.
   */
  pushPriority(packet: OutgoingPacket, max: number): boolean;
  /**
   * Takes the next batch and records it as in flight: only the priority head when `priorityOnly`,
   * else the longest head within `limit` (at least one packet, so a single oversized one still goes
   * out and the server can refuse it).
   */
  nextBatch(priorityOnly: boolean, limit?: BatchLimit): OutgoingPacket[];
  /** The batch in flight was written: forgets it and returns its callbacks, in order. */
  finishBatch(): Array<() => void>;
  /** The batch in flight was refused (not delivered): puts it back at the head, in order. */
  requeueBatch(): void;
  /** Empties the buffer and forgets the batch in flight, returning what was waiting. */
  clear(): QueuedPacket[];
}

/** What a packet counts toward `maxBufferedBytes`: 1 plus its data's length (UTF-16 units or bytes). */
export function messageSize({ data }: OutgoingPacket): number {
  return data === undefined ? 0 : 1 + (typeof data === "string" ? data.length : data.byteLength);
}

/** Creates an empty {@link WriteBuffer}. */
export function writeBuffer(): WriteBuffer {
  let items: QueuedPacket[] = [];
  let inFlight: QueuedPacket[] = [];
  let bytes = 0;
  // Adds (sign 1) or removes (-1) the size of `list` to `bytes`.
  const count = (list: QueuedPacket[], sign: number): void => {
    for (const { packet } of list) bytes += sign * messageSize(packet);
  };
  const priorityCount = (): number => {
    let i = 0;
    while (items[i]?.priority) i++;
    return i;
  };
  return {
    get length() {
      return items.length;
    },
    get idle() {
      return !items.length && !inFlight.length;
    },
    get bytes() {
      return bytes;
    },
    packets: () => [...inFlight, ...items].map((item) => item.packet),
    push(packet, callback) {
      items.push({ packet, callback });
      bytes += messageSize(packet);
    },
    pushPriority(packet, max) {
      const head = priorityCount();
      const queued = head < max;
      if (queued) items.splice(head, 0, { packet, priority: true });
      return queued;
    },
    nextBatch(priorityOnly, limit) {
      let n = priorityOnly ? priorityCount() : items.length;
      if (!priorityOnly && limit) {
        let size = 0;
        n = 0;
        for (const { packet } of items) {
          size += limit.bytes(packet, !n);
          if (n && size > limit.max) break;
          n++;
        }
      }
      count((inFlight = items.splice(0, n)), -1);
      return inFlight.map((item) => item.packet);
    },
    finishBatch() {
      const done = inFlight;
      inFlight = [];
      return done.flatMap((item) => item.callback ?? []);
    },
    requeueBatch() {
      count(inFlight, 1);
      items = [...inFlight, ...items];
      inFlight = [];
    },
    clear() {
      const left = items;
      inFlight = items = [];
      bytes = 0;
      return left;
    },
  };
}
