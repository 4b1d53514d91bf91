/** @module TimerWheel on the fake clock: coalescing on one base timer, each timer fired exactly at its due time. */

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

  it("fires every timer exactly at its due time: no lateness added, never early", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    const firedAt = new Map<number, number>();
    for (const delay of [0, 1, 9, 10, 11, 25, 99, 100, 101, 1234, 2.5, 37.25]) {
      wheel.setTimeout(() => firedAt.set(delay, clock.now()), delay);
    }
    // One big advance: the fake base fires the wheel's one timer at each due time in turn.
    clock.advance(2000);
    expect(firedAt.size).to.equal(12);
    // Host timers count whole milliseconds, so a fractional due time waits for the next whole one.
    for (const [delay, at] of firedAt) expect(at, `delay ${delay}`).to.equal(Math.ceil(delay));
  });

  it("is exact from an unaligned start too", () => {
    using clock = new FakeScheduler();
    clock.advance(7);
    const wheel = new TimerWheel(clock, 10);
    let at = -1;
    wheel.setTimeout(() => (at = clock.now()), 5);
    clock.advance(4);
    expect(at).to.equal(-1);
    clock.advance(100);
    expect(at).to.equal(12);
  });

  it("fires many timers of one bucket each at its own time, on one base timer", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 100);
    const fired: number[] = [];
    for (let i = 0; i < 50; i++) wheel.setTimeout(() => fired.push(clock.now()), 1000 + 2 * i);
    expect(clock.pendingCount()).to.equal(1);
    clock.advance(1000 + 2 * 24);
    expect(fired).to.have.length(25);
    expect(fired).to.deep.equal(Array.from({ length: 25 }, (_, i) => 1000 + 2 * i));
    expect(clock.pendingCount()).to.equal(1);
    clock.advance(100);
    expect(fired).to.have.length(50);
    expect(clock.pendingCount()).to.equal(0);
  });

  it("fires due timers in due-time order, arming order among equals, across buckets", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    const order: string[] = [];
    wheel.setTimeout(() => order.push("b1"), 15);
    wheel.setTimeout(() => order.push("a"), 5);
    wheel.setTimeout(() => order.push("b0"), 12);
    wheel.setTimeout(() => order.push("b2"), 15);
    wheel.setTimeout(() => order.push("c"), 31);
    // Everything is due by the time the clock jumps past it (a late wake-up): order still holds.
    clock.jump(50);
    clock.runDue();
    expect(order).to.deep.equal(["a", "b0", "b1", "b2", "c"]);
  });

  it("a callback that cancels or re-arms a timer due in the same wake-up stops it running then", () => {
    using clock = new FakeScheduler();
    const wheel = new TimerWheel(clock, 10);
    const order: string[] = [];
    const later = wheel.setTimeout(() => order.push("cancelled"), 6);
    const moved = wheel.setTimeout(() => order.push(`moved@${clock.now()}`), 7);
    wheel.setTimeout(() => {
      order.push("first");
      later.cancel();
      moved.refresh(20);
    }, 5);
    clock.jump(10);
    clock.runDue();
    expect(order).to.deep.equal(["first"]);
    expect(later.pending).to.equal(false);
    expect(moved.pending).to.equal(true);
    expect(wheel.size).to.equal(1);
    clock.advance(20);
    expect(order).to.deep.equal(["first", "moved@30"]);
    expect(wheel.size).to.equal(0);
  });

  it("a base timer that fires before the due time is re-armed for the rest, never firing early", () => {
    using clock = new FakeScheduler();
    // A host whose timers fire up to 1 ms early, as Node's whole-millisecond timers can.
    const early = {
      now: () => clock.now(),
      setTimeout: (callback: () => void, delay: number) => clock.setTimeout(callback, Math.max(0, delay - 1)),
    };
    const wheel = new TimerWheel(early, 10);
    let at = -1;
    wheel.setTimeout(() => (at = clock.now()), 30.5);
    clock.advance(29);
    expect(at).to.equal(-1);
    clock.advance(10);
    expect(at).to.be.at.least(30.5);
    expect(at).to.be.at.most(32);
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
    handle.refresh(30); // now = 159: due 189
    clock.advance(40);
    expect(fires).to.deep.equal([150, 189]);
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
