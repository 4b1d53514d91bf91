/** @module Each built package loads through its `exports` map with both `import` and `require()`. */

import { expect } from "chai";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Package name → one export that must be present on the loaded module. */
const PACKAGES: Record<string, string> = {
  "@heartwire/shared": "encodePacket",
};

describe("package exports", () => {
  for (const [name, member] of Object.entries(PACKAGES)) {
    it(`import() loads ${name}`, async () => {
      const mod = (await import(name)) as Record<string, unknown>;
      expect(mod[member], `${name}.${member}`).to.be.a("function");
    });

    it(`require() loads ${name} (CommonJS users, Node >= 20.19)`, () => {
      const mod = require(name) as Record<string, unknown>;
      expect(mod[member], `${name}.${member}`).to.be.a("function");
    });
  }

  it("require() loads @heartwire/shared/testing", () => {
    const mod = require("@heartwire/shared/testing") as Record<string, unknown>;
    expect(mod["FakeScheduler"]).to.be.a("function");
  });
});
