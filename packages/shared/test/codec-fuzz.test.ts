/**
 * @module Property-based fuzzing of the codec with thousands of runs: decoders never throw on any
 * string or byte sequence (lone surrogates, separators, base64 garbage), encode → decode round-trips
 * for packets, frames and payloads, and decoding does work linear in the input (counted, not timed:
 * a timing ratio depends on the machine and on GC pauses).
 */

import { expect } from "chai";
import fc from "fast-check";
import { decodeBase64, decodePacket, decodePayload, encodeBase64, encodePacket, encodePayload, parseOpenPacket, type OutgoingPacket } from "@heartwire/shared";

/** Strings biased towards the protocol's own characters, so the fuzzer reaches the decoder's branches. */
const protocolish = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom("0", "1", "2", "3", "4", "5", "6", "7", "9", "b", "\x1e", "=", "+", "/", "A", "{", "}", "\"", "probe") },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
      { weight: 1, arbitrary: fc.constantFrom("\ud800", "\udfff", "\u0000", "\ufeff", "😀") },
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(""));

const text = fc.string({ unit: "binary", maxLength: 80 }).filter((s) => !s.includes("\x1e"));
const packet: fc.Arbitrary<OutgoingPacket> = fc.oneof(
  fc.record({ type: fc.constantFrom("open", "close", "ping", "pong", "upgrade", "noop" as const) }),
  fc.record({ type: fc.constantFrom("ping", "pong", "message" as const), data: text }),
  fc.record({ type: fc.constant("message" as const), data: fc.uint8Array({ maxLength: 128 }) }),
);

function sameData(got: unknown, want: OutgoingPacket["data"]): void {
  if (want instanceof Uint8Array) expect(Array.from(got as Uint8Array)).to.deep.equal(Array.from(want));
  else expect(got ?? "").to.equal(want ?? "");
}

/**
 * A stand-in for a string that counts the characters each operation examines, for the operations the
 * payload decoder and `decodeBase64` use (`length`, `indexOf`, `slice`, `charCodeAt`). `slice` hands
 * out real strings, which `decodePacket` needs. Any other operation throws, so a decoder that starts
 * using one must be taught here rather than escape the count.
 */
class CountingText {
  /** Characters examined so far. */
  steps = 0;
  /** Characters handed out by `slice`. */
  sliced = 0;
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  get length(): number {
    return this.#text.length;
  }
  indexOf(search: string, from = 0): number {
    const found = this.#text.indexOf(search, from);
    this.steps += (found === -1 ? this.#text.length : found + search.length) - Math.max(0, from) + 1;
    return found;
  }
  slice(start: number, end?: number): string {
    const part = this.#text.slice(start, end);
    this.steps += part.length + 1;
    this.sliced += part.length;
    return part;
  }
  charCodeAt(index: number): number {
    this.steps++;
    return this.#text.charCodeAt(index);
  }
  asString(): string {
    return this as unknown as string;
  }
}

describe("codec fuzzing (property-based, thousands of runs)", () => {
  it("decodePacket never throws on any string, including lone surrogates (5,000 runs)", () => {
    fc.assert(
      fc.property(fc.oneof(protocolish, fc.string({ unit: "binary", maxLength: 300 })), (input) => {
        const result = decodePacket(input);
        expect(result.ok === true || result.ok === false).to.equal(true);
      }),
      { numRuns: 5000 },
    );
  });

  it("decodePacket never throws on any byte sequence (3,000 runs)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const result = decodePacket(bytes);
        expect(result.ok).to.equal(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("decodePayload never throws, whatever the limits (5,000 runs)", () => {
    fc.assert(
      fc.property(fc.oneof(protocolish, fc.string({ unit: "binary", maxLength: 300 })), fc.integer({ min: 1, max: 100 }), (input, maxPackets) => {
        const result = decodePayload(input, { maxPackets });
        if (result.ok) expect(result.value.length).to.be.at.most(maxPackets);
      }),
      { numRuns: 5000 },
    );
  });

  it("parseOpenPacket never throws on protocol-ish or JSON input (3,000 runs)", () => {
    fc.assert(fc.property(fc.oneof(protocolish, fc.json()), (input) => void parseOpenPacket(input)), { numRuns: 3000 });
  });

  it("packets round-trip through websocket frames, binary and base64 (3,000 runs)", () => {
    fc.assert(
      fc.property(packet, fc.boolean(), (p, supportsBinary) => {
        const frame = encodePacket(p, { supportsBinary });
        const result = decodePacket(frame);
        expect(result.ok).to.equal(true);
        if (!result.ok) return;
        expect(result.value.type).to.equal(p.type);
        sameData(result.value.data, p.data);
      }),
      { numRuns: 3000 },
    );
  });

  it("payloads round-trip through encodePayload/decodePayload (3,000 runs)", () => {
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 30 }), (packets) => {
        const result = decodePayload(encodePayload(packets));
        expect(result.ok).to.equal(true);
        if (!result.ok) return;
        expect(result.value.map((p) => p.type)).to.deep.equal(packets.map((p) => p.type));
        result.value.forEach((got, i) => sameData(got.data, packets[i]!.data));
      }),
      { numRuns: 3000 },
    );
  });

  it("base64 round-trips any bytes (3,000 runs)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const decoded = decodeBase64(encodeBase64(bytes));
        expect(decoded && Array.from(decoded)).to.deep.equal(Array.from(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  const shapes: [string, (n: number) => string][] = [
    ["a separator storm", (n) => "\x1e".repeat(n)],
    ["empty messages", (n) => "4\x1e".repeat(n / 2) + "4"],
    ["one long text packet", (n) => "4" + "x".repeat(n)],
    ["one long base64 packet", (n) => "b" + "QUJD".repeat(n / 4)],
    ["base64 garbage at the end", (n) => "b" + "A".repeat(n) + "!"],
    ["mixed records", (n) => "4ab\x1ebQUJD\x1e3\x1e".repeat(n / 12) + "6"],
  ];
  // Linear means: the decoder examines each character a bounded number of times, so the count for
  // 16x the input is about 16x (a quadratic decoder would examine 256x), and at most a few per
  // character. Deterministic: no clock, no GC.
  for (const [what, make] of shapes) {
    it(`decodePayload does work linear in input size: ${what}`, () => {
      const counts = [1 << 12, 1 << 16].map((n) => {
        const input = make(n);
        const text = new CountingText(input);
        const got = decodePayload(text.asString(), { maxPackets: Infinity });
        expect(got, "same result as on a real string").to.deep.equal(decodePayload(input, { maxPackets: Infinity }));
        return { n: input.length, steps: text.steps, sliced: text.sliced };
      });
      for (const { n, steps, sliced } of counts) {
        expect(steps, `${steps} steps for ${n} characters`).to.be.at.most(4 * n + 16);
        expect(sliced, "each character goes to at most one record").to.be.at.most(n);
      }
      const [small, large] = counts as [(typeof counts)[0], (typeof counts)[0]];
      expect(large.steps / small.steps, `${small.steps} → ${large.steps} steps for 16x the input`).to.be.below(17);
    });
  }

  for (const [what, make] of [
    ["valid", (n: number) => "QUJD".repeat(n / 4)],
    ["valid, padded", (n: number) => "QUJD".repeat(n / 4 - 1) + "QQ=="],
    ["garbage at the end", (n: number) => "A".repeat(n) + "!"],
  ] as const) {
    it(`decodeBase64 reads each character at most once: ${what}`, () => {
      for (const n of [1 << 12, 1 << 16]) {
        const input = make(n);
        const text = new CountingText(input);
        expect(decodeBase64(text.asString())).to.deep.equal(decodeBase64(input));
        expect(text.steps, `${text.steps} reads of ${input.length} characters`).to.be.at.most(input.length + 4);
      }
    });
  }
});
