/** @module Creating transports by name from the entry's registry, and `rememberUpgrade`'s memory of a working websocket. */

import type { ResolvedSocketOptions, TransportName } from "../options.js";
import type { HostIO } from "../platform/platform.js";
import { requestUrl } from "../request-url.js";
import type { ClientTransport, TransportRegistry } from "./transport.js";

/** Whether a websocket connection succeeded before in this page or process (`rememberUpgrade`). */
let priorWebsocketSuccess = false;

/** Records whether the last websocket connection worked. */
export function rememberWebsocket(success: boolean): void {
  priorWebsocketSuccess = success;
}

/** Transports to try, in order: websocket first when `rememberUpgrade` and it worked before. */
export function transportOrder(opts: ResolvedSocketOptions): TransportName[] {
  const names = [...opts.transports];
  if (opts.rememberUpgrade && priorWebsocketSuccess && names.includes("websocket")) {
    names.splice(names.indexOf("websocket"), 1);
    names.unshift("websocket");
  }
  return names;
}

/**
 * Creates a transport from `registry` for the socket's endpoint; `sid` joins an existing session
 * (upgrade probe). `opts.transports` only names registered transports (see `resolveSocketOptions`).
 */
export function createTransport(
  name: TransportName,
  registry: TransportRegistry,
  opts: ResolvedSocketOptions,
  io: HostIO,
  sid?: string,
): ClientTransport {
  const Transport = registry[name];
  if (Transport === undefined) throw new Error(`transport ${name} is not included in this build`);
  const ctx = {
    io,
    url: (transport: TransportName, s: string | undefined) => requestUrl(opts, transport, s),
    extraHeaders: opts.extraHeaders,
    forceBase64: opts.forceBase64,
    maxIncomingPayload: opts.maxIncomingPayload,
    scheduler: opts.scheduler,
    sid,
  };
  return new Transport(ctx);
}
