/** @module The default session id generator, across refills of its random pool. */

import { expect } from "chai";
import type { IncomingMessage } from "node:http";
import { Server } from "@heartwire/server";

describe("default session ids", () => {
  it("are 20 url-safe characters, all distinct, across several refills of the random pool", () => {
    const server = new Server();
    try {
      // 256 ids per pool: 2,000 ids cross seven refills.
      const ids = Array.from({ length: 2000 }, () => server.generateId({} as IncomingMessage));
      for (const id of ids) expect(id).to.be.a("string").and.match(/^[A-Za-z0-9_-]{20}$/);
      expect(new Set(ids).size).to.equal(ids.length);
      // Each id is 15 whole bytes of the pool (120 bits), not a shorter or padded slice.
      for (const id of ids) expect(Buffer.from(id as string, "base64url")).to.have.length(15);
    } finally {
      server.close();
    }
  });
});
