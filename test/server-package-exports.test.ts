/** @module @heartwire/server loads through its exports map with both import and require(). */

import { expect } from "chai";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const MEMBERS = ["Server", "Socket", "attach", "listen", "TimerWheel", "resolveOptions"];

describe("@heartwire/server package exports", () => {
  it("import() exposes the engine.io-shaped API", async () => {
    const mod = (await import("@heartwire/server")) as Record<string, unknown>;
    for (const member of MEMBERS) expect(mod[member], member).to.be.a("function");
    expect(mod["protocol"]).to.equal(4);
  });

  it("require() works for CommonJS apps (Node >= 20.19)", () => {
    const mod = require("@heartwire/server") as Record<string, unknown>;
    for (const member of MEMBERS) expect(mod[member], member).to.be.a("function");
  });

  it("@heartwire/server/cluster exposes setupPrimary and setupWorker (import and require)", async () => {
    const imported = (await import("@heartwire/server/cluster")) as Record<string, unknown>;
    const required = require("@heartwire/server/cluster") as Record<string, unknown>;
    for (const mod of [imported, required]) {
      for (const member of ["setupPrimary", "setupWorker", "ClusterPrimary"]) expect(mod[member], member).to.be.a("function");
    }
  });
});
