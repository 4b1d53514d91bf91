/** @module Unit tests for polling payloads (records joined with \x1e). */

import { expect } from "chai";
import fc from "fast-check";
import { decodePayload, encodePayload, type OutgoingPacket } from "@heartwire/shared";

describe("payload-codec: encodePayload", () => {
  it("joins packets with the record separator", () => {
    expect(encodePayload([{ type: "message", data: "hello" }, { type: "ping" }, { type: "message", data: "world" }])).to.equal(
      "4hello\x1e2\x1e4world",
    );
  });

  it("always base64-encodes binary messages", () => {
    expect(encodePayload([{ type: "message", data: "hello" }, { type: "message", data: new Uint8Array([1, 2, 3, 4]) }])).to.equal(
      "4hello\x1ebAQIDBA==",
    );
  });

  it("encodes a single packet without a separator and no packets as empty", () => {
    expect(encodePayload([{ type: "noop" }])).to.equal("6");
    expect(encodePayload([])).to.equal("");
  });
});

describe("payload-codec: decodePayload", () => {
  it("splits records into packets", () => {
    const result = decodePayload("4hello\x1e2\x1e4world");
    expect(result.ok).to.equal(true);
    if (result.ok) {
      expect(result.value).to.deep.equal([{ type: "message", data: "hello" }, { type: "ping" }, { type: "message", data: "world" }]);
    }
  });

  it("decodes mixed text and binary", () => {
    const result = decodePayload("4hello\x1ebAQIDBA==");
    expect(result.ok).to.equal(true);
    if (result.ok) {
      expect(result.value[0]).to.deep.equal({ type: "message", data: "hello" });
      expect(Array.from(result.value[1]!.data as Uint8Array)).to.deep.equal([1, 2, 3, 4]);
    }
  });

  it("rejects an empty payload", () => {
    const result = decodePayload("");
    expect(result.ok).to.equal(false);
    if (!result.ok) expect(result.error.kind).to.equal("empty");
  });

  it("rejects empty records (separator at the ends or doubled)", () => {
    for (const payload of ["\x1e", "4a\x1e", "\x1e4a", "4a\x1e\x1e4b"]) {
      const result = decodePayload(payload);
      expect(result.ok, JSON.stringify(payload)).to.equal(false);
      if (!result.ok) expect(result.error.kind).to.equal("invalid-packet");
    }
  });

  it("reports which record is bad and why", () => {
    const result = decodePayload("4ok\x1e4ok\x1e9bad");
    expect(result.ok).to.equal(false);
    if (!result.ok) {
      expect(result.error.index).to.equal(2);
      expect(result.error.cause?.kind).to.equal("unknown-type");
    }
  });

  it("rejects invalid base64 records", () => {
    const result = decodePayload("4a\x1eb@@@@");
    expect(result.ok).to.equal(false);
    if (!result.ok) expect(result.error.cause?.kind).to.equal("invalid-base64");
  });

  it("stops a separator storm at maxPackets before decoding anything", () => {
    const storm = Array.from({ length: 500_000 }, () => "4").join("\x1e");
    const result = decodePayload(storm, { maxPackets: 1000 });
    expect(result.ok).to.equal(false);
    if (!result.ok) expect(result.error.kind).to.equal("too-many-packets");
  });

  it("accepts exactly maxPackets packets", () => {
    const payload = Array.from({ length: 1000 }, (_, i) => `4${i}`).join("\x1e");
    const result = decodePayload(payload, { maxPackets: 1000 });
    expect(result.ok).to.equal(true);
    if (result.ok) expect(result.value).to.have.length(1000);
  });

  it("passes binary records to the caller's decoder", () => {
    const result = decodePayload("bAQID", { binary: (b) => Array.from(b) });
    expect(result.ok).to.equal(true);
    if (result.ok) expect(result.value[0]!.data).to.deep.equal([1, 2, 3]);
  });
});

describe("payload-codec: properties", () => {
  // \x1e is reserved as the separator, so text data never contains it (as in Engine.IO).
  const text = fc.string({ unit: "grapheme", maxLength: 50 }).filter((s) => !s.includes("\x1e"));
  const packet: fc.Arbitrary<OutgoingPacket> = fc.oneof(
    fc.record({ type: fc.constantFrom("close", "ping", "pong", "upgrade", "noop" as const) }),
    fc.record({ type: fc.constant("message" as const), data: text }),
    fc.record({ type: fc.constant("message" as const), data: fc.uint8Array({ maxLength: 64 }) }),
  );

  it("random payloads survive encode → decode unchanged", () => {
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 20 }), (packets) => {
        const result = decodePayload(encodePayload(packets));
        expect(result.ok).to.equal(true);
        if (!result.ok) return;
        expect(result.value).to.have.length(packets.length);
        result.value.forEach((got, i) => {
          const want = packets[i]!;
          expect(got.type).to.equal(want.type);
          if (want.data instanceof Uint8Array) expect(Array.from(got.data as Uint8Array)).to.deep.equal(Array.from(want.data));
          else expect(got.data ?? "").to.equal(want.data ?? "");
        });
      }),
      { numRuns: 300 },
    );
  });

  it("decoding arbitrary strings never throws", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (input) => {
        expect(decodePayload(input, { maxPackets: 50 })).to.have.property("ok");
      }),
      { numRuns: 1000 },
    );
  });
});
