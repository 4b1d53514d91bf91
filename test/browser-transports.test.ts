/**
 * @module The browser bundle in real Chromium against our server: opening on websocket, on
 * polling, and polling → websocket upgrade; echo of text, binary and Unicode on each transport;
 * the `protocols` and `transportOptions` options as the server sees them.
 */

import { expect } from "chai";
import type { Browser } from "playwright-core";
import {
  chromiumAvailable,
  ensureBundles,
  launchChromium,
  openHarnessPage,
  originOf,
  startBrowserServer,
  type PageSocket,
} from "./helpers/browser.js";

const UNICODE = "héllo wörld — 日本語 — 🚀🌍 — \u0000 — \ud83d\ude00";
const BYTES = [0, 1, 2, 127, 128, 254, 255];

async function echo(socket: PageSocket): Promise<unknown[]> {
  const from = (await socket.log()).length;
  await socket.send({ text: "hello" });
  await socket.send({ bytes: BYTES });
  await socket.send({ text: UNICODE });
  const third = await socket.waitFor("message", { from, count: 3 });
  const log = await socket.log();
  expect(third.index).to.be.greaterThan(0);
  return log.slice(from).filter((r) => r.event === "message").map((r) => r.args[0]);
}

describe("browser: transports in Chromium", function () {
  let browser: Browser | undefined;

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    await ensureBundles();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  it("opens on websocket and echoes text, binary and Unicode", async () => {
    await using server = await startBrowserServer();
    await using page = await openHarnessPage(browser!, originOf(server));
    const socket = await page.open({ transports: ["websocket"] });
    const open = await socket.waitFor("open");
    expect(open.transport).to.equal("websocket");
    expect((await socket.state()).readyState).to.equal("open");
    expect(await echo(socket)).to.deep.equal(["hello", { binary: BYTES }, UNICODE]);
  });

  it("offers the `protocols` option as WebSocket subprotocols", async () => {
    await using server = await startBrowserServer();
    await using page = await openHarnessPage(browser!, originOf(server));
    const socket = await page.open({ transports: ["websocket"], protocols: ["hw.v2", "hw.v1"] });
    expect((await socket.waitFor("open")).transport).to.equal("websocket");
    const connection = await server.waitForReport((r) => r["event"] === "connection", 2000);
    expect(String(connection["protocols"]).split(/,\s*/)).to.deep.equal(["hw.v2", "hw.v1"]);
  });

  it("transportOptions: a header on polling only and a query on websocket only, across the upgrade", async () => {
    await using server = await startBrowserServer();
    await using page = await openHarnessPage(browser!, originOf(server));
    const socket = await page.open({
      transportOptions: { polling: { extraHeaders: { "x-lane": "polling" } }, websocket: { query: { lane: "ws" } } },
    });
    expect((await socket.waitFor("upgrade")).args[0]).to.deep.equal({ transport: "websocket" });
    await server.waitForReport((r) => r["event"] === "request" && r["transport"] === "websocket", 2000);
    const requests = server.reports.filter((r) => r["event"] === "request");
    const polling = requests.filter((r) => r["transport"] === "polling");
    expect(polling.length).to.be.greaterThan(0);
    for (const r of polling) expect(r).to.include({ laneHeader: "polling", lane: null });
    expect(requests.filter((r) => r["transport"] === "websocket")).to.deep.equal([
      { event: "request", transport: "websocket", lane: "ws" },
    ]);
  });

  it("opens on polling (no upgrade) and echoes text, binary and Unicode", async () => {
    await using server = await startBrowserServer();
    await using page = await openHarnessPage(browser!, originOf(server));
    const socket = await page.open({ transports: ["polling"], upgrade: false });
    expect((await socket.waitFor("open")).transport).to.equal("polling");
    expect(await echo(socket)).to.deep.equal(["hello", { binary: BYTES }, UNICODE]);
    expect((await socket.state()).transport).to.equal("polling");
  });

  it("upgrades from polling to websocket and keeps echoing", async () => {
    await using server = await startBrowserServer();
    await using page = await openHarnessPage(browser!, originOf(server));
    const socket = await page.open();
    expect((await socket.waitFor("open")).transport).to.equal("polling");
    const upgrade = await socket.waitFor("upgrade");
    expect(upgrade.args[0]).to.deep.equal({ transport: "websocket" });
    expect((await socket.state()).transport).to.equal("websocket");
    expect(await echo(socket)).to.deep.equal(["hello", { binary: BYTES }, UNICODE]);
    const closes = (await socket.log()).filter((r) => r.event === "close" || r.event === "error");
    expect(closes).to.deep.equal([]);
  });
});
