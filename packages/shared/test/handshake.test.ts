/** @module Unit tests for the open packet and heartbeat negotiation. */

import { expect } from "chai";
import fc from "fast-check";
import { encodeOpenPacket, negotiateHeartbeat, parseOpenPacket, parseProposedDelay, MAX_TIMER_DELAY } from "@heartwire/shared";

const GOOD = { sid: "lv_VI97HAXpY6yYWAAAC", upgrades: ["websocket"], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 };

describe("handshake: open packet", () => {
  it("encodes the fields engine.io sends, in its order", () => {
    expect(encodeOpenPacket(GOOD)).to.equal(
      '{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}',
    );
  });

  it("round-trips through parseOpenPacket", () => {
    const result = parseOpenPacket(encodeOpenPacket(GOOD));
    expect(result.ok).to.equal(true);
    if (result.ok) expect(result.value).to.deep.equal(GOOD);
  });

  it("accepts an open packet without maxPayload (engine.io < 6.2) or upgrades", () => {
    const result = parseOpenPacket('{"sid":"a","pingInterval":1,"pingTimeout":2}');
    expect(result.ok).to.equal(true);
    if (result.ok) {
      expect(result.value.maxPayload).to.equal(undefined);
      expect(result.value.upgrades).to.deep.equal([]);
    }
  });

  it("ignores unknown fields", () => {
    expect(parseOpenPacket('{"sid":"a","pingInterval":1,"pingTimeout":2,"extra":{"__proto__":1}}').ok).to.equal(true);
  });

  const bad: Array<[string, string]> = [
    ["not JSON", "{"],
    ["empty", ""],
    ["a JSON array", "[]"],
    ["JSON null", "null"],
    ["a JSON string", '"sid"'],
    ["no sid", '{"pingInterval":1,"pingTimeout":1}'],
    ["an empty sid", '{"sid":"","pingInterval":1,"pingTimeout":1}'],
    ["a numeric sid", '{"sid":5,"pingInterval":1,"pingTimeout":1}'],
    ["a huge sid", JSON.stringify({ sid: "x".repeat(10_000), pingInterval: 1, pingTimeout: 1 })],
    ["zero pingInterval", '{"sid":"a","pingInterval":0,"pingTimeout":1}'],
    ["negative pingTimeout", '{"sid":"a","pingInterval":1,"pingTimeout":-5}'],
    ["fractional pingInterval", '{"sid":"a","pingInterval":1.5,"pingTimeout":1}'],
    ["string pingInterval", '{"sid":"a","pingInterval":"100","pingTimeout":1}'],
    ["pingInterval beyond the timer range", `{"sid":"a","pingInterval":${MAX_TIMER_DELAY + 1},"pingTimeout":1}`],
    ["a sum beyond the timer range", `{"sid":"a","pingInterval":${MAX_TIMER_DELAY},"pingTimeout":1}`],
    ["upgrades not a list", '{"sid":"a","pingInterval":1,"pingTimeout":1,"upgrades":"websocket"}'],
    ["upgrades with a number", '{"sid":"a","pingInterval":1,"pingTimeout":1,"upgrades":[1]}'],
    ["maxPayload zero", '{"sid":"a","pingInterval":1,"pingTimeout":1,"maxPayload":0}'],
    ["maxPayload a string", '{"sid":"a","pingInterval":1,"pingTimeout":1,"maxPayload":"1"}'],
  ];
  for (const [what, data] of bad) {
    it(`rejects an open packet with ${what}`, () => {
      const result = parseOpenPacket(data);
      expect(result.ok).to.equal(false);
      if (!result.ok) expect(result.error.message).to.match(/open packet/);
    });
  }

  it("never throws on arbitrary input", () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => void parseOpenPacket(s)), { numRuns: 500 });
    fc.assert(fc.property(fc.jsonValue(), (v) => void parseOpenPacket(JSON.stringify(v))), { numRuns: 500 });
  });
});

describe("handshake: negotiateHeartbeat", () => {
  const policy = { pingInterval: 25000, pingTimeout: 20000, pingIntervalRange: [1000, 60000] as const, pingTimeoutRange: [500, 30000] as const };

  it("keeps the server's values when nothing is proposed", () => {
    expect(negotiateHeartbeat({}, policy)).to.deep.equal({ pingInterval: 25000, pingTimeout: 20000 });
  });

  it("accepts proposals inside the ranges", () => {
    expect(negotiateHeartbeat({ pingInterval: "5000", pingTimeout: "2000" }, policy)).to.deep.equal({ pingInterval: 5000, pingTimeout: 2000 });
  });

  it("clamps proposals outside the ranges", () => {
    expect(negotiateHeartbeat({ pingInterval: "10", pingTimeout: "99999999" }, policy)).to.deep.equal({ pingInterval: 1000, pingTimeout: 30000 });
  });

  it("by default the range is the configured value, so a client cannot change it", () => {
    expect(negotiateHeartbeat({ pingInterval: "10", pingTimeout: "10" }, { pingInterval: 300, pingTimeout: 200 })).to.deep.equal({
      pingInterval: 300,
      pingTimeout: 200,
    });
  });

  it("ignores nonsense proposals instead of failing", () => {
    for (const v of ["", "abc", "-5", "0", "1.5", "1e3", " 100", "0x10", "Infinity", "NaN", "9".repeat(40), ["100"], { a: 1 }, null, -1, 0, 2.5, NaN]) {
      expect(negotiateHeartbeat({ pingInterval: v, pingTimeout: v }, policy), JSON.stringify(v)).to.deep.equal({
        pingInterval: 25000,
        pingTimeout: 20000,
      });
    }
  });

  it("parseProposedDelay reads plain positive integers only", () => {
    expect(parseProposedDelay("250")).to.equal(250);
    expect(parseProposedDelay(250)).to.equal(250);
    expect(parseProposedDelay("007")).to.equal(7);
    expect(parseProposedDelay("+5")).to.equal(undefined);
  });

  it("always lands inside the ranges (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.double()), fc.oneof(fc.string(), fc.integer()), (a, b) => {
        const t = negotiateHeartbeat({ pingInterval: a, pingTimeout: b }, policy);
        expect(t.pingInterval).to.be.within(1000, 60000);
        expect(t.pingTimeout).to.be.within(500, 30000);
      }),
      { numRuns: 500 },
    );
  });
});
