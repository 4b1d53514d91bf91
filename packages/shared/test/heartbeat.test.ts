/** @module Unit tests for the pure heartbeat timing rules and RTT smoothing. */

import { expect } from "chai";
import { isExpired, nextPingAt, pingDeadlineAt, pongDeadlineAt, rttFromPingSpacing, updateRtt } from "@heartwire/shared";

const timing = { pingInterval: 300, pingTimeout: 200 };

describe("heartbeat timing", () => {
  it("server: next ping pingInterval after open or the last pong", () => {
    expect(nextPingAt(1000, timing)).to.equal(1300);
  });

  it("server: pong due pingTimeout after the ping", () => {
    expect(pongDeadlineAt(1300, timing)).to.equal(1500);
  });

  it("client: server declared dead pingInterval + pingTimeout after the last ping", () => {
    expect(pingDeadlineAt(1000, timing)).to.equal(1500);
  });

  it("both sides detect a silent peer within pingInterval + pingTimeout of its last sign of life", () => {
    // Peer's last pong at t=0 (server view) / last ping at t=0 (client view).
    const serverGivesUp = pongDeadlineAt(nextPingAt(0, timing), timing);
    const clientGivesUp = pingDeadlineAt(0, timing);
    expect(serverGivesUp).to.be.at.most(timing.pingInterval + timing.pingTimeout);
    expect(clientGivesUp).to.be.at.most(timing.pingInterval + timing.pingTimeout);
  });

  it("a deadline expires exactly when reached", () => {
    expect(isExpired(1500, 1499.9)).to.equal(false);
    expect(isExpired(1500, 1500)).to.equal(true);
  });

  it("estimates RTT from the spacing of two pings", () => {
    expect(rttFromPingSpacing(1000, 1342, timing)).to.equal(42);
    expect(rttFromPingSpacing(1000, 1290, timing)).to.equal(0); // early timer: never negative
    expect(rttFromPingSpacing(1000, 1000 + 501, timing)).to.equal(undefined); // beyond the dead line
    expect(rttFromPingSpacing(1000, 900, timing)).to.equal(undefined);
  });

  it("smooths RTT as RFC 6298 does", () => {
    let e = updateRtt(undefined, 100);
    expect(e).to.deep.equal({ latest: 100, smoothed: 100, variation: 50, samples: 1 });
    e = updateRtt(e, 200);
    expect(e.latest).to.equal(200);
    expect(e.smoothed).to.equal(112.5);
    expect(e.variation).to.equal(0.75 * 50 + 0.25 * 100);
    expect(e.samples).to.equal(2);
    for (let i = 0; i < 200; i++) e = updateRtt(e, 20);
    expect(e.smoothed).to.be.closeTo(20, 0.01);
  });
});
