/** @module A scripted network for unit tests: fake WebSockets and HTTP requests the test answers. */

import type { HostIO, HttpReply, HttpRequestInit, WebSocketCloseInfo, WebSocketLike } from "@heartwire/client";

/** A WebSocket whose server side the test plays. */
export class FakeWebSocket implements WebSocketLike {
  binaryType = "blob";
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: WebSocketCloseInfo) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** What the fake reports as not yet transmitted; tests set it to play a server that stopped reading. */
  bufferedAmount = 0;
  /** Frames the client sent (binary as Uint8Array). */
  readonly sent: Array<string | Uint8Array> = [];
  closeCalls = 0;
  terminated = false;

  constructor(readonly url: string, readonly headers: Readonly<Record<string, string>>) {}

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState !== 1) throw new Error("fake websocket not open");
    if (typeof data === "string") this.sent.push(data);
    else if (ArrayBuffer.isView(data)) this.sent.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
    else this.sent.push(new Uint8Array(data as ArrayBuffer).slice());
  }

  close(): void {
    this.closeCalls++;
    this.readyState = 3;
  }

  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }

  /** Server: accept the connection. */
  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Server: send a frame (a string, or bytes as an ArrayBuffer like a real binaryType "arraybuffer" socket). */
  deliver(data: string | Uint8Array): void {
    this.onmessage?.({ data: typeof data === "string" ? data : data.slice().buffer });
  }

  /** Server/network: the connection closed. */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }

  /** Network: an error (a close usually follows). */
  fail(message = "connect ECONNREFUSED"): void {
    this.onerror?.({ message });
  }
}

/** One HTTP request waiting for the test's answer. */
export interface FakeRequest {
  readonly url: URL;
  readonly method: "GET" | "POST";
  readonly body: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  answered: boolean;
  aborted: boolean;
  respond(status: number, body: string): void;
}

/** A {@link HostIO} whose every connection and request the test drives. */
export class FakeIO implements HostIO {
  readonly sockets: FakeWebSocket[] = [];
  readonly requests: FakeRequest[] = [];
  unrefed = false;

  request(url: string, init: HttpRequestInit): Promise<HttpReply> {
    return new Promise<HttpReply>((resolve, reject) => {
      const request: FakeRequest = {
        url: new URL(url),
        method: init.method,
        body: init.body,
        headers: init.headers,
        answered: false,
        aborted: false,
        respond: (status, body) => {
          if (request.answered || request.aborted) throw new Error("request already settled");
          request.answered = true;
          // Like fetch and http.request: a settled request stops listening to its signal.
          init.signal.removeEventListener("abort", onAbort);
          resolve({ status, text: () => Promise.resolve(body) });
        },
      };
      const onAbort = (): void => {
        if (request.answered) return;
        request.aborted = true;
        reject(new Error("aborted"));
      };
      init.signal.addEventListener("abort", onAbort);
      this.requests.push(request);
    });
  }

  openWebSocket(url: string, headers: Readonly<Record<string, string>>): WebSocketLike {
    const ws = new FakeWebSocket(url, headers);
    this.sockets.push(ws);
    return ws;
  }

  unref(): void {
    this.unrefed = true;
  }

  ref(): void {
    this.unrefed = false;
  }

  /** Requests not yet answered or aborted, optionally of one method. */
  pending(method?: "GET" | "POST"): FakeRequest[] {
    return this.requests.filter((r) => !r.answered && !r.aborted && (method === undefined || r.method === method));
  }

  /** The one pending request of `method` (throws if there is not exactly one). */
  only(method: "GET" | "POST"): FakeRequest {
    const pending = this.pending(method);
    if (pending.length !== 1) throw new Error(`expected one pending ${method}, found ${pending.length}`);
    return pending[0]!;
  }

  /** The most recently opened WebSocket. */
  get lastSocket(): FakeWebSocket {
    const ws = this.sockets.at(-1);
    if (!ws) throw new Error("no websocket opened");
    return ws;
  }
}

/** Lets pending promise callbacks and microtasks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** An open packet, as text (`0{...}`). */
export function openPacket(fields: { sid?: string; upgrades?: string[]; pingInterval?: number; pingTimeout?: number; maxPayload?: number } = {}): string {
  return "0" + JSON.stringify({
    sid: fields.sid ?? "sid-1",
    upgrades: fields.upgrades ?? [],
    pingInterval: fields.pingInterval ?? 1000,
    pingTimeout: fields.pingTimeout ?? 500,
    maxPayload: fields.maxPayload ?? 1_000_000,
  });
}
