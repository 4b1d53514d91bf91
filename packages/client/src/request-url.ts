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
  const base = transport === "websocket" ? (endpoint.secure ? "wss" : "ws") : endpoint.secure ? "https" : "http";
  const defaultPort = endpoint.secure ? "443" : "80";
  const host = endpoint.hostname.includes(":") ? `[${endpoint.hostname}]` : endpoint.hostname;
  const port = endpoint.port && endpoint.port !== defaultPort ? `:${endpoint.port}` : "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(endpoint.query)) {
    if (k !== "EIO" && k !== "transport" && k !== "sid") params.set(k, v);
  }
  params.set("EIO", String(PROTOCOL_VERSION));
  params.set("transport", transport);
  if (sid !== undefined) params.set("sid", sid);
  const stamp = transport === "polling" ? endpoint.timestampRequests !== false : endpoint.timestampRequests === true;
  if (stamp) params.set(endpoint.timestampParam, timestamp(random));
  if (endpoint.forceBase64 && (transport === "websocket" || sid === undefined)) params.set("b64", "1");
  if (sid === undefined) {
    if (endpoint.pingInterval !== undefined) params.set("pingInterval", String(endpoint.pingInterval));
    if (endpoint.pingTimeout !== undefined) params.set("pingTimeout", String(endpoint.pingTimeout));
  }
  return `${base}://${host}${port}${endpoint.path}?${params.toString()}`;
}
