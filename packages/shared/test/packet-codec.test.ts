/** @module Unit tests for single-packet encoding and decoding. */

import { expect } from "chai";
import fc from "fast-check";
import { decodePacket, encodePacket, asArrayBuffer, type Packet, type PacketType } from "@heartwire/shared";

const TYPES: PacketType[] = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

function decodeOk<B = Uint8Array>(input: string | Uint8Array | ArrayBuffer, binary?: (b: Uint8Array) => B): Packet<B> {
  const result = decodePacket(input, binary);
  if (!result.ok) throw new Error(`expected ok, got ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

describe("packet-codec: encodePacket", () => {
  TYPES.forEach((type, digit) => {
    it(`encodes a bare ${type} packet as "${digit}"`, () => {
      expect(encodePacket({ type }, { supportsBinary: true })).to.equal(String(digit));
    });
  });

  it("encodes text messages as 4<text>", () => {
    expect(encodePacket({ type: "message", data: "hello" }, { supportsBinary: true })).to.equal("4hello");
  });

  it("encodes an empty message as 4", () => {
    expect(encodePacket({ type: "message", data: "" }, { supportsBinary: false })).to.equal("4");
  });

  it("encodes ping/pong probes", () => {
    expect(encodePacket({ type: "ping", data: "probe" }, { supportsBinary: true })).to.equal("2probe");
    expect(encodePacket({ type: "pong", data: "probe" }, { supportsBinary: true })).to.equal("3probe");
  });

  it("keeps multi-byte and astral Unicode intact", () => {
    const text = "héllo — 日本語 — 𝄞😀";
    expect(encodePacket({ type: "message", data: text }, { supportsBinary: false })).to.equal("4" + text);
  });

  it("sends binary raw (same memory) when the channel supports binary", () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const out = encodePacket({ type: "message", data: bytes }, { supportsBinary: true });
    expect(out).to.equal(bytes);
  });

  it("sends binary as b<base64> when the channel is text-only", () => {
    const out = encodePacket({ type: "message", data: new Uint8Array([1, 2, 3, 4]) }, { supportsBinary: false });
    expect(out).to.equal("bAQIDBA==");
  });

  it("accepts ArrayBuffer, DataView, typed arrays and Buffer, honouring view offsets", () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    const cases: ArrayBufferView[] = [
      new DataView(backing.buffer, 1, 3),
      new Uint8Array(backing.buffer, 1, 3),
      Buffer.from([1, 2, 3]),
    ];
    for (const view of cases) {
      expect(encodePacket({ type: "message", data: view }, { supportsBinary: false })).to.equal("bAQID");
    }
    expect(encodePacket({ type: "message", data: new Uint8Array([1, 2, 3]).buffer }, { supportsBinary: false })).to.equal("bAQID");
    const u16 = new Uint16Array([0x0201]);
    expect(encodePacket({ type: "message", data: u16 }, { supportsBinary: false })).to.equal("bAQI=");
  });
});

describe("packet-codec: decodePacket", () => {
  TYPES.forEach((type, digit) => {
    it(`decodes "${digit}" as a bare ${type} packet`, () => {
      expect(decodeOk(String(digit))).to.deep.equal(type === "message" ? { type, data: "" } : { type });
    });
  });

  it("decodes text messages, including astral characters", () => {
    expect(decodeOk("4héllo 😀")).to.deep.equal({ type: "message", data: "héllo 😀" });
  });

  it("decodes a base64 binary message into a Uint8Array by default", () => {
    const packet = decodeOk("bAQIDBA==");
    expect(packet.type).to.equal("message");
    expect(Array.from(packet.data as Uint8Array)).to.deep.equal([1, 2, 3, 4]);
  });

  it("decodes an empty base64 message to zero bytes", () => {
    const packet = decodeOk("b");
    expect((packet.data as Uint8Array).byteLength).to.equal(0);
  });

  it("hands binary to the caller's decoder (ArrayBuffer for browsers, Buffer for servers)", () => {
    const ab = decodeOk("bAQID", asArrayBuffer);
    expect(ab.data).to.be.instanceOf(ArrayBuffer);
    expect(Array.from(new Uint8Array(ab.data as ArrayBuffer))).to.deep.equal([1, 2, 3]);
    const buf = decodeOk("bAQID", (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    expect(Buffer.isBuffer(buf.data)).to.equal(true);
  });

  it("treats any raw binary frame as a binary message", () => {
    const frame = new Uint8Array([0x34, 0x68]); // looks like "4h" but is binary
    const packet = decodeOk(frame);
    expect(packet.type).to.equal("message");
    expect(packet.data).to.equal(frame);
    expect(decodeOk(new ArrayBuffer(0)).type).to.equal("message");
  });

  const malformed: Array<[string, string, string]> = [
    ["an empty string", "", "empty"],
    ["a type digit beyond 6", "7", "unknown-type"],
    ["a letter type", "x", "unknown-type"],
    ["a leading space", " 4hi", "unknown-type"],
    ["a multi-byte first character", "€4", "unknown-type"],
    ["an astral first character", "😀", "unknown-type"],
    ["a NUL type", "\0", "unknown-type"],
    ["a record separator", "\x1e", "unknown-type"],
    ["invalid base64 characters", "b!!!!", "invalid-base64"],
    ["base64 of impossible length", "bAAAAA", "invalid-base64"],
    ["misplaced padding", "bA=AA", "invalid-base64"],
    ["too much padding", "bA===", "invalid-base64"],
    ["non-ASCII in base64", "bAQ€D", "invalid-base64"],
  ];
  for (const [what, input, kind] of malformed) {
    it(`returns a typed '${kind}' error for ${what}`, () => {
      const result = decodePacket(input);
      expect(result.ok).to.equal(false);
      if (!result.ok) {
        expect(result.error.kind).to.equal(kind);
        expect(result.error.message).to.be.a("string").and.not.empty;
      }
    });
  }

  it("never throws on values that are neither text nor binary", () => {
    for (const v of [null, undefined, 42, {}, [], Symbol("x")]) {
      const result = decodePacket(v as unknown as string);
      expect(result.ok).to.equal(false);
    }
  });

  it("handles a large (4 MiB) text message and binary message", () => {
    const text = "a".repeat(4 * 1024 * 1024);
    expect((decodeOk("4" + text).data as string).length).to.equal(text.length);
    const bytes = new Uint8Array(4 * 1024 * 1024).map((_, i) => i & 255);
    const encoded = encodePacket({ type: "message", data: bytes }, { supportsBinary: false }) as string;
    expect(Array.from((decodeOk(encoded).data as Uint8Array).subarray(0, 300))).to.deep.equal(Array.from(bytes.subarray(0, 300)));
    expect((decodeOk(encoded).data as Uint8Array).byteLength).to.equal(bytes.byteLength);
  });
});

describe("packet-codec: properties", () => {
  const textPacket = fc.record({
    type: fc.constantFrom(...TYPES),
    data: fc.option(fc.string({ unit: "grapheme", maxLength: 200 }), { nil: undefined }),
  });

  it("text packets survive encode → decode unchanged", () => {
    fc.assert(
      fc.property(textPacket, fc.boolean(), (packet, supportsBinary) => {
        const decoded = decodeOk(encodePacket(packet, { supportsBinary }));
        const empty = packet.data === undefined || packet.data === "";
        const expected = !empty ? packet : packet.type === "message" ? { type: "message", data: "" } : { type: packet.type };
        expect(decoded).to.deep.equal(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("binary messages survive encode → decode on both channel kinds", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), (bytes, supportsBinary) => {
        const decoded = decodeOk(encodePacket({ type: "message", data: bytes }, { supportsBinary }));
        expect(decoded.type).to.equal("message");
        expect(Array.from(decoded.data as Uint8Array)).to.deep.equal(Array.from(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it("decoding arbitrary strings never throws and always yields a Result", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 100 }), (input) => {
        const result = decodePacket(input);
        expect(result).to.have.property("ok");
      }),
      { numRuns: 1000 },
    );
  });
});
