/** @module A raw long-polling peer for wire tests: handshake, GET and POST with exact responses. */

import { engineUrl, request, type RawResponse } from "./http.js";

/** One polling session driven by hand. */
export class PollingPeer {
  readonly base: string;
  readonly sid: string;
  readonly open: Record<string, unknown>;
  /** Body of the handshake response (open packet, maybe followed by more). */
  readonly handshakeBody: string;

  private constructor(base: string, sid: string, open: Record<string, unknown>, body: string) {
    this.base = base;
    this.sid = sid;
    this.open = open;
    this.handshakeBody = body;
  }

  /** Performs the polling handshake. */
  static async connect(base: string, extra: Record<string, string> = {}): Promise<PollingPeer> {
    const res = await request(engineUrl(base, { EIO: "4", transport: "polling", ...extra }));
    if (res.status !== 200 || !res.body.startsWith("0")) throw new Error(`handshake failed: ${res.status} ${res.body}`);
    const open = JSON.parse(res.body.slice(1).split("\x1e")[0]!) as Record<string, unknown>;
    return new PollingPeer(base, String(open["sid"]), open, res.body);
  }

  /** The session URL (with extra query). */
  url(extra: Record<string, string> = {}): string {
    return engineUrl(this.base, { EIO: "4", transport: "polling", sid: this.sid, ...extra });
  }

  /** A long poll. */
  get(timeoutMs = 5000): Promise<RawResponse> {
    return request(this.url(), { timeoutMs });
  }

  /** Posts a payload. */
  post(body: string | Buffer, headers: Record<string, string | number> = { "content-type": "text/plain;charset=UTF-8" }): Promise<RawResponse> {
    return request(this.url(), { method: "POST", body, headers });
  }
}
