/** @module Raw HTTP requests for wire tests: exact status, headers and body, always bounded in time. */

import { request as httpRequest, type IncomingHttpHeaders } from "node:http";

/** A raw response. */
export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Parsed JSON body, when it is JSON. */
  json<T = unknown>(): T;
}

/** Options for {@link request}. */
export interface RawRequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | number>;
  /** Body sent in one piece. */
  readonly body?: string | Buffer;
  /** Give up after this many ms. @default 5000 */
  readonly timeoutMs?: number;
}

/** Performs one HTTP request (no agent keep-alive) and reads the whole response. */
export function request(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks).toString("utf8");
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
      });
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`request timed out after ${timeoutMs} ms: ${options.method ?? "GET"} ${url}`));
    }, timeoutMs);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

/** The engine URL for a base, with query parameters appended. */
export function engineUrl(base: string, query: Record<string, string>, path = "/engine.io/"): string {
  return `${base}${path}?${new URLSearchParams(query).toString()}`;
}

/** Opens a polling session and returns its sid and the parsed open packet. */
export async function pollingHandshake(base: string, extra: Record<string, string> = {}): Promise<{ sid: string; open: Record<string, unknown> }> {
  const res = await request(engineUrl(base, { EIO: "4", transport: "polling", ...extra }));
  if (res.status !== 200 || !res.body.startsWith("0")) throw new Error(`handshake failed: ${res.status} ${res.body}`);
  const open = JSON.parse(res.body.slice(1).split("\x1e")[0]!) as Record<string, unknown>;
  return { sid: String(open["sid"]), open };
}
