/**
 * @module The browser entry, loaded in Node with stand-in page globals: same exports as the Node
 * entry, page location as default URI, ArrayBuffer binary, and the page lifecycle hooks
 * (visibilitychange / pageshow / online re-check the heartbeat; offline and beforeunload close).
 */

import { expect } from "chai";
import * as nodeEntry from "@heartwire/client";
import { FakeScheduler } from "@heartwire/shared/testing";
import { FakeIO, openPacket, settle } from "./helpers/fake-io.js";

type Entry = typeof import("@heartwire/client");

interface PageGlobals {
  window: EventTarget;
  document: EventTarget & { visibilityState: string };
  restore(): void;
}

function installPage(location = { protocol: "https:", hostname: "app.example", port: "8443" }): PageGlobals {
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = ["addEventListener", "removeEventListener", "document", "location"].map((k) => [k, Object.getOwnPropertyDescriptor(g, k)] as const);
  const window = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState: "visible" });
  g["addEventListener"] = window.addEventListener.bind(window);
  g["removeEventListener"] = window.removeEventListener.bind(window);
  g["document"] = document;
  g["location"] = location;
  return {
    window,
    document,
    restore: () => {
      for (const [k, d] of saved) {
        if (d) Object.defineProperty(g, k, d);
        else delete g[k];
      }
    },
  };
}

describe("browser entry", () => {
  let browser: Entry;
  let page: PageGlobals;

  before(async () => {
    browser = (await import(new URL("../dist/index.browser.js", import.meta.url).href)) as Entry;
  });
  beforeEach(() => {
    page = installPage();
  });
  afterEach(() => page.restore());

  it("exports the same names as the Node entry", () => {
    expect(Object.keys(browser).sort()).to.deep.equal(Object.keys(nodeEntry).sort());
  });

  async function openBrowserSocket(options: Record<string, unknown> = {}) {
    const io = new FakeIO();
    const scheduler = new FakeScheduler();
    const socket = new browser.Socket({ transports: ["websocket"], io, scheduler, ...options });
    const closes: Array<[string, unknown]> = [];
    socket.on("close", (r, d) => closes.push([r, d]));
    await settle();
    io.lastSocket.accept();
    io.lastSocket.deliver(openPacket({ pingInterval: 1000, pingTimeout: 500 }));
    return { io, scheduler, socket, closes };
  }

  it("defaults the URI to the page location and binaryType to arraybuffer", async () => {
    const { io, socket } = await openBrowserSocket();
    expect(new URL(io.lastSocket.url).origin).to.equal("wss://app.example:8443");
    expect(socket.binaryType).to.equal("arraybuffer");
    let got: unknown;
    socket.on("message", (m) => (got = m));
    io.lastSocket.deliver(new Uint8Array([5]));
    expect(got).to.be.instanceOf(ArrayBuffer);
    socket.close();
    await settle();
  });

  for (const event of ["visibilitychange", "pageshow", "online"]) {
    it(`'${event}' after a sleep closes with 'ping timeout' at once`, async () => {
      const { scheduler, closes } = await openBrowserSocket();
      scheduler.jump(60_000); // the tab slept: no timer fired
      (event === "visibilitychange" ? page.document : page.window).dispatchEvent(new Event(event));
      await settle();
      expect(closes.map((c) => c[0])).to.deep.equal(["ping timeout"]);
    });
  }

  it("a wake-up while the deadline holds changes nothing", async () => {
    const { scheduler, socket, closes } = await openBrowserSocket();
    scheduler.jump(1000);
    page.window.dispatchEvent(new Event("pageshow"));
    await settle();
    expect(closes).to.deep.equal([]);
    socket.close();
    await settle();
  });

  it("'offline' closes with 'transport close' (network connection lost); not for localhost", async () => {
    const { closes } = await openBrowserSocket();
    page.window.dispatchEvent(new Event("offline"));
    expect(closes).to.deep.equal([["transport close", { description: "network connection lost" }]]);
    page.restore();
    page = installPage({ protocol: "http:", hostname: "localhost", port: "3000" });
    const local = await openBrowserSocket();
    page.window.dispatchEvent(new Event("offline"));
    expect(local.closes).to.deep.equal([]);
    local.socket.close();
    await settle();
  });

  it("closeOnBeforeunload closes silently; listeners are removed on close", async () => {
    const { socket, closes, io } = await openBrowserSocket({ closeOnBeforeunload: true });
    page.window.dispatchEvent(new Event("beforeunload"));
    expect(socket.readyState).to.equal("closed");
    expect(closes).to.deep.equal([]);
    expect(io.lastSocket.closeCalls).to.equal(1);
    const other = await openBrowserSocket();
    other.socket.close();
    await settle();
    page.window.dispatchEvent(new Event("offline"));
    expect(other.closes.map((c) => c[0])).to.deep.equal(["forced close"]);
  });
});
