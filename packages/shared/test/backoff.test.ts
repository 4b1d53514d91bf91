/** @module Unit tests for capped exponential backoff with jitter. */

import { expect } from "chai";
import { backoffCeiling, backoffDelay } from "@heartwire/shared";

const opts = { initialDelay: 1000, maxDelay: 5000, factor: 2, jitter: 1 };

describe("backoff", () => {
  it("grows exponentially and caps at maxDelay", () => {
    expect([0, 1, 2, 3, 4, 50, 5000].map((a) => backoffCeiling(a, opts))).to.deep.equal([1000, 2000, 4000, 5000, 5000, 5000, 5000]);
  });

  it("full jitter spans [0, ceiling]", () => {
    expect(backoffDelay(1, opts, () => 0)).to.equal(2000);
    expect(backoffDelay(1, opts, () => 0.999999)).to.equal(0);
    expect(backoffDelay(1, opts, () => 0.5)).to.equal(1000);
  });

  it("partial jitter keeps a floor", () => {
    const half = { ...opts, jitter: 0.5 };
    expect(backoffDelay(0, half, () => 0.999999)).to.equal(500);
    expect(backoffDelay(0, half, () => 0)).to.equal(1000);
    expect(backoffDelay(0, { ...opts, jitter: 0 }, () => 0.7)).to.equal(1000);
  });

  it("draws a fresh random number for every attempt", () => {
    let calls = 0;
    const random = (): number => (calls++ % 10) / 10;
    const delays = Array.from({ length: 10 }, () => backoffDelay(3, opts, random));
    expect(calls).to.equal(10);
    expect(new Set(delays).size).to.equal(10);
  });

  it("spreads many clients over the window", () => {
    const delays = Array.from({ length: 1000 }, () => backoffDelay(2, opts, Math.random));
    const buckets = new Array<number>(4).fill(0);
    for (const d of delays) buckets[Math.min(3, Math.floor(d / 1000))]!++;
    for (const b of buckets) expect(b).to.be.within(150, 350);
  });

  it("survives silly inputs without NaN", () => {
    expect(backoffDelay(-3, opts, () => 0)).to.equal(1000);
    expect(backoffDelay(1e9, opts, () => 0)).to.equal(5000);
    expect(backoffDelay(2, opts, () => 7)).to.equal(0);
    expect(backoffDelay(2, { ...opts, jitter: 9 }, () => 0.5)).to.equal(2000);
  });
});
