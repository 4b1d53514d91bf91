/** @module Unit tests for binary normalisation and UTF-8 length. */

import { expect } from "chai";
import fc from "fast-check";
import { asArrayBuffer, isBinary, toUint8Array, utf8ByteLength } from "@heartwire/shared";

describe("binary", () => {
  it("recognises ArrayBuffer and every view, and nothing else", () => {
    expect(isBinary(new ArrayBuffer(1))).to.equal(true);
    expect(isBinary(new Uint8Array(1))).to.equal(true);
    expect(isBinary(new DataView(new ArrayBuffer(1)))).to.equal(true);
    expect(isBinary(Buffer.alloc(1))).to.equal(true);
    expect(isBinary(new Float64Array(1))).to.equal(true);
    for (const v of ["x", 1, null, undefined, {}, [1, 2], { byteLength: 1 }]) expect(isBinary(v)).to.equal(false);
  });

  it("views without copying and honours offsets", () => {
    const backing = new Uint8Array([0, 1, 2, 3]);
    const view = toUint8Array(new DataView(backing.buffer, 1, 2));
    expect(Array.from(view)).to.deep.equal([1, 2]);
    view[0] = 9;
    expect(backing[1]).to.equal(9);
  });

  it("asArrayBuffer returns the whole buffer when possible and a trimmed copy otherwise", () => {
    const whole = new Uint8Array([1, 2]);
    expect(asArrayBuffer(whole)).to.equal(whole.buffer);
    const partial = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const ab = asArrayBuffer(partial);
    expect(ab.byteLength).to.equal(2);
    expect(Array.from(new Uint8Array(ab))).to.deep.equal([2, 3]);
  });

  it("utf8ByteLength agrees with Buffer.byteLength, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 100 }), (s) => {
        expect(utf8ByteLength(s)).to.equal(Buffer.byteLength(s, "utf8"));
      }),
      { numRuns: 500 },
    );
    expect(utf8ByteLength("\ud800")).to.equal(3);
    expect(utf8ByteLength("😀")).to.equal(4);
  });
});
