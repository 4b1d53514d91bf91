/**
 * @module Unit tests (fake clock) for how the server heartbeat treats its own event-loop stalls:
 * a late deadline gets a grace for unread pongs; a pong read during or right after a block of our
 * loop dates the next ping from the block's start (or the usual round trip), while a slow client on
 * a responsive loop is dated from when its pong came, so it is not pinged faster. A block is a
 * `jump` of the clock: time passes and no timer runs.
 */

import { expect } from "chai";
import { FakeScheduler } from "@heartwire/shared/testing";
import { LoopWatch } from "../dist/loop-watch.js";
import { SocketHeartbeat } from "../dist/socket-heartbeat.js";

const timing = { pingInterval: 1000, pingTimeout: 400 };

function make(clock: FakeScheduler) {
  const log: string[] = [];
  const watch = new LoopWatch(clock, 50, 30);
  const hb: SocketHeartbeat = new SocketHeartbeat(
    timing,
    clock,
    {
      // The socket hands the ping to its (always writable, here) transport at once.
      ping: () => {
        log.push(`ping@${clock.now()}`);
        hb.pingWritten();
      },
      timeout: () => log.push(`timeout@${clock.now()}`),
      rtt: (e) => log.push(`rtt=${e.latest}`),
    },
    watch,
  );
  return { hb, log, watch };
}

/** Runs one clean round (round trip 10 ms) and stops at the second ping, sent at 2010. */
function atSecondPing(clock: FakeScheduler) {
  const made = make(clock);
  made.hb.start();
  clock.advance(1000); // ping 1 at 1000
  clock.advance(10);
  made.hb.pong(); // usual round trip 10 ms → ping 2 due at 2010
  clock.advance(1000);
  expect(made.log.at(-1)).to.equal("ping@2010");
  return made;
}

/** After the pong just read (an `rtt` ms sample), the next ping goes out exactly at `at`. */
function expectNextPingAt(clock: FakeScheduler, log: readonly string[], rtt: number, at: number): void {
  clock.advance(at - clock.now() - 1);
  expect(log.at(-1)).to.equal(`rtt=${rtt}`);
  clock.advance(1);
  expect(log.at(-1)).to.equal(`ping@${at}`);
}

describe("server heartbeat under stalls (fake clock)", () => {
  it("times out on schedule when the deadline fires on time", () => {
    using clock = new FakeScheduler();
    const { hb, log } = make(clock);
    hb.start();
    clock.advance(1000);
    clock.advance(400);
    expect(log).to.deep.equal(["ping@1000", "timeout@1400"]);
  });

  it("a deadline that fires late (our stall) waits a grace, and a pong read meanwhile keeps the session", () => {
    using clock = new FakeScheduler();
    const { hb, log } = make(clock);
    hb.start();
    clock.advance(1000); // ping at 1000, deadline 1400
    clock.jump(500); // the loop was blocked until 1500
    clock.runDue(); // the deadline timer fires 100 ms late
    expect(log).to.deep.equal(["ping@1000"]);
    expect(hb.phase).to.equal("confirming");
    expect(hb.pong()).to.equal(true); // the pong that arrived during the stall is read now
    expect(hb.phase).to.equal("waiting-to-ping");
  });

  it("the grace is bounded: a silent client still times out soon after a stall", () => {
    using clock = new FakeScheduler();
    const { hb, log } = make(clock);
    hb.start();
    clock.advance(1000);
    clock.jump(500);
    clock.runDue();
    clock.advance(timing.pingTimeout / 4);
    expect(log).to.deep.equal(["ping@1000", "timeout@1600"]);
  });

  it("a block that ends just before the deadline (which then fires on time) still gets the grace", () => {
    using clock = new FakeScheduler();
    const { hb, log } = make(clock);
    hb.start();
    clock.advance(1000); // ping at 1000, deadline 1400; the watch ticks on time at 1050
    clock.advance(60);
    clock.jump(330); // blocked from 1060 to 1390: the pong came meanwhile, unread
    clock.runDue(); // the watch's late tick sees the block
    clock.advance(10); // the deadline fires on time at 1400
    expect(hb.phase).to.equal("confirming");
    expect(hb.pong()).to.equal(true);
    // Without a pong the grace is short (at least the stall threshold, here 25 ms) and then it ends.
    const silent = make(clock);
    silent.hb.start();
    clock.advance(1000);
    clock.advance(60);
    clock.jump(330);
    clock.runDue();
    clock.advance(10 + 25);
    expect(silent.log.slice(-1)[0]).to.equal(`timeout@${clock.now()}`);
  });

  it("a pong read inside our block dates the next ping from the usual round trip, not from now", () => {
    using clock = new FakeScheduler();
    const { hb, log } = atSecondPing(clock);
    clock.jump(300); // block: the pong (sent back within 10 ms) is read only at 2310
    hb.pong();
    // The client's deadline runs from ping 2; the next ping is due 1000 ms after 2010 + 10.
    expectNextPingAt(clock, log, 300, 3020);
  });

  it("a pong read from the backlog after the block ended is dated from the block's start", () => {
    using clock = new FakeScheduler();
    const { hb, log } = atSecondPing(clock);
    clock.advance(50); // the watch, held since the ping, ticks on time at 2060
    clock.jump(300); // blocked from 2060 to 2360
    clock.runDue(); // the late tick at 2360 sees a block that began after its tick at 2060
    hb.pong(); // read at 2360: it may have waited since 2060, so it is dated from then
    expectNextPingAt(clock, log, 350, 3060);
  });

  it("a slow client on a responsive loop is dated from its pong: not pinged faster than pingInterval", () => {
    using clock = new FakeScheduler();
    const { hb, log } = atSecondPing(clock);
    clock.advance(350); // the watch ticks on time throughout: the client itself is slow
    hb.pong();
    expectNextPingAt(clock, log, 350, 3360);
  });

  it("with no sample yet, a huge first round trip read in our block is capped at pingTimeout / 2", () => {
    using clock = new FakeScheduler();
    const { hb, log } = make(clock);
    hb.start();
    clock.advance(1000);
    clock.jump(390);
    hb.pong();
    clock.advance(1000 + 200 - 390);
    expect(log.at(-1)).to.equal("ping@2200");
  });
});

describe("loop watch (fake clock)", () => {
  it("reports nothing while its ticks come on time, nor once released", () => {
    using clock = new FakeScheduler();
    const watch = new LoopWatch(clock, 50, 30);
    expect(watch.unresponsiveSince()).to.equal(undefined);
    watch.acquire();
    clock.advance(1000);
    expect(watch.unresponsiveSince()).to.equal(undefined);
    clock.jump(200);
    watch.release();
    expect(watch.unresponsiveSince()).to.equal(undefined);
    expect(clock.pendingCount()).to.equal(0);
  });

  it("inside a block, reports the last tick; after it, the block's start until a tick comes on time", () => {
    using clock = new FakeScheduler();
    const watch = new LoopWatch(clock, 50, 30);
    watch.acquire();
    clock.advance(100); // ticks at 50, 100
    clock.jump(79);
    expect(watch.unresponsiveSince(), "within period + tolerance").to.equal(undefined);
    clock.jump(1);
    clock.jump(120); // blocked: now 300
    expect(watch.unresponsiveSince()).to.equal(100);
    clock.runDue(); // late tick at 300
    expect(watch.unresponsiveSince()).to.equal(100);
    clock.jump(200); // a second block right after: still the same one
    clock.runDue(); // late tick at 500
    expect(watch.unresponsiveSince()).to.equal(100);
    clock.advance(50); // on time at 550: the block is over
    expect(watch.unresponsiveSince()).to.equal(undefined);
  });

  it("ticks only while some user holds it, and starts its view afresh when next acquired", () => {
    using clock = new FakeScheduler();
    const watch = new LoopWatch(clock, 50, 30);
    watch.acquire();
    watch.acquire();
    watch.release();
    expect(watch.running).to.equal(true);
    expect(clock.pendingCount()).to.equal(1);
    watch.release();
    watch.release(); // an extra release is harmless
    expect(watch.running).to.equal(false);
    expect(clock.pendingCount()).to.equal(0);
    clock.jump(5000); // idle, not blocked: nothing is watched
    watch.acquire();
    expect(watch.unresponsiveSince()).to.equal(undefined);
    clock.advance(100);
    expect(watch.unresponsiveSince()).to.equal(undefined);
  });

  it("a heartbeat holds the watch from its ping until the pong, the timeout, or stop()", () => {
    using clock = new FakeScheduler();
    const { hb, watch } = make(clock);
    hb.start();
    expect(watch.running).to.equal(false);
    clock.advance(1000);
    expect(watch.running, "ping out").to.equal(true);
    hb.pong();
    expect(watch.running, "pong in").to.equal(false);
    clock.advance(1000);
    expect(watch.running).to.equal(true);
    clock.advance(400);
    expect(watch.running, "timed out").to.equal(false);
    const other = make(clock);
    other.hb.start();
    clock.advance(1000);
    other.hb.stop();
    expect(other.watch.running, "stopped").to.equal(false);
  });
});
