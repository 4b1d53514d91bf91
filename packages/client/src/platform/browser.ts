/**
 * @module The browser host: native `WebSocket` and `fetch`, ArrayBuffer (or Blob) binary, the
 * page location as default URI, and page lifecycle hooks — `visibilitychange` (to visible),
 * `pageshow` and `online` make the socket check its heartbeat deadline at once, so a throttled tab
 * or a laptop waking from sleep notices a dead connection before writing into it.
 */

import { asArrayBuffer } from "@heartwire/shared";
import { page, watchPage } from "../page-hooks.js";
import type { Host, HostIO, WebSocketLike } from "./platform.js";

/** Opens a native WebSocket. Browsers cannot set handshake headers: extraHeaders apply to polling only. */
const openWebSocket: HostIO["openWebSocket"] = (url, _headers, options) =>
  new WebSocket(url, options?.protocols as string | string[] | undefined) as unknown as WebSocketLike;

/** The browser host, websocket only; the browser entries add their transports (and {@link fetchIO}). */
export const browserHost: Host = {
  defaultBinaryType: "arraybuffer",
  createIO: () => ({ unrefed: false, unref() {}, ref() {}, openWebSocket }),
  decodeBinary: (bytes, binaryType) =>
    binaryType === "nodebuffer" ? bytes : binaryType === "blob" ? new Blob([asArrayBuffer(bytes)]) : asArrayBuffer(bytes),
  location: () => page.location,
  watchLifecycle: watchPage,
};

/** The browser's network layer with polling: {@link browserHost}'s plus `fetch` (CORS credentials when `withCredentials`). */
export const fetchIO: Host["createIO"] = ({ withCredentials }) => ({
  unrefed: false,
  unref() {},
  ref() {},
  openWebSocket,
  async request(url, { method, headers, body, signal }) {
    const response = await fetch(url, { method, headers, body, signal, credentials: withCredentials ? "include" : "omit" });
    return { status: response.status, text: () => response.text() };
  },
});
