/**
 * @module What a cluster primary reads from the start of a connection before handing it over: where
 * the first request head ends, and the `sid` in its request line. Pure functions over bytes.
 */

/** The start of a connection, scanned: still incomplete, a complete head, or unusable. */
export type HeadScan =
  | { readonly kind: "incomplete" }
  /** `sid` is the query's `sid` (null without one); `headLength` counts the head's bytes. */
  | { readonly kind: "complete"; readonly sid: string | null; readonly headLength: number }
  | { readonly kind: "too large" }
  | { readonly kind: "invalid" };

const INCOMPLETE: HeadScan = Object.freeze({ kind: "incomplete" });
const TOO_LARGE: HeadScan = Object.freeze({ kind: "too large" });
const INVALID: HeadScan = Object.freeze({ kind: "invalid" });

/** `METHOD SP target SP HTTP/x.y`, as Node's parser would take it. */
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/\d\.\d$/;

/** Offset just past the blank line that ends a head (CRLF CRLF, or the LF LF a lenient peer sends), or -1. */
function headEnd(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/**
 * Scans the first bytes of a connection. `maxHeadSize` bounds the head (request line and headers):
 * a head not ended within it is `too large`. Only the request line is interpreted; the rest is
 * left to the worker's HTTP parser.
 */
export function scanRequestHead(bytes: Buffer, maxHeadSize: number): HeadScan {
  const end = headEnd(bytes.length > maxHeadSize ? bytes.subarray(0, maxHeadSize) : bytes);
  if (end === -1) return bytes.length >= maxHeadSize ? TOO_LARGE : INCOMPLETE;
  let lineEnd = bytes.indexOf(0x0a);
  if (lineEnd > 0 && bytes[lineEnd - 1] === 0x0d) lineEnd--;
  const line = bytes.toString("latin1", 0, lineEnd);
  const match = REQUEST_LINE.exec(line);
  if (match === null) return INVALID;
  return { kind: "complete", sid: sidOf(match[2]!), headLength: end };
}

/** The `sid` query parameter of a request target, or null. */
function sidOf(target: string): string | null {
  const query = target.indexOf("?");
  if (query === -1) return null;
  const hash = target.indexOf("#", query);
  return new URLSearchParams(target.slice(query + 1, hash === -1 ? undefined : hash)).get("sid");
}

/** The session-id prefix of cluster worker `id`: `w<id>.` (the default ids never contain a `.`). */
export function workerPrefix(id: number): string {
  return `w${id}.`;
}

const OWNER = /^w([1-9]\d{0,8})\./;

/** The cluster worker id a session id names in its prefix, or undefined. */
export function ownerOfSid(sid: string): number | undefined {
  const match = OWNER.exec(sid);
  return match === null ? undefined : Number(match[1]);
}
