/** @module Unit tests for the real scheduler and the fake one tests rely on. */

import { expect } from "chai";
import { realScheduler, type TimerHandle } from "@heartwire/shared";
import * as browserTimer from "../dist/host-timer.browser.js";
import { FakeScheduler } from "@heartwire/shared/testing";

describe("FakeScheduler", () => {
  it("fires due timers in order as time advances", () => {
    using clock = new FakeScheduler();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("b@20"), 20);
    clock.setTimeout(() => fired.push("a@10"), 10);
    clock.setTimeout(() => fired.push("c@20"), 20);
    clock.advance(15);
    expect(fired).to.deep.equal(["a@10"]);
    expect(clock.now()).to.equal(15);
    clock.advance(5);
    expect(fired).to.deep.equal(["a@10", "b@20", "c@20"]);
    expect(clock.pendingCount()).to.equal(0);
  });

  it("fires timers armed by callbacks within the same advance", () => {
    using clock = new FakeScheduler();
    const at: number[] = [];
    const tick = (): void => {
      at.push(clock.now());
      if (at.length < 3) clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.advance(100);
    expect(at).to.deep.equal([10, 20, 30]);
  });

  it("cancel and refresh behave like their real counterparts", () => {
    using clock = new FakeScheduler();
    let fired = 0;
    const t = clock.setTimeout(() => fired++, 10);
    clock.advance(8);
    t.refresh();
    clock.advance(8);
    expect(fired).to.equal(0);
    clock.advance(2);
    expect(fired).to.equal(1);
    expect(t.pending).to.equal(false);
    t.refresh(5);
    expect(t.pending).to.equal(true);
    t.cancel();
    clock.advance(100);
    expect(fired).to.equal(1);
  });

  it("jump moves the clock without firing; runDue catches up", () => {
    using clock = new FakeScheduler();
    let fired = 0;
    clock.setTimeout(() => fired++, 10);
    clock.jump(1000);
    expect(clock.now()).to.equal(1000);
    expect(fired).to.equal(0);
    clock.runDue();
    expect(fired).to.equal(1);
  });

  it("disposal cancels everything", () => {
    const clock = new FakeScheduler();
    const t = clock.setTimeout(() => {}, 10);
    clock[Symbol.dispose]();
    expect(t.pending).to.equal(false);
    expect(clock.pendingCount()).to.equal(0);
  });
});

describe("realScheduler", () => {
  it("is monotonic", () => {
    const a = realScheduler.now();
    const b = realScheduler.now();
    expect(b).to.be.at.least(a);
  });
});

// The Node timer (what realScheduler uses here) and the one bundlers pick for browsers.
for (const [name, hostTimer] of [["Node (refresh/unref)", realScheduler.setTimeout], ["browser (plain ids)", browserTimer.hostTimer]] as const) {
  describe(`host timer: ${name}`, () => {
    it("fires, refreshes and cancels real timers", async () => {
      const start = realScheduler.now();
      await new Promise<void>((resolve) => {
        const t = hostTimer(() => resolve(), 20);
        expect(t.pending).to.equal(true);
      });
      expect(realScheduler.now() - start).to.be.at.least(19);

      let fired = false;
      const cancelled = hostTimer(() => (fired = true), 5);
      cancelled.cancel();
      expect(cancelled.pending).to.equal(false);
      await new Promise<void>((resolve) => hostTimer(resolve, 20));
      expect(fired).to.equal(false);

      // refresh with a new delay re-arms from now
      const t0 = realScheduler.now();
      await new Promise<void>((resolve) => {
        const t = hostTimer(resolve, 1000);
        t.refresh(10);
      });
      expect(realScheduler.now() - t0).to.be.below(900);

      // refresh after firing (with no delay) fires again, once, after the previous delay
      let fires = 0;
      const again = await new Promise<TimerHandle>((resolve) => {
        const t = hostTimer(() => (fires++, resolve(t)), 5);
      });
      expect(again.pending).to.equal(false);
      const t1 = realScheduler.now();
      await new Promise<void>((resolve) => {
        again.refresh();
        expect(again.pending).to.equal(true);
        hostTimer(resolve, 40);
      });
      expect(fires).to.equal(2);
      expect(realScheduler.now() - t1).to.be.at.least(5);
    });

    it("clamps absurd delays instead of firing at once", async () => {
      let fired = 0;
      const timers = [Number.POSITIVE_INFINITY, Number.NaN, 2 ** 40].map((delay) => hostTimer(() => fired++, delay));
      await new Promise<void>((resolve) => hostTimer(resolve, 20));
      expect(fired).to.equal(0);
      for (const t of timers) {
        expect(t.pending).to.equal(true);
        t.unref();
        t.cancel();
      }
    });
  });
}
