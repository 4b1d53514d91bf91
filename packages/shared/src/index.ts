/** @module `@heartwire/shared`: the Engine.IO v4 protocol core, pure and synchronous. */

export { ok, err } from "./result.js";
export type { Ok, Err, Result } from "./result.js";

export {
  PACKET_TYPES,
  PACKET_TYPE_DIGIT,
  packetTypeOfDigit,
  RECORD_SEPARATOR,
  BASE64_PREFIX,
  PROTOCOL_VERSION,
} from "./packet.js";
export type { Packet, PacketType, PacketData } from "./packet.js";

export { encodeBase64, decodeBase64 } from "./base64.js";
export { isBinary, toUint8Array, asUint8Array, asArrayBuffer, utf8ByteLength } from "./binary.js";
export type { BinaryInput, BinaryDecoder } from "./binary.js";

export { encodePacket, decodePacket } from "./packet-codec.js";
export type { OutgoingPacket, EncodeOptions, PacketDecodeError, PacketDecodeErrorKind } from "./packet-codec.js";

export { encodePayload, decodePayload, payloadBytes } from "./payload-codec.js";
export type { PayloadDecodeError, PayloadDecodeOptions } from "./payload-codec.js";

export { MAX_TIMER_DELAY, clampDelay } from "./timer-delay.js";
export {
  encodeOpenPacket,
  parseOpenPacket,
  parseProposedDelay,
  negotiateHeartbeat,
} from "./handshake.js";
export type {
  OpenPacket,
  HandshakeError,
  MillisecondRange,
  HeartbeatPolicy,
  HeartbeatProposal,
  HeartbeatTiming,
} from "./handshake.js";

export { nextPingAt, pongDeadlineAt, pingDeadlineAt, isExpired, rttFromPingSpacing, updateRtt } from "./heartbeat.js";
export type { RttEstimate } from "./heartbeat.js";

export { backoffCeiling, backoffDelay } from "./backoff.js";
export type { BackoffOptions } from "./backoff.js";

export { realScheduler, nativeScheduler } from "./scheduler.js";
export type { Scheduler, TimerHandle } from "./scheduler.js";

export { ProtocolError, protocolErrorByCode, HeartwireError } from "./errors.js";
export type { ProtocolErrorInfo, ProtocolErrorName, CloseReason, HeartwireErrorCode } from "./errors.js";
