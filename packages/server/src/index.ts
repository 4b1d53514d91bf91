/** @module `@heartwire/server`: an Engine.IO v4 server (polling + WebSocket); a drop-in for engine.io's server API. */

export { Server } from "./server.js";
export type { ServerEvents, ConnectionErrorEvent, CloseOptions } from "./server-types.js";
export { attach, listen } from "./listen.js";
export type { ListenOptions, ListenCallback } from "./listen.js";
export type { ListenTarget, ListenAddress, ListenHandle } from "./bind.js";
export { systemdListenFds } from "./systemd.js";
export type { ListenFd, SystemdListenFdsOptions } from "./systemd.js";
export { Socket } from "./socket.js";
export type { SocketEvents, ReadyState, MessageData, SendData, SendOptions, SendCallback } from "./socket-types.js";
export { defaults, resolveOptions } from "./options.js";
export type {
  ServerOptions,
  AttachOptions,
  ResolvedOptions,
  TransportName,
  AllowRequest,
  GenerateId,
  PerMessageDeflateOptions,
  HttpCompressionOptions,
} from "./options.js";
export type { CorsOptions, OriginFunction, StaticOrigin } from "./cors.js";
export type { CookieOptions } from "./cookie.js";
export type { Middleware } from "./middleware.js";
export type { ServerTransport, QueuedPacket, QueuedPacketOptions, TransportEvents } from "./transports/transport.js";
export type { UpgradeState } from "./upgrade.js";
export type { HeartbeatPhase } from "./socket-heartbeat.js";
export type { WebSocketEngine, WebSocketEngineOptions, WebSocketEngineServer } from "./websocket-server.js";
export type { WebSocketLike } from "./transports/websocket.js";
export { TimerWheel } from "./timer-wheel.js";
export type { CloseReason } from "@heartwire/shared";

/** The Engine.IO protocol revision this server speaks. */
export const protocol = 4;
