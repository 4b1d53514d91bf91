/**
 * @module Unit tests (fake clock) for how the server heartbeat treats its own event-loop stalls:
 * a late deadline gets a grace for unread pongs, and the next ping is dated from the usual round
 * trip rather than from when a delayed pong was finally read.
 */

import { expect } from "chai";
import { FakeScheduler } from "@heartwire/shared/testing";
import { SocketHeartbeat } from "../dist/socket-heartbeat.js";

const timing = { pingInterval: 1000, pingTimeout: 400 };

function make(clock: FakeScheduler) {
  const log: string[] = [];
  const hb = new SocketHeartbeat(timing, clock, {
    ping: () => log.push(`ping@${clock.now()}`),
    timeout: () => log.push(`timeout@${clock.now()}`),
    rtt: (e) => log.push(`rtt=${e.latest}`),
  });
  return { hb, log };
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

  it("the next ping is dated from the usual round trip, not from a pong delayed by our stall", () => {
    using clock = new FakeScheduler();
    const { hb, log } = make(clock);
    hb.start();
    clock.advance(1000); // ping 1 at 1000
    clock.advance(10);
    hb.pong(); // usual RTT 10 ms → ping 2 due at 2010
    clock.advance(1000);
    expect(log.at(-1)).to.equal("ping@2010");
    clock.jump(300); // stall: the pong (sent back within 10 ms) is read only at 2310
    hb.pong();
    // The client's deadline runs from ping 2; the next ping is due 1000 ms after 2010 + 10.
    clock.advance(1000 - 300 + 10 - 1);
    expect(log.at(-1)).to.equal("rtt=300");
    clock.advance(1);
    expect(log.at(-1)).to.equal("ping@3020");
  });

  it("with no sample yet, a huge first round trip is treated as our stall (capped at pingTimeout / 2)", () => {
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
