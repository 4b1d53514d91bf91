/** @module gzip/deflate for polling responses, when the client accepts it and the body is big enough. */

import type { IncomingMessage } from "node:http";
import { deflate, gzip } from "node:zlib";

/** A content coding we can produce. */
export type ContentCoding = "gzip" | "deflate";

/**
 * Picks gzip or deflate from an `Accept-Encoding` header (honouring `q=0` and `*`), preferring gzip;
 * `undefined` when neither is acceptable.
 */
export function chooseEncoding(req: IncomingMessage): ContentCoding | undefined {
  const header = req.headers["accept-encoding"];
  if (typeof header !== "string" || header.length === 0) return undefined;
  const weights = new Map<string, number>();
  for (const part of header.split(",")) {
    const [rawName, ...params] = part.split(";");
    const name = rawName?.trim().toLowerCase();
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param);
      if (match) q = Number(match[1]);
    }
    weights.set(name, Number.isFinite(q) ? q : 0);
  }
  const weight = (coding: string): number => weights.get(coding) ?? weights.get("*") ?? 0;
  const g = weight("gzip");
  const d = weight("deflate");
  if (g <= 0 && d <= 0) return undefined;
  return g >= d ? "gzip" : "deflate";
}

/** Compresses `data` asynchronously; resolves `undefined` if zlib fails (the caller sends it plain). */
export function compress(data: Buffer, coding: ContentCoding, level: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const done = (error: Error | null, result: Buffer): void => resolve(error ? undefined : result);
    if (coding === "gzip") gzip(data, { level }, done);
    else deflate(data, { level }, done);
  });
}
