/**
 * @module HTTP long-polling over fetch: at most one GET and one POST in flight, a new GET as soon
 * as the previous one returns, every in-flight request aborted on close.
 */

import { decodePayload, encodePayload, HeartwireError, payloadBytes, type OutgoingPacket, type TimerHandle } from "@heartwire/shared";
import { parseErrorBody, TransportError } from "../errors.js";
import type { NumberOptionSpec } from "../options.js";
import { Transport, type ClientTransport, type TransportContext } from "./transport.js";

/** The numeric options only polling reads, validated by the entries that ship it. */
export const POLLING_OPTIONS: readonly NumberOptionSpec[] = [["requestTimeout"]];

/**
 * `ending`: the transport is done (the server's close packet arrived, or the poll failed) but a POST
 * is in flight: it finishes first, so its batch is known to be delivered (drain) or refused.
 */
type PollingState = "idle" | "opening" | "open" | "pausing" | "paused" | "ending" | "closed";

/** How long the farewell `1` POST may take before it is abandoned, ms. */
const CLOSE_POST_TIMEOUT = 5000;

/** Most packets accepted in one poll reply (a guard against separator storms). */
const MAX_PACKETS_PER_PAYLOAD = 100_000;

/** Engine.IO over HTTP long-polling, with fetch-like requests from the socket's `HostIO`. */
export class PollingTransport extends Transport implements ClientTransport {
  /** Always `"polling"` (on the prototype, where the `transports` option looks for it). */
  get name(): "polling" {
    return "polling";
  }
  /** A batch is one POST body, which the server's maxPayload bounds. */
  readonly batchBytes = payloadBytes;
  readonly #ctx: TransportContext;
  #sid: string | undefined;
  #state: PollingState = "idle";
  #getInFlight = false;
  #postInFlight = false;
  /** Length of the POST body in flight. */
  #postBytes = 0;
  #onPaused: (() => void) | undefined;
  /** Set while an upgrade probe runs: no new GET until it ends (see {@link PollingTransport.hold}). */
  #hold: TimerHandle | undefined;
  /** What an `ending` transport does once its POST settled: report the close or the failure. */
  #end: (() => void) | undefined;
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

  /** Length of the POST body in flight (0 when none). */
  get bufferedAmount(): number {
    return this.#postInFlight ? this.#postBytes : 0;
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
    this.#postInFlight = true;
    const body = encodePayload(packets);
    this.#postBytes = body.length;
    this.#request(body, this.#postAborter.signal)
      .then(() => {
        if (this.#postSettled()) return;
        this.emit("drain");
        if (this.#state === "ending") this.#end?.();
        else this.#checkPaused();
      })
      .catch((cause: unknown) => {
        if (this.#postSettled()) return;
        // An HTTP answer other than 200: the server did not take the batch.
        if (cause instanceof TransportError && cause.code === "HW_ERR_HTTP_STATUS") this.emit("refused");
        if (this.#state === "ending") this.#end?.();
        else this.#fail(cause, "xhr post error");
      });
  }

  /** Stops polling; `onPaused` runs once no GET and no POST are in flight. */
  pause(onPaused: () => void): void {
    if (this.#state !== "open") return;
    this.#state = "pausing";
    this.#hold?.cancel();
    this.#hold = undefined;
    this.#onPaused = onPaused;
    this.#checkPaused();
  }

  /**
   * An upgrade probe starts: for up to `ms`, a GET that returns is not followed by a new one. The
   * server would hold that new GET until it has something to send (engine.io releases it only on
   * its 100 ms upgrade check), and the switch must wait for it; without it, polling is quiet as
   * soon as `3probe` arrives. Ends with `pause()` (the switch), `resume()` or the timer.
   */
  hold(ms: number): void {
    this.#hold = this.#ctx.scheduler.setTimeout(() => this.resume(), ms);
  }

  /** Polls again after a pause or a {@link PollingTransport.hold} (a failed upgrade). */
  resume(): void {
    this.#hold?.cancel();
    this.#hold = undefined;
    if (this.#state === "pausing" || this.#state === "paused") this.#state = "open";
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
    const ending = this.#state === "ending";
    this.#state = "closed";
    this.#onPaused = undefined;
    this.#hold?.cancel();
    if (graceful && this.#sid !== undefined && !ending) {
      this.#afterPost = () => this.#sendClosePacket();
      if (!this.#postInFlight) this.#postSettled();
    } else {
      this.#getAborter.abort();
      this.#postAborter.abort();
    }
  }

  /**
   * One request: a GET (no `body`) or a POST. Resolves with the body of a 200 reply. With
   * `requestTimeout`, a request still unanswered when it expires fails the transport with a
   * `HW_ERR_TIMEOUT` TransportError (closing it aborts every request in flight).
   */
  async #request(body: string | undefined, signal: AbortSignal): Promise<string> {
    const { io, url, extraHeaders, maxIncomingPayload, requestTimeout, scheduler } = this.#ctx;
    const get = body === undefined;
    const failure = get ? "xhr poll error" : "xhr post error";
    const expire = (): void => this.#fail(new TransportError(failure, { context: { requestTimeout } }, "HW_ERR_TIMEOUT"));
    const timer = requestTimeout === undefined ? undefined : scheduler.setTimeout(expire, requestTimeout);
    try {
      const reply = await io.request!(url("polling", this.#sid), {
        method: get ? "GET" : "POST",
        headers: get ? extraHeaders : { ...extraHeaders, "Content-type": "text/plain;charset=UTF-8" },
        body,
        signal,
        maxBytes: get ? maxIncomingPayload : undefined,
      });
      const text = await reply.text();
      if (reply.status !== 200) {
        const { code, message } = parseErrorBody(text);
        // `context` has the fields engine.io-client's XMLHttpRequest context is read for.
        const context = { readyState: 4, status: reply.status, responseText: text };
        throw new TransportError(failure, { status: reply.status, protocolCode: code, serverMessage: message, context }, "HW_ERR_HTTP_STATUS");
      }
      if (get && text.length > maxIncomingPayload) {
        throw new HeartwireError("HW_ERR_PAYLOAD_TOO_LARGE", `poll response larger than maxIncomingPayload (${maxIncomingPayload})`);
      }
      return text;
    } finally {
      timer?.cancel();
    }
  }

  #poll(): void {
    if (this.#getInFlight || this.#hold || (this.#state !== "open" && this.#state !== "opening")) return;
    this.#getInFlight = true;
    this.#request(undefined, this.#getAborter.signal)
      .then((body) => {
        if (this.#state === "closed") return;
        this.#getInFlight = false;
        this.#onPayload(body);
      })
      .catch((cause: unknown) => this.#endAfterPost(() => this.#fail(cause, "xhr poll error")));
  }

  #onPayload(body: string): void {
    const decoded = decodePayload(body, { maxPackets: MAX_PACKETS_PER_PAYLOAD });
    if (!decoded.ok) return this.#endAfterPost(() => this.#fail(new HeartwireError("HW_ERR_INVALID_PAYLOAD", decoded.error.message)));
    for (const packet of decoded.value) {
      if (this.#state === "opening" && packet.type === "open") {
        this.#state = "open";
        this.emit("open");
      }
      if (packet.type === "close") {
        // A POST in flight may still be taken (the server lets it finish): wait for its answer.
        this.#endAfterPost(() => this.#serverClosed());
        return;
      }
      this.emit("packet", packet);
      if (this.#state === "closed") return;
    }
    this.#checkPaused();
    this.#poll();
  }

  /**
   * The transport is over (`end` reports how). A POST in flight is not aborted: its answer says
   * whether its batch was delivered, and only then does `end` run. Bounded by the socket's
   * heartbeat watch and `requestTimeout`, which close the transport.
   */
  #endAfterPost(end: () => void): void {
    if (this.#state === "closed" || this.#state === "ending") return;
    if (!this.#postInFlight) return end();
    this.#state = "ending";
    this.#onPaused = undefined;
    this.#end = end;
  }

  /** The server closed the session and no POST is in flight any more. */
  #serverClosed(): void {
    this.close(false);
    this.emit("close", { description: "transport closed by the server" });
  }

  /** A POST ended. After close, runs the farewell that was waiting for it and returns true. */
  #postSettled(): boolean {
    this.#postInFlight = false;
    if (this.#state !== "closed") return false;
    const next = this.#afterPost;
    this.#afterPost = undefined;
    next?.();
    return true;
  }

  /** Tells the server we are leaving; bounded by a timer, and never reported. */
  #sendClosePacket(): void {
    const aborter = new AbortController();
    const timer = this.#ctx.scheduler.setTimeout(() => aborter.abort(), CLOSE_POST_TIMEOUT);
    this.#request(encodePayload([{ type: "close" }]), aborter.signal)
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

  /** Closes and reports `cause`, wrapped in a TransportError named after the failed request unless it is ours. */
  #fail(cause: unknown, message = "parse error"): void {
    if (this.#state === "closed") return;
    this.close(false);
    this.emit("error", cause instanceof HeartwireError ? cause : new TransportError(message, { cause, context: cause }));
  }
}
