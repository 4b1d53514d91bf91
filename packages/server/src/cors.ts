/** @module CORS headers and preflight answers for polling requests (a small stand-in for the `cors` package). */

import type { IncomingMessage, ServerResponse } from "node:http";

/** One static origin rule: an exact origin string or a pattern. */
export type StaticOrigin = string | RegExp;

/** Decides an origin at request time; call back with `true` to reflect it, `false` to send no header. */
export type OriginFunction = (
  origin: string | undefined,
  callback: (err: Error | null, origin?: boolean | StaticOrigin | readonly StaticOrigin[]) => void,
) => void;

/** CORS policy, with the option names of the `cors` package that engine.io users already pass. */
export interface CorsOptions {
  /**
   * Allowed origins: `"*"`, one origin, a RegExp, a list, `true` (reflect the request's origin),
   * `false` (no CORS headers) or a function. @default "*"
   */
  origin?: boolean | StaticOrigin | readonly StaticOrigin[] | OriginFunction;
  /** Methods announced on preflight. @default "GET,HEAD,PUT,PATCH,POST,DELETE" */
  methods?: string | readonly string[];
  /**
   * Headers announced on preflight; by default the preflight's `Access-Control-Request-Headers`
   * are echoed (as the `cors` package does).
   */
  allowedHeaders?: string | readonly string[];
  /** Alias of `allowedHeaders` (the `cors` package reads both); `allowedHeaders` wins. */
  headers?: string | readonly string[];
  /** Headers exposed to the page (`Access-Control-Expose-Headers`). @default undefined */
  exposedHeaders?: string | readonly string[];
  /** Send `Access-Control-Allow-Credentials: true`. @default false */
  credentials?: boolean;
  /** Preflight cache lifetime in seconds. @default undefined */
  maxAge?: number;
  /** Status of a successful preflight. @default 204 */
  optionsSuccessStatus?: number;
}

const DEFAULT_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE";

function list(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value.join(",");
}

function matches(origin: string, rule: boolean | StaticOrigin | readonly StaticOrigin[]): boolean {
  if (typeof rule === "boolean") return rule;
  if (typeof rule === "string") return rule === origin;
  if (rule instanceof RegExp) return rule.test(origin);
  return rule.some((r) => matches(origin, r));
}

function appendVary(res: ServerResponse, field: string): void {
  const current = res.getHeader("Vary");
  const text = current === undefined ? "" : Array.isArray(current) ? current.join(", ") : String(current);
  if (text === "*" || text.split(/\s*,\s*/).some((f) => f.toLowerCase() === field.toLowerCase())) return;
  res.setHeader("Vary", text ? `${text}, ${field}` : field);
}

/** Resolves the `Access-Control-Allow-Origin` value for this request (or `undefined` for none). */
function allowOrigin(options: CorsOptions, req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
  const requestOrigin = req.headers.origin;
  const decide = (rule: boolean | StaticOrigin | readonly StaticOrigin[]): string | undefined => {
    if (rule === "*") return "*";
    if (typeof rule === "string") {
      appendVary(res, "Origin");
      return rule;
    }
    appendVary(res, "Origin");
    return requestOrigin !== undefined && matches(requestOrigin, rule) ? requestOrigin : undefined;
  };
  const origin = options.origin ?? "*";
  if (typeof origin !== "function") return Promise.resolve(decide(origin as boolean | StaticOrigin | readonly StaticOrigin[]));
  return new Promise((resolve) => {
    let done = false;
    try {
      (origin as OriginFunction)(requestOrigin, (err, value) => {
        if (done) return;
        done = true;
        resolve(err || value === undefined ? undefined : decide(value));
      });
    } catch {
      done = true;
      resolve(undefined);
    }
  });
}

/**
 * Applies the CORS policy to `res`. Returns `true` when the request was a preflight (`OPTIONS`) and
 * has been answered, `false` when the caller should go on handling it.
 */
export async function applyCors(options: CorsOptions, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const origin = await allowOrigin(options, req, res);
  if (origin !== undefined) res.setHeader("Access-Control-Allow-Origin", origin);
  if (options.credentials) res.setHeader("Access-Control-Allow-Credentials", "true");
  const exposed = list(options.exposedHeaders);
  if (exposed) res.setHeader("Access-Control-Expose-Headers", exposed);
  if (req.method !== "OPTIONS") return false;
  res.setHeader("Access-Control-Allow-Methods", list(options.methods) ?? DEFAULT_METHODS);
  let allowed = list(options.allowedHeaders ?? options.headers);
  if (allowed === undefined) {
    const requested = req.headers["access-control-request-headers"];
    // Echoed as sent; only a value HTTP cannot carry back (control characters) is dropped.
    if (typeof requested === "string" && /^[\t\x20-\x7e]*$/.test(requested)) allowed = requested;
    appendVary(res, "Access-Control-Request-Headers");
  }
  if (allowed) res.setHeader("Access-Control-Allow-Headers", allowed);
  if (options.maxAge !== undefined) res.setHeader("Access-Control-Max-Age", String(options.maxAge));
  res.statusCode = options.optionsSuccessStatus ?? 204;
  res.setHeader("Content-Length", "0");
  res.end();
  return true;
}
