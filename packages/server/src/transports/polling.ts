/** @module The HTTP long-polling transport: a held GET carries batched packets out, POSTs carry packets in. */

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { EventEmitter } from "eventemitter3";
import { decodePayload, encodePayload, HeartwireError, type Scheduler, type TimerHandle } from "@heartwire/shared";
import { readBody } from "../body-reader.js";
import { chooseEncoding, compress } from "../http-compression.js";
import { sendStatus } from "../http-responses.js";
import type { HttpCompressionOptions } from "../options.js";
import {
  kOnClose,
  kOnDrain,
  kOnError,
  kOnPacket,
  kOnParseError,
  kOnReady,
  kSink,
  type QueuedPacket,
  type ServerTransport,
  type TransportEvents,
  type TransportHooks,
  type TransportSink,
} from "./transport.js";

/** Limits and collaborators of a polling transport (one object per server, shared by its sessions). */
export interface PollingOptions {
  readonly maxHttpBufferSize: number;
  readonly maxPacketsPerPayload: number;
  readonly closeTimeout: number;
  readonly httpCompression: false | Required<HttpCompressionOptions>;
  readonly scheduler: Scheduler;
  readonly hooks: TransportHooks;
}

/** Transport lifecycle: open; closing (waiting for a GET to carry the `1`); closed. */
type PollingState = "open" | "closing" | "closed";

interface PendingPoll {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/** What a GET that arrives for a pending close carries before the `1`: a noop. */
const CLOSE_NOOP: readonly QueuedPacket[] = Object.freeze([Object.freeze({ type: "noop", options: Object.freeze({ compress: false }) })]);

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Long-polling per engine.io (PROTOCOL.md §1.4): one GET and one POST at a time (a second one is
 * answered 400 and fails the transport), every queued packet in one `\x1e`-joined response,
 * `200 ok` for POSTs, 413/408 for oversized or trickling bodies, 500 for other methods.
 */
export class PollingTransport extends EventEmitter<TransportEvents> implements ServerTransport {
  /** Always `"polling"`. */
  readonly name = "polling" as const;
  /** @internal The socket this transport reports to. */
  [kSink]: TransportSink | undefined = undefined;
  readonly #options: PollingOptions;
  readonly #sid: string;
  readonly #bodyTimeout: number;
  #poll: PendingPoll | undefined;
  #writing = false;
  /** Size of the poll response being written. */
  #writingBytes = 0;
  #posting: IncomingMessage | undefined;
  #state: PollingState = "open";
  #closeTimer: TimerHandle | undefined;
  #linger = false;
  /** The `1` packet is on its way: no more GETs or POSTs are taken. */
  #closeSent = false;
  /** The close is done but for the POST in flight, which finishes first. */
  #closeAfterPost = false;

  /**
   * Creates the transport of session `sid`; feed it requests with {@link PollingTransport.onRequest}.
   * `bodyTimeout` is the ms a POST body may take (the session's, see `httpBodyTimeout`).
   */
  constructor(options: PollingOptions, sid: string, bodyTimeout: number) {
    super();
    this.#options = options;
    this.#sid = sid;
    this.#bodyTimeout = bodyTimeout;
  }

  /** True while a GET is waiting for data. */
  get writable(): boolean {
    return this.#poll !== undefined && !this.#writing && this.#state !== "closed";
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#state === "closed";
  }

  /** Bytes of the poll response still being written. */
  get bufferedAmount(): number {
    return this.#writing ? this.#writingBytes : 0;
  }

  /** Handles one HTTP request of this session. */
  onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.#lastOnConnection(res);
    if (req.method === "GET") this.#onPoll(req, res);
    else if (req.method === "POST") {
      this.#onData(req, res).catch((error: unknown) => {
        res.destroy();
        this.#fail(`data request failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    else sendStatus(res, 500);
  }

  /** Answers the pending GET with `packets` (plus `1` when a close is pending). */
  send(packets: readonly QueuedPacket[], options: { thenClose?: boolean; inline?: boolean } = {}): void {
    const poll = this.#poll;
    if (poll === undefined || this.#writing) return;
    // A close already pending rides this response, and so does one asked for `inline` (a server
    // drain). Otherwise one asked for along with these packets waits for the next GET, as in
    // engine.io (the client gets the data, then `6␞1` on its next poll).
    if (options.thenClose && options.inline && this.#state === "open") this.#state = "closing";
    const closing = this.#state === "closing";
    // A graceful close lets a POST in flight finish: its packets are delivered.
    if (options.thenClose && this.#state === "open") {
      this.#state = "closing";
      this.#linger = true;
    }
    let out = packets;
    if (closing) {
      out = [...packets, { type: "close", options: { compress: false } }];
      this.#closeSent = true;
    }
    this.#poll = undefined;
    this.#writing = true;
    const payload = encodePayload(out);
    this.#writingBytes = payload.length;
    const wantsCompression = out.some((p) => p.options.compress);
    this.#write(poll, payload, wantsCompression, () => {
      this.#writing = false;
      this.#writingBytes = 0;
      const hasData = packets.length > 0 && packets !== CLOSE_NOOP;
      if (closing) {
        if (hasData) this.#drained();
        this.#finishAfterPost();
      } else if (this.#state === "closing") {
        if (hasData) this.#drained();
        this.#continueClose();
      } else if (this.#state === "open") this.#drained();
    });
  }

  /**
   * Orderly close: a pending GET carries `1`. Without one, `linger` waits for the next GET (up to
   * `closeTimeout`, on an unref'd timer); otherwise the transport closes at once. A lingering close
   * lets a POST in flight finish (its packets are delivered) before the transport reports closed;
   * POSTs that come before the `1` was sent are still taken, later ones are answered 400.
   */
  close(options: { linger?: boolean } = {}): void {
    if (this.#state === "closed") return;
    if (this.#state === "closing") {
      // A close that may not linger cuts a lingering one short (server shutdown, socket closed).
      if (options.linger !== true && (this.#linger || this.#closeAfterPost || this.#posting !== undefined)) {
        this.#linger = false;
        this.#closeTimer?.cancel();
        this.#abortPost();
        if (this.#closeAfterPost) this.#finishClose();
        else if (!this.#writing) this.#continueClose();
      }
      return;
    }
    this.#state = "closing";
    this.#linger = options.linger === true;
    if (!this.#linger) this.#abortPost();
    if (!this.#writing) this.#continueClose();
  }

  #drained(): void {
    this[kSink]?.[kOnDrain]();
    this.emit("drain");
  }

  #continueClose(): void {
    if (this.#poll !== undefined) this.send([]);
    else if (this.#linger) {
      this.#closeTimer = this.#options.scheduler.setTimeout(() => this.#finishAfterPost(), this.#options.closeTimeout);
      this.#closeTimer.unref();
    } else this.#finishAfterPost();
  }

  /** Closes now, or once the POST in flight has delivered its packets. */
  #finishAfterPost(): void {
    if (this.#posting !== undefined) this.#closeAfterPost = true;
    else this.#finishClose();
  }

  /** Drops the transport (after an upgrade): a pending GET gets a `6` noop, nothing waits. */
  discard(): void {
    if (this.#state === "closed") return;
    this.#abortPost();
    if (this.#poll !== undefined && !this.#writing) {
      const poll = this.#poll;
      this.#write(poll, "6", false);
    }
    this.#poll = undefined;
    this.#finishClose();
  }

  #onPoll(req: IncomingMessage, res: ServerResponse): void {
    if (this.#poll !== undefined) {
      sendStatus(res, 400);
      this.#fail("overlap from client");
      return;
    }
    if (this.#state === "closed" || this.#closeSent) {
      sendStatus(res, 400);
      return;
    }
    this.#poll = { req, res };
    // A client that goes away while its poll is held closes the connection: `end` on the socket
    // (the peer's FIN, seen before Node tears the half-open connection down) is the first sign.
    // A poll cut short is a transport error, as in engine.io ("poll connection closed prematurely").
    const socket = req.socket;
    // `close` comes after `finish` too, so this one listener also removes the `end` one.
    const gone = (): void => {
      socket.off("end", gone);
      res.off("close", gone);
      if (this.#poll?.res === res && !res.writableEnded) {
        this.#poll = undefined;
        if (this.#state === "open") this.#fail("poll connection closed prematurely");
        else this.#finishClose();
      }
    };
    socket.on("end", gone);
    res.on("close", gone);
    if (this.#state === "closing") {
      this.#closeTimer?.cancel();
      // The GET that fetches a pending close gets `6␞1`, as engine.io answers it.
      if (!this.#writing) this.send(CLOSE_NOOP);
      return;
    }
    this[kSink]?.[kOnReady]();
    this.emit("ready");
  }

  async #onData(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#posting !== undefined) {
      sendStatus(res, 400);
      this.#fail("data request overlap from client");
      return;
    }
    if (req.headers["content-type"] === "application/octet-stream") {
      sendStatus(res, 400);
      this.#fail("invalid content");
      return;
    }
    // Once the `1` is on its way the client may not learn of a later POST: 400 says "not delivered".
    if (this.#state === "closed" || this.#closeSent) {
      sendStatus(res, 400);
      return;
    }
    this.#posting = req;
    const result = await readBody(req, {
      maxBytes: this.#options.maxHttpBufferSize,
      timeoutMs: this.#bodyTimeout,
      scheduler: this.#options.scheduler,
    });
    if (!result.ok) {
      if (this.#posting === req) this.#posting = undefined;
      if (result.reason === "too-large") sendStatus(res, 413, true);
      else if (result.reason === "timeout") sendStatus(res, 408, true);
      const what = { "too-large": "payload too large", timeout: "body read timeout", aborted: "data request closed prematurely" };
      this.#fail(what[result.reason], result.reason === "too-large" ? "HW_ERR_PAYLOAD_TOO_LARGE" : undefined);
      if (this.#closeAfterPost) this.#finishClose();
      return;
    }
    if ((this.#state as PollingState) === "closed") {
      sendStatus(res, 400);
      return;
    }
    const headers: OutgoingHttpHeaders = { "Content-Type": "text/html", "Content-Length": 2, "cache-control": "no-store" };
    this.#decorate(headers, req);
    if (!res.headersSent) {
      this.#lastOnConnection(res);
      res.writeHead(200, headers);
      res.end("ok");
    }
    try {
      this.#deliver(result.body);
    } finally {
      if (this.#posting === req) this.#posting = undefined;
      if (this.#closeAfterPost) this.#finishClose();
    }
  }

  /**
   * Once the session is closing, its answers close their HTTP connection: kept alive, it would
   * carry the client's next requests (a new handshake) back to this server, which is going away,
   * instead of to one that stays. Until then they stay on the connections that reach this server.
   */
  #lastOnConnection(res: ServerResponse): void {
    if (this.#state !== "open") res.shouldKeepAlive = false;
  }

  /** Hands the packets of a POST body to the socket (also while closing: the client sent them before it knew). */
  #deliver(body: string): void {
    const decoded = decodePayload(body, { maxPackets: this.#options.maxPacketsPerPayload, binary: asBuffer });
    if (!decoded.ok) {
      this[kSink]?.[kOnParseError]();
      this.emit("parseError", decoded.error);
      return;
    }
    for (const packet of decoded.value) {
      if (this.#state === "closed") return;
      if (packet.type === "close") {
        this.#onPeerClose();
        return;
      }
      this[kSink]?.[kOnPacket](packet);
      this.emit("packet", packet);
    }
  }

  /** The client POSTed `1`: release a pending GET with a noop, then close. */
  #onPeerClose(): void {
    if (this.#poll !== undefined && !this.#writing) this.#write(this.#poll, "6", false);
    this.#poll = undefined;
    this.#finishClose();
  }

  #abortPost(): void {
    const post = this.#posting;
    this.#posting = undefined;
    if (post !== undefined) post.destroy();
  }

  #fail(message: string, code: "HW_ERR_TRANSPORT" | "HW_ERR_PAYLOAD_TOO_LARGE" = "HW_ERR_TRANSPORT"): void {
    if (this.#state === "closed") return;
    const error = new HeartwireError(code, message);
    this[kSink]?.[kOnError](error);
    this.emit("error", error);
  }

  #finishClose(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#closeTimer?.cancel();
    this.#abortPost();
    const poll = this.#poll;
    this.#poll = undefined;
    if (poll !== undefined) sendStatus(poll.res, 400);
    this[kSink]?.[kOnClose]();
    this.emit("close");
  }

  /** The last say on a response's headers: IE's XSS filter off, the server's events, then this transport's `headers` event. */
  #decorate(headers: OutgoingHttpHeaders, req: IncomingMessage): void {
    const agent = req.headers["user-agent"];
    // Old IE's XSS filter mangles polling responses (engine.io sends the same header).
    if (agent !== undefined && (agent.includes(";MSIE") || agent.includes("Trident/"))) headers["X-XSS-Protection"] = "0";
    this.#options.hooks.headers(headers, req, this.#sid);
    this.emit("headers", headers, req);
  }

  /**
   * Writes one poll response (compressed when worthwhile); `done` runs once it finished or the
   * connection is gone. Without compression it all happens synchronously, no promise involved.
   */
  #write(poll: PendingPoll, payload: string, wantsCompression: boolean, done?: () => void): void {
    const body = Buffer.from(payload, "utf8");
    const settings = this.#options.httpCompression;
    if (settings && wantsCompression && body.length >= settings.threshold) {
      const coding = chooseEncoding(poll.req);
      if (coding !== undefined) {
        compress(body, coding, settings.level).then(
          (compressed) => this.#respond(poll, compressed ?? body, compressed === undefined ? undefined : coding, done),
          () => this.#respond(poll, body, undefined, done),
        );
        return;
      }
    }
    this.#respond(poll, body, undefined, done);
  }

  #respond(poll: PendingPoll, body: Buffer, coding: string | undefined, done: (() => void) | undefined): void {
    const { req, res } = poll;
    const headers: OutgoingHttpHeaders = { "Content-Type": "text/plain; charset=UTF-8", "cache-control": "no-store" };
    if (coding !== undefined) {
      headers["Content-Encoding"] = coding;
      headers["Vary"] = "Accept-Encoding";
    }
    headers["Content-Length"] = body.length;
    this.#decorate(headers, req);
    if (res.headersSent || res.destroyed) {
      done?.();
      return;
    }
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      res.off("close", finish);
      done?.();
    };
    if (done !== undefined) res.on("close", finish);
    try {
      this.#lastOnConnection(res);
      res.writeHead(200, headers);
      res.end(body, done === undefined ? undefined : finish);
    } catch (error) {
      // A header a listener set that HTTP cannot carry: drop this response, fail the transport.
      res.destroy();
      this.#fail(`cannot write poll response: ${error instanceof Error ? error.message : String(error)}`);
      finish();
    }
  }
}
