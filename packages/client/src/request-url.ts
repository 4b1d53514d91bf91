/**
 * @module Request URLs: scheme, host, path and the Engine.IO query (`EIO`, `transport`, `sid`, the
 * cache-busting timestamp, `b64`, and the proposed heartbeat values on the handshake).
 */

import { PROTOCOL_VERSION } from "@heartwire/shared";
import type { ResolvedSocketOptions, TransportName } from "./options.js";

/** The parts of the resolved options a URL depends on. */
export type EndpointOptions = Pick<
  ResolvedSocketOptions,
  "secure" | "hostname" | "port" | "path" | "query" | "timestampRequests" | "timestampParam" | "forceBase64" | "pingInterval" | "pingTimeout"
>;

let stampCounter = 0;

/** A short cache-busting value, unique within this process and unlikely to repeat across processes. */
function timestamp(random: () => number): string {
  stampCounter = (stampCounter + 1) % 1_679_616;
  return stampCounter.toString(36) + Math.floor(random() * 1_679_616).toString(36);
}

/**
 * Builds the URL of one request: `http(s)` for polling, `ws(s)` for websocket. The default port of
 * the scheme is left out; IPv6 hosts are bracketed. `sid` is absent on the handshake, which is the
 * only request that carries the proposed `pingInterval`/`pingTimeout`.
 */
export function requestUrl(
  endpoint: EndpointOptions,
  transport: TransportName,
  sid: string | undefined,
  random: () => number = Math.random,
): string {
  const { secure, hostname, port, query, timestampRequests, pingInterval, pingTimeout } = endpoint;
  const params = new URLSearchParams(query);
  params.set("EIO", String(PROTOCOL_VERSION));
  params.set("transport", transport);
  // A `sid` in the user's query goes out until the session has one (engine.io-client does the same).
  if (sid !== undefined) params.set("sid", sid);
  if (transport === "polling" ? timestampRequests !== false : timestampRequests) params.set(endpoint.timestampParam, timestamp(random));
  if (endpoint.forceBase64 && (transport === "websocket" || sid === undefined)) params.set("b64", "1");
  if (sid === undefined) {
    if (pingInterval) params.set("pingInterval", String(pingInterval));
    if (pingTimeout) params.set("pingTimeout", String(pingTimeout));
  }
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const scheme = (transport === "websocket" ? "ws" : "http") + (secure ? "s" : "");
  return `${scheme}://${host}${port === (secure ? "443" : "80") ? "" : `:${port}`}${endpoint.path}?${params}`;
}
