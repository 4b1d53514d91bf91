/** @module Polling payloads: packets joined with the record separator, decoded with limits. */

import { isBinary, toUint8Array, utf8ByteLength, type BinaryDecoder } from "./binary.js";
import type { Packet } from "./packet.js";
import { RECORD_SEPARATOR } from "./packet.js";
import { decodePacket, encodePacket, type OutgoingPacket, type PacketDecodeError } from "./packet-codec.js";
import { err, ok, type Result } from "./result.js";

/** Why a payload could not be decoded. */
export interface PayloadDecodeError {
  readonly kind: "empty" | "too-many-packets" | "invalid-packet";
  readonly message: string;
  /** Index of the first bad record, for `invalid-packet`. */
  readonly index?: number;
  /** The packet error behind an `invalid-packet`. */
  readonly cause?: PacketDecodeError;
}

/** Limits for {@link decodePayload}. */
export interface PayloadDecodeOptions<B> {
  /** Turns binary records into the caller's binary type (default Uint8Array). */
  readonly binary?: BinaryDecoder<B>;
  /**
   * Largest number of packets accepted in one payload; more is an error, decided before any
   * packet is decoded. Guards against separator storms. @default Infinity
   */
  readonly maxPackets?: number;
}

/**
 * Encodes packets as one polling payload. Binary messages always travel as `b<base64>` here
 * because a polling body is text.
 */
export function encodePayload(packets: readonly OutgoingPacket[]): string {
  let out = "";
  for (let i = 0; i < packets.length; i++) {
    if (i > 0) out += RECORD_SEPARATOR;
    out += encodePacket(packets[i]!, { supportsBinary: false }) as string;
  }
  return out;
}

/**
 * Bytes `packet` takes in a polling payload (`<digit><utf-8 text>` or `b<base64>`), plus the record
 * separator before it unless it is the `first` one.
 */
export function payloadBytes(packet: OutgoingPacket, first = true): number {
  const { data } = packet;
  const size = typeof data === "string" ? utf8ByteLength(data) : isBinary(data) ? Math.ceil(toUint8Array(data).byteLength / 3) * 4 : 0;
  return (first ? 1 : 2) + size;
}

/**
 * Decodes a polling payload into packets. All-or-nothing: the first invalid record fails the whole
 * payload (a peer that sends garbage is closed with `parse error`, so partial results are not used).
 */
export function decodePayload<B = Uint8Array>(
  payload: string,
  options: PayloadDecodeOptions<B> = {},
): Result<Packet<B>[], PayloadDecodeError> {
  if (payload.length === 0) return err({ kind: "empty", message: "empty payload" });
  const maxPackets = options.maxPackets ?? Infinity;
  // Count records first, so a storm of separators costs one scan and no allocations.
  let records = 1;
  for (let i = payload.indexOf(RECORD_SEPARATOR); i !== -1; i = payload.indexOf(RECORD_SEPARATOR, i + 1)) {
    if (++records > maxPackets) {
      return err({ kind: "too-many-packets", message: `payload holds more than ${maxPackets} packets` });
    }
  }
  const packets: Packet<B>[] = [];
  let start = 0;
  for (let index = 0; index < records; index++) {
    const end = payload.indexOf(RECORD_SEPARATOR, start);
    const record = end === -1 ? payload.slice(start) : payload.slice(start, end);
    const decoded = decodePacket(record, options.binary);
    if (!decoded.ok) {
      return err({ kind: "invalid-packet", message: `record ${index}: ${decoded.error.message}`, index, cause: decoded.error });
    }
    packets.push(decoded.value);
    start = end + 1;
  }
  return ok(packets);
}
