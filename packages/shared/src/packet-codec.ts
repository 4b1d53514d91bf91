/** @module Encoding and decoding one packet, as text or as a binary frame. Pure; never throws on input. */

import { decodeBase64, encodeBase64 } from "./base64.js";
import { asUint8Array, isBinary, toUint8Array, type BinaryDecoder, type BinaryInput } from "./binary.js";
import { BASE64_PREFIX, PACKET_TYPE_DIGIT, PACKET_TYPES, type Packet } from "./packet.js";
import { err, ok, type Result } from "./result.js";

/** Why a packet could not be decoded. */
export type PacketDecodeErrorKind = "empty" | "unknown-type" | "invalid-base64" | "invalid-data";

/** A decoding failure: what went wrong, in words fit for a log line. */
export interface PacketDecodeError {
  readonly kind: PacketDecodeErrorKind;
  readonly message: string;
}

/** A packet as it leaves the caller: binary data may be any {@link BinaryInput}. */
export interface OutgoingPacket {
  readonly type: Packet["type"];
  readonly data?: string | BinaryInput | undefined;
}

/** How to encode: whether the channel carries binary frames (WebSocket without `b64=1`). */
export interface EncodeOptions {
  /** When true, binary messages become raw bytes; otherwise `b` + base64 text. */
  readonly supportsBinary: boolean;
}

/**
 * Encodes one packet for the wire. Text packets become `<digit><text>`; a binary message becomes the
 * raw bytes (a Uint8Array view, not a copy) when `supportsBinary`, else `b<base64>`.
 * Binary data on a non-message packet is sent as its base64 text, which no peer expects: callers
 * should only put binary data in messages.
 */
export function encodePacket(packet: OutgoingPacket, options: EncodeOptions): string | Uint8Array {
  const { type, data } = packet;
  const digit = PACKET_TYPE_DIGIT[type];
  if (data === undefined) return digit;
  if (typeof data === "string") return digit + data;
  const bytes = toUint8Array(data);
  if (type !== "message") return digit + encodeBase64(bytes);
  return options.supportsBinary ? bytes : BASE64_PREFIX + encodeBase64(bytes);
}

/**
 * Decodes one packet. A string is `<digit><text>` or `b<base64>`; bytes (a WebSocket binary frame)
 * are always a binary message. Binary payloads are handed to `binary` (default: Uint8Array).
 */
export function decodePacket<B = Uint8Array>(
  input: string | BinaryInput,
  binary: BinaryDecoder<B> = asUint8Array as unknown as BinaryDecoder<B>,
): Result<Packet<B>, PacketDecodeError> {
  if (typeof input !== "string") {
    if (!isBinary(input)) return err({ kind: "invalid-data", message: "packet is neither text nor binary" });
    return ok({ type: "message", data: binary(toUint8Array(input)) });
  }
  if (input.length === 0) return err({ kind: "empty", message: "empty packet" });
  const head = input[0]!;
  if (head === BASE64_PREFIX) {
    const bytes = decodeBase64(input.slice(1));
    if (bytes === undefined) return err({ kind: "invalid-base64", message: "invalid base64 in binary packet" });
    return ok({ type: "message", data: binary(bytes) });
  }
  const type = PACKET_TYPES[input.charCodeAt(0) - 48];
  if (type === undefined) return err({ kind: "unknown-type", message: `unknown packet type ${JSON.stringify(head)}` });
  // An empty message is still a message: its data is "" rather than missing.
  return ok(input.length > 1 || type === "message" ? { type, data: input.slice(1) } : { type });
}
