/** @module TimerWheel on the fake clock: coalescing, never early, at most one resolution late. */

import { expect } from "chai";
import { TimerWheel } from "@heartwire/server";
import { FakeScheduler } from "@heartwire/shared/testing";

describe("TimerWheel", () => {
  it("runs many timers on a single base timer", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    for (let i = 0; i < 10_000; i++) wheel.setTimeout(() => {}, 1000 + (i % 5000));
    expect(wheel.size).to.equal(10_000);
    expect(clock.pendingCount()).to.equal(1);
  });

  it("never fires early and at most one resolution late", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    const firedAt = new Map<number, number>();
    for (const delay of [0, 1, 9, 10, 11, 25, 99, 100, 101, 1234]) {
      wheel.setTimeout(() => firedAt.set(delay, clock.now()), delay);
    }
    for (let t = 0; t < 1300; t++) clock.advance(1);
    for (const [delay, at] of firedAt) {
      expect(at, `delay ${delay}`).to.be.at.least(delay);
      expect(at, `delay ${delay}`).to.be.at.most(delay + 10);
    }
    expect(firedAt.size).to.equal(10);
  });

  it("is not early from an unaligned start either", () => {
    using clock = new FakeScheduler();
    clock.advance(7);
    const wheel = new TimerWheel(clock, 10);
    let at = -1;
    wheel.setTimeout(() => (at = clock.now()), 5);
    clock.advance(4);
    expect(at).to.equal(-1);
    clock.advance(100);
    expect(at).to.be.within(12, 22);
  });

  it("fires timers of one bucket in arming order, and earlier buckets first", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    const order: string[] = [];
    wheel.setTimeout(() => order.push("b1"), 15);
    wheel.setTimeout(() => order.push("a"), 5);
    wheel.setTimeout(() => order.push("b2"), 12);
    clock.advance(50);
    expect(order).to.deep.equal(["a", "b1", "b2"]);
  });

  it("cancel stops a timer and releases the base timer when none is left", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    let fired = false;
    const handle = wheel.setTimeout(() => (fired = true), 100);
    expect(handle.pending).to.equal(true);
    handle.cancel();
    expect(handle.pending).to.equal(false);
    expect(wheel.size).to.equal(0);
    expect(clock.pendingCount()).to.equal(0);
    clock.advance(1000);
    expect(fired).to.equal(false);
  });

  it("refresh re-arms from now, with a new delay or the old one, even after firing", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    const fires: number[] = [];
    const handle = wheel.setTimeout(() => fires.push(clock.now()), 100);
    clock.advance(50);
    handle.refresh();
    clock.advance(99);
    expect(fires).to.deep.equal([]);
    clock.advance(10);
    expect(fires).to.deep.equal([150]);
    handle.refresh(30); // now = 159: due 189, filed in the bucket ending at 190
    clock.advance(40);
    expect(fires).to.deep.equal([150, 190]);
    expect(handle.pending).to.equal(false);
  });

  it("an earlier timer armed later pulls the base timer forward", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    const fires: string[] = [];
    wheel.setTimeout(() => fires.push("late"), 1000);
    wheel.setTimeout(() => fires.push("early"), 20);
    clock.advance(20);
    expect(fires).to.deep.equal(["early"]);
    expect(clock.pendingCount()).to.equal(1);
  });

  it("timers armed by callbacks (even with delay 0) run on a later tick, not in a loop", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    let count = 0;
    const tick = (): void => {
      count++;
      if (count < 5) wheel.setTimeout(tick, 0);
    };
    wheel.setTimeout(tick, 10);
    clock.advance(10);
    expect(count).to.be.at.least(1);
    clock.advance(0);
    clock.advance(0);
    clock.advance(0);
    clock.advance(0);
    expect(count).to.equal(5);
  });

  it("stays small under churn: refreshing the same timer repeatedly keeps one bucket", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    const handle = wheel.setTimeout(() => {}, 100);
    for (let i = 0; i < 100_000; i++) handle.refresh();
    expect(wheel.size).to.equal(1);
    expect(clock.pendingCount()).to.equal(1);
  });

  it("resolution 1 is exact on the fake clock", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 1);
    let at = -1;
    wheel.setTimeout(() => (at = clock.now()), 37);
    clock.advance(100);
    expect(at).to.equal(37);
  });
});
