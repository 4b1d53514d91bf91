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

/** Wire digit of each packet type (`"4"` for message, …). */
export const PACKET_TYPE_DIGIT: Readonly<Record<PacketType, string>> = Object.freeze({
  open: "0",
  close: "1",
  ping: "2",
  pong: "3",
  message: "4",
  upgrade: "5",
  noop: "6",
});

const DIGIT_TO_TYPE: readonly PacketType[] = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

/** Maps a wire character to its packet type, or `undefined` if it is not `0`–`6`. */
export function packetTypeOfDigit(char: string): PacketType | undefined {
  if (char.length !== 1) return undefined;
  const index = char.charCodeAt(0) - 48;
  return index >= 0 && index < DIGIT_TO_TYPE.length ? DIGIT_TO_TYPE[index] : undefined;
}

/** Record separator that joins packets in a polling payload (ASCII 30). */
export const RECORD_SEPARATOR = "\x1e";

/** Prefix of a base64-encoded binary message (`b` + base64). */
export const BASE64_PREFIX = "b";

/** The Engine.IO protocol revision spoken here. */
export const PROTOCOL_VERSION = 4;
