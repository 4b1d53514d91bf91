/** @module Reading the engine query (EIO, transport, sid, b64) from a request URL without trusting it. */

import type { IncomingMessage } from "node:http";

/** The query parameters the server acts on; peer-chosen strings, never used as object keys. */
export interface EngineQuery {
  /** Raw `EIO` value (protocol revision), or null. */
  readonly eio: string | null;
  /** Raw `transport` value, or null. */
  readonly transport: string | null;
  /** Raw `sid` value, or null (empty counts as absent). */
  readonly sid: string | null;
  /** True when the client asked for base64 binary (`b64` present). */
  readonly b64: boolean;
  /** Every parameter, for user code (allowRequest, middlewares). */
  readonly params: URLSearchParams;
}

/** Parses the query part of `req.url`; never throws (URLSearchParams tolerates any input). */
export function parseEngineQuery(req: IncomingMessage): EngineQuery {
  const url = typeof req.url === "string" ? req.url : "";
  const q = url.indexOf("?");
  const params = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
  const sid = params.get("sid");
  return {
    eio: params.get("EIO"),
    transport: params.get("transport"),
    sid: sid === null || sid.length === 0 ? null : sid,
    b64: params.has("b64"),
    params,
  };
}
