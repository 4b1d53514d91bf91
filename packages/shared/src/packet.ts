/** @module Engine.IO v4 packet types and the digit that stands for each on the wire. */

/** The seven Engine.IO packet types. */
export type PacketType = "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop";

/** Payload of a packet: text, or bytes of the binary type chosen by the decoder's caller. */
export type PacketData<B = Uint8Array> = string | B;

/** One Engine.IO packet. Only `message` packets may carry binary data. */
export interface Packet<B = Uint8Array> {
  readonly type: PacketType;
  readonly data?: PacketData<B> | undefined;
}

/** The packet types, indexed by their wire digit (`"4"` is message, …). */
export const PACKET_TYPES: readonly PacketType[] = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

/** Wire digit of each packet type (`"4"` for message, …). */
export const PACKET_TYPE_DIGIT: Readonly<Record<PacketType, string>> = /* @__PURE__ */ Object.freeze(
  /* @__PURE__ */ Object.fromEntries(PACKET_TYPES.map((type, digit) => [type, String(digit)])) as Record<PacketType, string>,
);

/** Maps a wire character to its packet type, or `undefined` if it is not `0`–`6`. */
export function packetTypeOfDigit(char: string): PacketType | undefined {
  return char.length === 1 ? PACKET_TYPES[char.charCodeAt(0) - 48] : undefined;
}

/** Record separator that joins packets in a polling payload (ASCII 30). */
export const RECORD_SEPARATOR = "\x1e";

/** Prefix of a base64-encoded binary message (`b` + base64). */
export const BASE64_PREFIX = "b";

/** The Engine.IO protocol revision spoken here. */
export const PROTOCOL_VERSION = 4;
