/**
 * @module Liveness in real Chromium: the heartbeat keeps a quiet connection open for many
 * intervals; a frozen server (SIGSTOP) is noticed by the page within pingInterval + pingTimeout;
 * a ReconnectingSocket comes back after the server restarts; a visibilitychange round trip
 * (hidden → visible) changes nothing on a healthy connection.
 */

import { expect } from "chai";
import type { Browser } from "playwright-core";
import { startBrowserServer, chromiumAvailable, ensureBundles, launchChromium, openHarnessPage, originOf } from "./helpers/browser.js";

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
/**
 * Slack on top of pingInterval + pingTimeout for the frozen-server bound. It only catches a
 * deadline that never fires: on a loaded 2-core machine a wake-up can be late by a lot (the bound
 * itself is measured in Node by the load test test/load/liveness-fault.load.ts).
 */
const DETECTION_ALLOWANCE = 2500;

describe("browser: liveness in Chromium", function () {
  let browser: Browser | undefined;

  before(async function () {
    if (!chromiumAvailable()) return this.skip();
    await ensureBundles();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
  });

  // pingTimeout 1 s: Chromium on a loaded 2-core machine may answer a pong late, not lose it.
  it("the heartbeat keeps an idle connection open for several intervals, with RTT samples", async () => {
    await using server = await startBrowserServer(200, 1000);
    await using page = await openHarnessPage(browser!, originOf(server));
    const socket = await page.open({ transports: ["websocket"] });
    await socket.waitFor("open");
    // Eight pings ≈ 1.6 s: longer than pingInterval + pingTimeout would allow without pongs.
    await socket.waitFor("ping", { count: 8, timeoutMs: 8 * 200 + 5000 });
    const state = await socket.state();
    expect(state.readyState).to.equal("open");
    expect(state.pingInterval).to.equal(200);
    expect(state.pingTimeout).to.equal(1000);
    const log = await socket.log();
    expect(log.filter((r) => r.event === "close" || r.event === "error")).to.deep.equal([]);
    const rtts = log.filter((r) => r.event === "rtt").map((r) => r.args[0] as number);
    expect(rtts.length).to.be.at.least(4);
    for (const rtt of rtts) expect(rtt).to.be.a("number").and.at.least(0).and.below(1000);
    expect(server.reports.filter((r) => r["event"] === "close")).to.deep.equal([]);
  });

  for (const transports of [["websocket"], ["polling"]]) {
    it(`a frozen server (SIGSTOP) is detected in the page within pingInterval + pingTimeout (${transports[0]})`, async () => {
      await using server = await startBrowserServer(PING_INTERVAL, PING_TIMEOUT);
      await using page = await openHarnessPage(browser!, originOf(server));
      const socket = await page.open({ transports, upgrade: false });
      await socket.waitFor("open");
      await socket.waitFor("ping", { timeoutMs: PING_INTERVAL + 3000 });
      const frozenAt = await page.now();
      server.freeze();
      const close = await socket.waitFor("close", { timeoutMs: PING_INTERVAL + PING_TIMEOUT + 3000 });
      expect(close.args[0]).to.equal("ping timeout");
      const elapsed = close.at - frozenAt;
      expect(elapsed, `detected after ${elapsed.toFixed(0)} ms`).to.be.at.most(PING_INTERVAL + PING_TIMEOUT + DETECTION_ALLOWANCE);
    });
  }

  it("a ReconnectingSocket comes back after the server is killed and restarted on the same port", async () => {
    const first = await startBrowserServer(PING_INTERVAL, PING_TIMEOUT);
    const port = Number(first.ready["port"]);
    let second: Awaited<ReturnType<typeof startBrowserServer>> | undefined;
    try {
      await using page = await openHarnessPage(browser!, originOf(first));
      const socket = await page.open({ reconnectionDelay: 100, reconnectionDelayMax: 400 }, "reconnecting");
      await socket.waitFor("open");
      await first.kill();
      const closed = await socket.waitFor("close", { timeoutMs: 3000 });
      expect(closed.args[0]).to.be.oneOf(["transport close", "transport error", "ping timeout"]);
      second = await startBrowserServer(PING_INTERVAL, PING_TIMEOUT, port);
      const back = await socket.waitFor("reconnect", { from: closed.index, timeoutMs: 8000 });
      expect(back.args[0]).to.be.a("number").and.at.least(1);
      const from = (await socket.log()).length;
      await socket.send({ text: "after restart" });
      const echoed = await socket.waitFor("message", { from });
      expect(echoed.args[0]).to.equal("after restart");
      expect((await socket.state()).state).to.equal("open");
      await second.waitForReport((r) => r["event"] === "connection", 1000);
    } finally {
      await first.kill();
      await second?.kill();
    }
  });

  it("a visibilitychange round trip (hidden, then visible) keeps the connection working", async () => {
    await using server = await startBrowserServer(200, 1000);
    await using page = await openHarnessPage(browser!, originOf(server));
    const socket = await page.open();
    await socket.waitFor("upgrade");
    const before = (await socket.log()).length;
    await page.setVisibility("hidden");
    // Hidden for three ping intervals: the socket keeps answering pings.
    await socket.waitFor("ping", { from: before, count: 3, timeoutMs: 3 * 200 + 3000 });
    await page.setVisibility("visible");
    const from = (await socket.log()).length;
    await socket.send({ text: "visible again" });
    expect((await socket.waitFor("message", { from })).args[0]).to.equal("visible again");
    await socket.waitFor("ping", { from, timeoutMs: 200 + 3000 });
    const log = await socket.log();
    expect(log.filter((r) => r.event === "close" || r.event === "error")).to.deep.equal([]);
    expect((await socket.state()).readyState).to.equal("open");
    expect(server.reports.filter((r) => r["event"] === "close")).to.deep.equal([]);
  });
});
