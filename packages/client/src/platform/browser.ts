/**
 * @module The browser host: native `WebSocket` and `fetch`, ArrayBuffer (or Blob) binary, the
 * page location as default URI, and page lifecycle hooks — `visibilitychange` (to visible),
 * `pageshow` and `online` make the socket check its heartbeat deadline at once, so a throttled tab
 * or a laptop waking from sleep notices a dead connection before writing into it.
 */

import { asArrayBuffer } from "@heartwire/shared";
import type {
  BinaryMessage,
  BinaryType,
  HostIO,
  HostIOOptions,
  HttpReply,
  HttpRequestInit,
  LifecycleHandlers,
  Host,
  PageLocation,
  WebSocketLike,
} from "./platform.js";

/** The globals this module reads, all optional (it also loads in workers and in Node). */
interface BrowserGlobals {
  readonly WebSocket?: new (url: string) => WebSocketLike;
  readonly fetch?: typeof fetch;
  readonly location?: PageLocation;
  readonly document?: { readonly visibilityState?: string } & EventTarget;
  readonly addEventListener?: EventTarget["addEventListener"];
  readonly removeEventListener?: EventTarget["removeEventListener"];
}

const host = globalThis as unknown as BrowserGlobals;

/** The network layer of one browser socket. */
class BrowserIO implements HostIO {
  readonly #withCredentials: boolean;

  constructor(options: HostIOOptions) {
    this.#withCredentials = options.withCredentials;
  }

  get unrefed(): boolean {
    return false;
  }

  unref(): void {}

  ref(): void {}

  async request(url: string, init: HttpRequestInit): Promise<HttpReply> {
    if (!host.fetch) throw new Error("fetch is not available in this environment");
    const response = await host.fetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
      credentials: this.#withCredentials ? "include" : "omit",
    });
    return { status: response.status, text: () => response.text() };
  }

  openWebSocket(url: string): WebSocketLike {
    // Browsers cannot set headers on a WebSocket handshake; extraHeaders apply to polling only.
    if (!host.WebSocket) throw new Error("WebSocket is not available in this environment");
    return new host.WebSocket(url);
  }
}

function decodeBinary(bytes: Uint8Array, binaryType: BinaryType): BinaryMessage {
  if (binaryType === "blob") return new Blob([asArrayBuffer(bytes)]);
  if (binaryType === "nodebuffer") return bytes;
  return asArrayBuffer(bytes);
}

function watchLifecycle(handlers: LifecycleHandlers): () => void {
  const add = host.addEventListener?.bind(globalThis);
  const remove = host.removeEventListener?.bind(globalThis);
  if (!add || !remove) return () => {};
  const doc = host.document;
  const onVisibility = (): void => {
    if (doc?.visibilityState !== "hidden") handlers.wake();
  };
  const onWake = (): void => handlers.wake();
  const onOffline = handlers.offline ? (): void => handlers.offline?.() : undefined;
  const onUnload = handlers.beforeUnload ? (): void => handlers.beforeUnload?.() : undefined;
  doc?.addEventListener("visibilitychange", onVisibility);
  add("pageshow", onWake);
  add("online", onWake);
  if (onOffline) add("offline", onOffline);
  if (onUnload) add("beforeunload", onUnload);
  return () => {
    doc?.removeEventListener("visibilitychange", onVisibility);
    remove("pageshow", onWake);
    remove("online", onWake);
    if (onOffline) remove("offline", onOffline);
    if (onUnload) remove("beforeunload", onUnload);
  };
}

/** The browser host; the browser entries add their transports. */
export const browserHost: Host = Object.freeze({
  defaultBinaryType: "arraybuffer" as const,
  createIO: (options: HostIOOptions): HostIO => new BrowserIO(options),
  decodeBinary,
  location: (): PageLocation | undefined => {
    const loc = host.location;
    return loc ? { protocol: loc.protocol, hostname: loc.hostname, port: loc.port } : undefined;
  },
  watchLifecycle,
});
