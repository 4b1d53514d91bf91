/**
 * @module The Node host: `ws` for WebSocket, global `fetch` for polling (a plain `node:http(s)`
 * request once the socket is unref'd, because a pending fetch cannot be unref'd, and when the
 * socket has an `agent`, TLS options or a `socketPath`, which fetch cannot take), a cookie jar when
 * `withCredentials` is set, and `unref()` on every connection the socket opened.
 */

import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import WebSocket from "ws";
import { asArrayBuffer, HeartwireError, type Scheduler, type TimerHandle } from "@heartwire/shared";
import { CookieJar } from "../cookie-jar.js";
import { checkNodeOptions } from "./node-options.js";
import type {
  BinaryMessage,
  BinaryType,
  HostIO,
  HostIOOptions,
  HttpReply,
  HttpRequestInit,
  Host,
  PageLocation,
  WebSocketLike,
  WebSocketOpenOptions,
} from "./platform.js";

/** The socket options that are TLS settings, passed to https requests and to `ws` as they are. */
const TLS_OPTIONS = ["ca", "cert", "key", "pfx", "passphrase", "ciphers", "rejectUnauthorized"] as const;

type TlsSettings = Partial<Pick<HostIOOptions, (typeof TLS_OPTIONS)[number]>>;

/** How long `ws` waits for the server's half of a closing handshake before dropping the connection, ms. */
const WS_CLOSE_TIMEOUT = 5000;

/** What Node's HTTP client calls on an agent (not in its public typings). */
interface AgentInternals {
  addRequest(request: http.ClientRequest, options: unknown): unknown;
}

type ConnectOptions = net.NetConnectOpts & tls.ConnectionOptions & { socketPath?: string; host?: string };

/** The network layer of one Node socket. */
class NodeIO implements HostIO {
  readonly #jar: CookieJar | undefined;
  readonly #sockets = new Set<net.Socket>();
  /** TLS options the user set (none: undefined), for https polling and wss. */
  readonly #tls: TlsSettings | undefined;
  readonly #agent: http.Agent | undefined;
  /** A Unix socket every connection goes to (the URI then only names the Host header). */
  readonly #socketPath: string | undefined;
  #trackedAgent: http.Agent | undefined;
  readonly #perMessageDeflate: HostIOOptions["perMessageDeflate"];
  #unrefed = false;
  /** Armed timers of the schedulers {@link NodeIO.timers} wrapped, which unref()/ref() reach. */
  readonly #timers = new Set<TimerHandle>();

  constructor(options: HostIOOptions) {
    checkNodeOptions(options);
    this.#jar = options.withCredentials ? new CookieJar(() => options.scheduler.now()) : undefined;
    const tls = Object.fromEntries(TLS_OPTIONS.filter((name) => options[name] !== undefined).map((name) => [name, options[name]]));
    this.#tls = Object.keys(tls).length > 0 ? (tls as TlsSettings) : undefined;
    // `false` (engine.io-client's default) means no agent, as leaving it out does.
    this.#agent = (options.agent || undefined) as http.Agent | undefined;
    this.#perMessageDeflate = options.perMessageDeflate;
    this.#socketPath = options.socketPath;
  }

  get unrefed(): boolean {
    return this.#unrefed;
  }

  unref(): void {
    this.#unrefed = true;
    for (const socket of this.#sockets) socket.unref();
    for (const timer of this.#timers) timer.unref();
  }

  ref(): void {
    this.#unrefed = false;
    for (const socket of this.#sockets) socket.ref();
    for (const timer of this.#timers) timer.ref();
  }

  timers(scheduler: Scheduler): Scheduler {
    const armed = this.#timers;
    return {
      now: () => scheduler.now(),
      setTimeout: (callback, delay) => {
        const timer = scheduler.setTimeout(() => {
          armed.delete(handle);
          callback();
        }, delay);
        const handle: TimerHandle = {
          get pending() {
            return timer.pending;
          },
          cancel() {
            armed.delete(handle);
            timer.cancel();
          },
          refresh(next) {
            armed.add(handle);
            timer.refresh(next);
          },
          unref: () => timer.unref(),
          ref: () => timer.ref(),
        };
        armed.add(handle);
        if (this.#unrefed) timer.unref();
        return handle;
      },
    };
  }

  request(url: string, init: HttpRequestInit): Promise<HttpReply> {
    const headers: Record<string, string> = { ...init.headers };
    const cookie = this.#jar?.cookieHeader(url);
    if (cookie !== undefined) headers["cookie"] = cookie;
    const plain = this.#unrefed || this.#agent !== undefined || this.#tls !== undefined || this.#socketPath !== undefined;
    return plain ? this.#httpRequest(url, init, headers) : this.#fetch(url, init, headers);
  }

  openWebSocket(url: string, headers: Readonly<Record<string, string>>, options: WebSocketOpenOptions = {}): WebSocketLike {
    const all: Record<string, string> = { ...headers };
    const cookie = this.#jar?.cookieHeader(url);
    if (cookie !== undefined) all["cookie"] = cookie;
    // ws calls `createConnection(options)` with the request options, like its own net/tls connectors
    // (it drops a `socketPath` option: ours is applied in #connect and #trackingAgent).
    const connect = (options: ConnectOptions): net.Socket => this.#connect(options, url.startsWith("wss:"));
    // With an agent (a proxy agent, say) the agent makes the connection; it is tracked from the
    // moment the agent hands it to the handshake request.
    const wsOptions = {
      ...this.#tls,
      headers: all,
      closeTimeout: WS_CLOSE_TIMEOUT,
      ...(this.#agent !== undefined ? { agent: this.#trackingAgent() } : { createConnection: connect }),
      ...(options.maxPayload ? { maxPayload: options.maxPayload } : {}),
      ...(this.#perMessageDeflate !== undefined ? { perMessageDeflate: this.#perMessageDeflate } : {}),
    };
    const protocols = options.protocols === undefined ? [] : typeof options.protocols === "string" ? [options.protocols] : [...options.protocols];
    const ws = new WebSocket(url, protocols, wsOptions as unknown as WebSocket.ClientOptions);
    ws.on("upgrade", (response) => this.#storeCookies(url, response.headers));
    return ws as unknown as WebSocketLike;
  }

  async #fetch(url: string, init: HttpRequestInit, headers: Record<string, string>): Promise<HttpReply> {
    const response = await fetch(url, { method: init.method, headers, body: init.body, signal: init.signal });
    if (this.#jar) this.#jar.setCookies(response.headers.getSetCookie(), url, response.headers.get("date"));
    const maxBytes = init.maxBytes;
    return { status: response.status, text: () => (maxBytes === undefined ? response.text() : readLimited(response, maxBytes)) };
  }

  #httpRequest(url: string, init: HttpRequestInit, headers: Record<string, string>): Promise<HttpReply> {
    return new Promise<HttpReply>((resolve, reject) => {
      const send = url.startsWith("https:") ? https.request : http.request;
      const options = { ...this.#tls, ...(this.#socketPath !== undefined ? { socketPath: this.#socketPath } : {}), method: init.method, headers, signal: init.signal, agent: this.#agent ?? false };
      const request = send(url, options as https.RequestOptions, (response) => {
        this.#storeCookies(url, response.headers);
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (init.maxBytes !== undefined && size > init.maxBytes) {
            request.destroy();
            reject(new HeartwireError("HW_ERR_PAYLOAD_TOO_LARGE", `response larger than ${init.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("error", reject);
        response.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode ?? 0, text: () => Promise.resolve(body) });
        });
      });
      request.on("socket", (socket) => this.#track(socket));
      request.on("error", reject);
      request.end(init.body);
    });
  }

  #connect(options: ConnectOptions, secure: boolean): net.Socket {
    // Same adjustments as ws' own connectors: `path` is the request path, not an IPC path.
    const path = this.#socketPath ?? options.socketPath;
    let socket: net.Socket;
    if (secure) {
      const servername = options.servername ?? (net.isIP(options.host ?? "") ? "" : options.host);
      socket = tls.connect({ ...options, path, servername } as tls.ConnectionOptions);
    } else {
      socket = net.connect({ ...options, path } as net.NetConnectOpts);
    }
    this.#track(socket);
    return socket;
  }

  /**
   * The user's agent, seen through a proxy whose `addRequest` (what Node's HTTP client calls to get
   * a connection) also tracks that connection, so `unref()` covers a WebSocket still connecting,
   * and puts back the `socketPath` that ws leaves out of its request options.
   * `ws` does not expose its handshake request; everything else goes to the agent itself.
   */
  #trackingAgent(): http.Agent {
    const agent = this.#agent!;
    return (this.#trackedAgent ??= new Proxy(agent, {
      get: (target, property) => {
        if (property === "addRequest") {
          return (request: http.ClientRequest, options: object): unknown => {
            request.once("socket", (socket) => this.#track(socket));
            const connectTo = this.#socketPath === undefined ? options : { ...options, socketPath: this.#socketPath };
            return (target as unknown as AgentInternals).addRequest(request, connectTo);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    }));
  }

  #track(socket: net.Socket): void {
    if (this.#sockets.has(socket)) return;
    this.#sockets.add(socket);
    if (this.#unrefed) socket.unref();
    socket.once("close", () => this.#sockets.delete(socket));
  }

  #storeCookies(url: string, headers: http.IncomingHttpHeaders): void {
    const setCookie = headers["set-cookie"];
    if (this.#jar && setCookie) this.#jar.setCookies(setCookie, url, headers["date"]);
  }
}

/** Reads a fetch body as UTF-8, giving up (and cancelling the body) past `maxBytes`. */
async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new HeartwireError("HW_ERR_PAYLOAD_TOO_LARGE", `response larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

function decodeBinary(bytes: Uint8Array, binaryType: BinaryType): BinaryMessage {
  if (binaryType === "arraybuffer") return asArrayBuffer(bytes);
  if (binaryType === "blob") return new Blob([asArrayBuffer(bytes)]);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The Node host: `ws`, fetch/http, cookie jar, unref; no page lifecycle. A global `location` (jsdom
 * and happy-dom set one, and so does engine.io-client's test suite) gives the defaults, as in
 * engine.io-client.
 */
export const nodeHost: Host = Object.freeze({
  defaultBinaryType: "nodebuffer" as const,
  createIO: (options: HostIOOptions): HostIO => new NodeIO(options),
  decodeBinary,
  location: () => (globalThis as { location?: PageLocation }).location,
  watchLifecycle: () => () => {},
});
