/**
 * @module HTTP long-polling over fetch: at most one GET and one POST in flight, a new GET as soon
 * as the previous one returns, every in-flight request aborted on close.
 */

import { EventEmitter } from "eventemitter3";
import { decodePayload, encodePayload, HeartwireError, type OutgoingPacket } from "@heartwire/shared";
import { parseErrorBody, TransportError } from "../errors.js";
import type { HttpReply } from "../platform/platform.js";
import type { ClientTransport, TransportContext, TransportEvents } from "./transport.js";

type PollingState = "idle" | "opening" | "open" | "pausing" | "paused" | "closed";

/** How long the farewell `1` POST may take before it is abandoned, ms. */
const CLOSE_POST_TIMEOUT = 5000;

/** Most packets accepted in one poll reply (a guard against separator storms). */
const MAX_PACKETS_PER_PAYLOAD = 100_000;

function tooLarge(limit: number): HeartwireError {
  return new HeartwireError("HW_ERR_PAYLOAD_TOO_LARGE", `poll response larger than maxIncomingPayload (${limit})`);
}

/** Engine.IO over HTTP long-polling, with fetch-like requests from the socket's {@link HostIO}. */
export class PollingTransport extends EventEmitter<TransportEvents> implements ClientTransport {
  /** Always `"polling"`. */
  readonly name = "polling" as const;
  readonly #ctx: TransportContext;
  #sid: string | undefined;
  #state: PollingState = "idle";
  #getInFlight = false;
  #postInFlight = false;
  #onPaused: (() => void) | undefined;
  #afterPost: (() => void) | undefined;
  readonly #getAborter = new AbortController();
  readonly #postAborter = new AbortController();

  /** Creates the transport; nothing happens until {@link PollingTransport.open}. */
  constructor(ctx: TransportContext) {
    super();
    this.#ctx = ctx;
    this.#sid = ctx.sid;
  }

  /** True when the session is open and no POST is in flight. */
  get writable(): boolean {
    return (this.#state === "open" || this.#state === "pausing") && !this.#postInFlight;
  }

  /** Sends the handshake GET. */
  open(): void {
    if (this.#state !== "idle") return;
    this.#state = "opening";
    this.#poll();
  }

  /** Session id for every later request. */
  setSid(sid: string): void {
    this.#sid = sid;
  }

  /** POSTs one batch as a payload; `drain` follows the server's 200. */
  send(packets: readonly OutgoingPacket[]): void {
    if (!this.writable) return;
    this.#post(encodePayload(packets));
  }

  /** Stops polling; `onPaused` runs once no GET and no POST are in flight. */
  pause(onPaused: () => void): void {
    if (this.#state !== "open") return;
    this.#state = "pausing";
    this.#onPaused = onPaused;
    this.#checkPaused();
  }

  /** Polls again after a pause (a failed upgrade). */
  resume(): void {
    if (this.#state !== "pausing" && this.#state !== "paused") return;
    this.#state = "open";
    this.#onPaused = undefined;
    this.#poll();
  }

  /**
   * Closes for good. When `graceful` and the session is known: POSTs `1` (after a POST in flight,
   * if any) — the server then releases our pending GET with a noop — and aborts what is left once
   * that POST settled. Otherwise aborts every request at once.
   */
  close(graceful: boolean): void {
    if (this.#state === "closed") return;
    const sid = this.#sid;
    this.#state = "closed";
    this.#onPaused = undefined;
    if (!graceful || sid === undefined) {
      this.#getAborter.abort();
      this.#postAborter.abort();
      return;
    }
    const farewell = (): void => this.#sendClosePacket();
    if (this.#postInFlight) this.#afterPost = farewell;
    else farewell();
  }

  #request(method: "GET" | "POST", body: string | undefined, signal: AbortSignal): Promise<HttpReply> {
    const headers: Record<string, string> = { ...this.#ctx.extraHeaders };
    if (method === "POST") headers["Content-type"] = "text/plain;charset=UTF-8";
    try {
      const maxBytes = method === "GET" ? this.#ctx.maxIncomingPayload : undefined;
      return this.#ctx.io.request(this.#ctx.url("polling", this.#sid), { method, headers, body, signal, maxBytes });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #poll(): void {
    if (this.#getInFlight || (this.#state !== "open" && this.#state !== "opening")) return;
    this.#getInFlight = true;
    this.#request("GET", undefined, this.#getAborter.signal)
      .then(async (reply) => {
        const body = await reply.text();
        if (this.#state === "closed") return;
        if (reply.status !== 200) throw this.#httpError("xhr poll error", reply.status, body);
        if (body.length > this.#ctx.maxIncomingPayload) throw tooLarge(this.#ctx.maxIncomingPayload);
        this.#getInFlight = false;
        this.#onPayload(body);
      })
      .catch((cause: unknown) => this.#fail(cause, "xhr poll error"));
  }

  #onPayload(body: string): void {
    const decoded = decodePayload(body, { maxPackets: MAX_PACKETS_PER_PAYLOAD });
    if (!decoded.ok) {
      this.#fail(new HeartwireError("HW_ERR_INVALID_PAYLOAD", decoded.error.message), "parse error");
      return;
    }
    for (const packet of decoded.value) {
      if (this.#state === "opening" && packet.type === "open") {
        this.#state = "open";
        this.emit("open");
      }
      if (packet.type === "close") {
        this.close(false);
        this.emit("close", { description: "transport closed by the server" });
        return;
      }
      this.emit("packet", packet);
      if (this.#state === "closed") return;
    }
    if (this.#state === "pausing") this.#checkPaused();
    else this.#poll();
  }

  #post(body: string): void {
    this.#postInFlight = true;
    this.#request("POST", body, this.#postAborter.signal)
      .then(async (reply) => {
        const text = await reply.text();
        if (this.#state === "closed") return this.#postSettled();
        if (reply.status !== 200) throw this.#httpError("xhr post error", reply.status, text);
        this.#postInFlight = false;
        this.emit("drain");
        if (this.#state === "pausing") this.#checkPaused();
      })
      .catch((cause: unknown) => {
        if (this.#state === "closed") return this.#postSettled();
        this.#postInFlight = false;
        this.#fail(cause, "xhr post error");
      });
  }

  /** A POST ended after close: run the farewell that was waiting for it. */
  #postSettled(): void {
    this.#postInFlight = false;
    const next = this.#afterPost;
    this.#afterPost = undefined;
    next?.();
  }

  /** Tells the server we are leaving; bounded by a timer, and never reported. */
  #sendClosePacket(): void {
    const aborter = new AbortController();
    const timer = this.#ctx.scheduler.setTimeout(() => aborter.abort(), CLOSE_POST_TIMEOUT);
    if (this.#ctx.io.unrefed) timer.unref();
    this.#request("POST", encodePayload([{ type: "close" }]), aborter.signal)
      .then((reply) => reply.text())
      .catch(() => undefined)
      .finally(() => {
        timer.cancel();
        this.#getAborter.abort();
      });
  }

  #checkPaused(): void {
    if (this.#state !== "pausing" || this.#getInFlight || this.#postInFlight) return;
    this.#state = "paused";
    const onPaused = this.#onPaused;
    this.#onPaused = undefined;
    onPaused?.();
  }

  #httpError(message: string, status: number, body: string): TransportError {
    const parsed = parseErrorBody(body);
    return new TransportError(message, { status, protocolCode: parsed.code, serverMessage: parsed.message }, "HW_ERR_HTTP_STATUS");
  }

  #fail(cause: unknown, message: string): void {
    if (this.#state === "closed") return;
    const error = cause instanceof HeartwireError ? cause : new TransportError(message, { cause, context: cause });
    this.close(false);
    this.emit("error", error);
  }
}
