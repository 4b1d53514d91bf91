/**
 * @module The pong deadline checked when a request of the session arrives (fake clock): at or after
 * the deadline the session is gone for that request (400, code 1, close "ping timeout") even though
 * the deadline timer has not run yet. `clock.jump` moves time without running timers, which is
 * exactly "the request was read before the timer fired".
 */

import { expect } from "chai";
import type { Socket } from "@heartwire/server";
import { FakeScheduler } from "@heartwire/shared/testing";
import { harness, http as rawHttp, next, Peer } from "./helpers.js";

const INTERVAL = 1000;
const TIMEOUT = 500;
const UNKNOWN_SID = JSON.stringify({ code: 1, message: "Session ID unknown" });

/** A request that fails the test instead of hanging when the server holds it (a poll of a live session). */
async function http(url: string, method = "GET", body?: string): Promise<{ status: number; body: string }> {
  let timer: NodeJS.Timeout | undefined;
  const held = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${method} held: the session is alive`)), 3000)));
  try {
    return await Promise.race([rawHttp(url, method, body), held]);
  } finally {
    clearTimeout(timer);
  }
}

describe("server heartbeat: the deadline is checked when a request arrives (fake clock)", () => {
  let clock: FakeScheduler;
  beforeEach(() => {
    clock = new FakeScheduler();
  });
  afterEach(() => clock[Symbol.dispose]());

  /** Opens a polling session and reads the ping due `INTERVAL` (+ `pingLate`) after open. */
  async function pingedPollingSession(h: Awaited<ReturnType<typeof harness>>, pingLate = 0) {
    const connection = next<[Socket]>(h.server, "connection");
    const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
    expect(hs.status).to.equal(200);
    const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
    const [socket] = await connection;
    const url = `${h.base}/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    if (pingLate > 0) {
      // The host timer fires late: the clock is past the ping's due time when it runs.
      clock.advance(INTERVAL - 1);
      clock.jump(1 + pingLate);
      clock.runDue();
    } else clock.advance(INTERVAL);
    expect(await http(url)).to.deep.equal({ status: 200, body: "2" });
    const closes: string[] = [];
    socket.on("close", (reason) => closes.push(reason));
    return { sid, socket, url, closes };
  }

  /** Moves to `ms` after now, running every timer due strictly before it, none due at it. */
  function reach(ms: number): void {
    clock.advance(ms - 1);
    clock.jump(1);
  }

  it("a poll arriving at pingInterval + pingTimeout finds the session gone: 400, code 1, 'ping timeout'", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const { socket, url, closes } = await pingedPollingSession(h);
    reach(TIMEOUT - 1);
    // One ms before the deadline the session is alive: a POST is accepted.
    expect(await http(url, "POST", "4alive")).to.deep.equal({ status: 200, body: "ok" });
    clock.jump(1);
    expect(clock.nextDueAt()).to.equal(INTERVAL + TIMEOUT); // the deadline timer has not run
    expect(await http(url)).to.deep.equal({ status: 400, body: UNKNOWN_SID });
    expect(closes).to.deep.equal(["ping timeout"]);
    expect(socket.readyState).to.equal("closed");
    expect(h.server.clientsCount).to.equal(0);
  });

  it("so does a POST, even one that carries the overdue pong", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const { url, closes } = await pingedPollingSession(h);
    reach(TIMEOUT);
    expect(await http(url, "POST", "3")).to.deep.equal({ status: 400, body: UNKNOWN_SID });
    expect(closes).to.deep.equal(["ping timeout"]);
  });

  it("so does a WebSocket upgrade (refused with 400)", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const { sid, closes } = await pingedPollingSession(h);
    reach(TIMEOUT);
    let refusal: unknown;
    await Peer.open(`${h.wsBase}/engine.io/?EIO=4&transport=websocket&sid=${sid}`).then(
      (peer) => peer[Symbol.asyncDispose](),
      (error: unknown) => (refusal = error),
    );
    expect(String(refusal)).to.match(/Unexpected server response: 400/);
    expect(closes).to.deep.equal(["ping timeout"]);
  });

  it("a pong in time keeps the session: requests after the old deadline are served", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const { url, closes } = await pingedPollingSession(h);
    reach(TIMEOUT - 1);
    expect(await http(url, "POST", "3")).to.deep.equal({ status: 200, body: "ok" });
    reach(TIMEOUT);
    expect(await http(url, "POST", "4still here")).to.deep.equal({ status: 200, body: "ok" });
    expect(closes).to.deep.equal([]);
  });

  it("the pong is due pingTimeout after the ping was due; a ping late by more than 2 ms extends it by the excess", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    // Late by 2 ms (a host timer's usual lateness): the deadline stays at open + INTERVAL + TIMEOUT.
    const onTime = await pingedPollingSession(h, 2);
    reach(TIMEOUT - 2);
    expect(await http(onTime.url)).to.deep.equal({ status: 400, body: UNKNOWN_SID });
    expect(onTime.closes).to.deep.equal(["ping timeout"]);
    // Late by 30 ms (our process was busy): the client still gets TIMEOUT - 2 ms after the ping.
    const late = await pingedPollingSession(h, 30);
    reach(TIMEOUT - 3);
    expect(await http(late.url, "POST", "4alive")).to.deep.equal({ status: 200, body: "ok" });
    clock.jump(1);
    expect(await http(late.url)).to.deep.equal({ status: 400, body: UNKNOWN_SID });
    expect(late.closes).to.deep.equal(["ping timeout"]);
  });

  it("after a block of our own loop the arriving request is not refused: the timer's grace decides", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: INTERVAL, pingTimeout: TIMEOUT });
    const { url, socket, closes } = await pingedPollingSession(h);
    // Our loop is stuck for the whole pingTimeout: the pong may be sitting unread.
    clock.jump(TIMEOUT + 10);
    expect(await http(url, "POST", "3")).to.deep.equal({ status: 200, body: "ok" });
    clock.advance(INTERVAL - 1);
    expect(closes).to.deep.equal([]);
    expect(socket.readyState).to.equal("open");
  });

  it("tiny values (pingInterval 5, pingTimeout 5) still time out with 'ping timeout'", async () => {
    await using h = await harness({ scheduler: clock, pingInterval: 5, pingTimeout: 5 });
    const connection = next<[Socket]>(h.server, "connection");
    await using peer = await Peer.open(`${h.wsBase}/engine.io/?EIO=4&transport=websocket`);
    const [socket] = await connection;
    const closed = next<[string]>(socket, "close");
    clock.advance(5);
    expect(await peer.next()).to.match(/^0/);
    expect(await peer.next()).to.equal("2");
    clock.advance(4);
    expect(socket.readyState).to.equal("open");
    clock.advance(1);
    expect((await closed)[0]).to.equal("ping timeout");
  });
});
