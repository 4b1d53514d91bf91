/**
 * @module The browser host: native `WebSocket` and `fetch`, ArrayBuffer (or Blob) binary, the
 * page location as default URI, and page lifecycle hooks — `visibilitychange` (to visible),
 * `pageshow` and `online` make the socket check its heartbeat deadline at once, so a throttled tab
 * or a laptop waking from sleep notices a dead connection before writing into it.
 */

import { asArrayBuffer } from "@heartwire/shared";
import { page, watchPage } from "../page-hooks.js";
import type { Host, HostIO, WebSocketLike } from "./platform.js";

/** The browser host; the browser entries add their transports. */
export const browserHost: Host = {
  defaultBinaryType: "arraybuffer",
  createIO: ({ withCredentials }): HostIO => ({
    unrefed: false,
    unref() {},
    ref() {},
    async request(url, { method, headers, body, signal }) {
      const response = await fetch(url, { method, headers, body, signal, credentials: withCredentials ? "include" : "omit" });
      return { status: response.status, text: () => response.text() };
    },
    // Browsers cannot set headers on a WebSocket handshake; extraHeaders apply to polling only.
    openWebSocket: (url, _headers, options) => new WebSocket(url, options?.protocols as string | string[] | undefined) as unknown as WebSocketLike,
  }),
  decodeBinary: (bytes, binaryType) =>
    binaryType === "nodebuffer" ? bytes : binaryType === "blob" ? new Blob([asArrayBuffer(bytes)]) : asArrayBuffer(bytes),
  location: () => page.location,
  watchLifecycle: watchPage,
};
