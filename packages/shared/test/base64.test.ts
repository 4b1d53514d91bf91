/**
 * @module Unit tests for the browser-safe base64 codec, checked against Node's Buffer: the table
 * one (`base64.ts`, what Node loads) and the one bundlers pick for browsers (`base64.browser.ts`).
 */

import { expect } from "chai";
import fc from "fast-check";
import * as table from "@heartwire/shared";
import * as native from "../dist/base64.browser.js";

for (const [name, { decodeBase64, encodeBase64 }] of [["table", table], ["browser (atob/btoa)", native]] as const) {
  describe(`base64: ${name}`, () => {
    it("matches known vectors (RFC 4648 §10)", () => {
      const vectors: Array<[string, string]> = [
        ["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], ["foobar", "Zm9vYmFy"],
      ];
      for (const [plain, encoded] of vectors) {
        const bytes = new TextEncoder().encode(plain);
        expect(encodeBase64(bytes)).to.equal(encoded);
        expect(new TextDecoder().decode(decodeBase64(encoded))).to.equal(plain);
      }
    });

    it("accepts input without padding", () => {
      expect(Array.from(decodeBase64("Zg")!)).to.deep.equal([0x66]);
      expect(Array.from(decodeBase64("Zm8")!)).to.deep.equal([0x66, 0x6f]);
    });

    it("rejects what Buffer.from would silently guess at", () => {
      for (const bad of ["Z", "Zm9v!", "Zm 9v", "Zm9v\n", "=Zm9", "Zg=a", "Zg===", "Zm9vY", "-_-_", "Zm9v\u00e9"]) {
        expect(decodeBase64(bad), JSON.stringify(bad)).to.equal(undefined);
      }
    });

    it("agrees with Buffer for random bytes", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 1000 }), (bytes) => {
          const encoded = encodeBase64(bytes);
          expect(encoded).to.equal(Buffer.from(bytes).toString("base64"));
          expect(Array.from(decodeBase64(encoded)!)).to.deep.equal(Array.from(bytes));
        }),
        { numRuns: 300 },
      );
    });

    it("encodes a large buffer in one piece", () => {
      const bytes = new Uint8Array(3 * 100_000 + 1).fill(7);
      expect(encodeBase64(bytes)).to.equal(Buffer.from(bytes).toString("base64"));
    });
  });
}
