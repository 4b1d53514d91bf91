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

/** A request as engine.io hands it around: `_query` holds the query string as a plain object. */
export type EngineRequest = IncomingMessage & { _query?: Record<string, string> };

/** The query string of `req.url` as an object (a repeated key keeps its last value), as engine.io's `req._query`. */
export function queryObject(req: IncomingMessage): Record<string, string> {
  // Object.fromEntries defines own properties, so a `__proto__` key is plain data here.
  return Object.fromEntries(searchParams(req).entries());
}

function searchParams(req: IncomingMessage): URLSearchParams {
  const url = typeof req.url === "string" ? req.url : "";
  const hash = url.indexOf("#");
  const path = hash === -1 ? url : url.slice(0, hash);
  const q = path.indexOf("?");
  return new URLSearchParams(q === -1 ? "" : path.slice(q + 1));
}

/** The last value of `name` (engine.io reads the query as an object, so a repeated key keeps its last value). */
function last(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name);
  return all.length === 0 ? null : all[all.length - 1]!;
}

/**
 * Parses the query part of `req.url` (up to any `#`); never throws (URLSearchParams tolerates any
 * input). A repeated parameter counts with its last value, as in engine.io.
 */
export function parseEngineQuery(req: IncomingMessage): EngineQuery {
  const params = searchParams(req);
  const sid = last(params, "sid");
  return {
    eio: last(params, "EIO"),
    transport: last(params, "transport"),
    sid: sid === null || sid.length === 0 ? null : sid,
    b64: params.has("b64"),
    params,
  };
}
