/**
 * @module The `npm start` demo in Chromium: the page reaches "open" over websocket (after the
 * polling upgrade), plots RTT samples, lists itself among the connected clients, and the "pause the
 * server's heartbeats" button has a real effect the page notices ("ping timeout", then reconnect).
 * Screenshots go to test/artifacts/ (git-ignored).
 */

import { expect } from "chai";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { startChildPeer, type ChildPeer } from "./helpers/child-peer.js";
import { chromiumAvailable, ensureBundles, launchChromium } from "./helpers/browser.js";

const DEMO = fileURLToPath(new URL("../../demo/server.mjs", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).trim();
}

describe("browser: the demo page", function () {
  let browser: Browser | undefined;
  let demo: ChildPeer | undefined;
  let page: Page | undefined;

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    await ensureBundles();
    demo = await startChildPeer(DEMO, ["--port", "0", "--json"]);
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  });

  beforeEach(async () => {
    page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(10_000);
  });

  afterEach(async () => {
    await page?.close();
  });

  after(async () => {
    await browser?.close();
    await demo?.kill();
  });

  it("reaches open over websocket, plots RTT samples and lists itself (screenshot: test/artifacts/demo.png)", async () => {
    const errors: string[] = [];
    page!.on("pageerror", (error) => errors.push(error.message));
    await page!.goto(`http://127.0.0.1:${String(demo!.ready["port"])}/`);
    await page!.waitForFunction("document.getElementById('state').textContent === 'open'");
    await page!.waitForFunction("document.getElementById('transport').textContent === 'websocket'");
    expect(await text(page!, "#transport-history")).to.equal("polling → websocket");
    expect(await text(page!, "#ping-interval")).to.equal("1000");
    expect(await text(page!, "#ping-timeout")).to.equal("2000");
    // pingInterval is 1 s: two RTT samples need about three pings.
    await page!.waitForFunction("Number(document.getElementById('rtt-count').textContent) >= 2", undefined, { timeout: 8000 });
    expect(await text(page!, "#rtt-latest")).to.match(/^\d+\.\d+ ms$/);
    await page!.waitForFunction("document.querySelector('#client-rows tr.you') !== null");
    expect(await text(page!, "#client-rows tr.you td:nth-child(2)")).to.equal("websocket");
    expect(Number(await text(page!, "#client-count"))).to.be.at.least(1);
    expect(errors).to.deep.equal([]);
    await page!.screenshot({ path: `${ARTIFACTS}demo.png`, fullPage: true });
  });

  it("proposes a faster heartbeat; pausing the server is noticed as 'ping timeout' and the page reconnects", async () => {
    await page!.goto(`http://127.0.0.1:${String(demo!.ready["port"])}/`);
    await page!.waitForFunction("document.getElementById('state').textContent === 'open'");
    await page!.fill("#propose-interval", "500");
    await page!.fill("#propose-timeout", "100"); // below the server's range: clamped to 500
    await page!.click("#propose button");
    await page!.waitForFunction("document.getElementById('bound').textContent === '1000'");
    expect(await text(page!, "#negotiation")).to.contain("pingTimeout 100 ms clamped to 500 ms");
    await page!.waitForFunction("document.getElementById('transport').textContent === 'websocket'");
    await page!.fill("#pause-seconds", "2");
    await page!.click("#pause");
    // Bound 500 + 500 ms; the page must say so within it (plus slack only a deadline that never
    // fires misses: a loaded machine may wake up late), then come back.
    await page!.waitForFunction("document.getElementById('timeline').textContent.includes('noticed \"ping timeout\"')", undefined, { timeout: 4000 });
    const notice = await text(page!, "#timeline li.bad:has-text('ping timeout')");
    const after = Number(/after (\d+\.\d+) s without/.exec(notice)?.[1]);
    expect(after, notice).to.be.at.most(1.0 + 2.5);
    await page!.waitForFunction("document.getElementById('timeline').textContent.includes('reconnected after')", undefined, { timeout: 8000 });
    await page!.waitForFunction("document.getElementById('state').textContent === 'open'");
    await page!.waitForFunction("document.getElementById('timeline').textContent.includes('server resumed after')", undefined, { timeout: 4000 });
    await page!.screenshot({ path: `${ARTIFACTS}demo-pause.png`, fullPage: true });
  });
});
