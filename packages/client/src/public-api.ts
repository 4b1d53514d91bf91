/**
 * @module The exports every package entry shares (errors, helpers and types); each entry adds its
 * platform-bound `Socket` and `ReconnectingSocket`.
 */

export { PROTOCOL_VERSION as protocol, HeartwireError } from "@heartwire/shared";
export type { OpenPacket, OutgoingPacket, Scheduler, TimerHandle } from "@heartwire/shared";
export type { EventArgs, EventListener } from "./emitter.js";
export { TransportError } from "./errors.js";
export { parse } from "./parse-uri.js";
export type { ParsedUri } from "./parse-uri.js";
export { installTimerFunctions } from "./timer-functions.js";
export type { TimerFunctions } from "./timer-functions.js";
export { Transport, WebTransport } from "./transports/transport.js";
export type { TransportClass, TransportContext, TransportRegistry } from "./transports/transport.js";
export { CookieJar } from "./cookie-jar.js";
export type { StoredCookie } from "./cookie-jar.js";
export { isRefusal } from "./reconnect.js";
export type { ReconnectingSocketOptions, ReconnectingSocketEvents, ReconnectState, SocketFactory } from "./reconnect.js";
export type { SocketOptions, ReconnectOptions, TransportName, TransportOverrides } from "./options.js";
export type { MessagePacket, ReadyState, SocketCloseReason, CloseDetails, ReceivedPacket, SendOptions, SocketEvents } from "./socket-events.js";
export type { ClientTransport, TransportCloseDetails, TransportEvents } from "./transports/transport.js";
export type {
  BinaryType,
  BinaryMessage,
  MessageData,
  SendData,
  HostIO,
  HttpReply,
  HttpRequestInit,
  WebSocketLike,
  WebSocketOpenOptions,
  WebSocketCloseInfo,
} from "./platform/platform.js";
