/** @module Serialising the `Set-Cookie` header that carries the session id (for sticky sessions). */

/** Cookie attributes for the sid cookie; defaults `{ name: "io", path: "/", httpOnly: true, sameSite: "lax" }`. */
export interface CookieOptions {
  /** Cookie name. @default "io" */
  name?: string;
  /** `Path` attribute; `false` omits it. @default "/" */
  path?: string | false;
  /** `Domain` attribute. @default undefined */
  domain?: string;
  /** `Max-Age` in seconds. @default undefined */
  maxAge?: number;
  /** `Expires` date. @default undefined */
  expires?: Date;
  /** `HttpOnly` flag. @default true */
  httpOnly?: boolean;
  /** `Secure` flag. @default false */
  secure?: boolean;
  /** `SameSite`: `true` means Strict. @default "lax" */
  sameSite?: boolean | "lax" | "strict" | "none";
  /** `Partitioned` flag (CHIPS). @default false */
  partitioned?: boolean;
}

// RFC 6265 token characters for names and attribute values we accept verbatim.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ATTRIBUTE_VALUE = /^[\u0021-\u003a\u003c-\u007e]+$/;

/** Builds one `Set-Cookie` value; throws a TypeError for a name or attribute a header cannot carry. */
export function serializeCookie(value: string, options: CookieOptions): string {
  const name = options.name ?? "io";
  if (!TOKEN.test(name)) throw new TypeError(`invalid cookie name ${JSON.stringify(name)}`);
  let out = `${name}=${encodeURIComponent(value)}`;
  if (options.maxAge !== undefined) {
    if (!Number.isFinite(options.maxAge)) throw new TypeError("cookie maxAge must be a finite number");
    out += `; Max-Age=${Math.floor(options.maxAge)}`;
  }
  if (options.domain !== undefined) {
    if (!ATTRIBUTE_VALUE.test(options.domain)) throw new TypeError("invalid cookie domain");
    out += `; Domain=${options.domain}`;
  }
  if (options.path !== undefined && options.path !== false) {
    if (!ATTRIBUTE_VALUE.test(options.path)) throw new TypeError("invalid cookie path");
    out += `; Path=${options.path}`;
  }
  if (options.expires !== undefined) out += `; Expires=${options.expires.toUTCString()}`;
  if (options.httpOnly) out += "; HttpOnly";
  if (options.secure) out += "; Secure";
  if (options.partitioned) out += "; Partitioned";
  const sameSite = options.sameSite;
  if (sameSite === true || sameSite === "strict") out += "; SameSite=Strict";
  else if (sameSite === "lax") out += "; SameSite=Lax";
  else if (sameSite === "none") out += "; SameSite=None";
  return out;
}
