/** @module The built client loads through its exports map (import and require), and both entries match. */

import { expect } from "chai";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

describe("@heartwire/client package exports", () => {
  it("import() gives the Node entry with Socket, ReconnectingSocket and protocol 4", async () => {
    const mod = (await import("@heartwire/client")) as Record<string, unknown>;
    expect(mod["Socket"]).to.be.a("function");
    expect(mod["ReconnectingSocket"]).to.be.a("function");
    expect(mod["protocol"]).to.equal(4);
  });

  it("require() works for CommonJS users (Node >= 20.19)", () => {
    const mod = require("@heartwire/client") as Record<string, unknown>;
    expect(mod["Socket"]).to.be.a("function");
  });

  it("the browser build exports the same names and never imports ws or a Node built-in", async () => {
    const { readFile } = await import("node:fs/promises");
    const { dirname, join } = await import("node:path");
    const pkgDir = dirname(require.resolve("@heartwire/client/package.json"));
    const pkg = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8")) as { exports: { ".": { browser: string } } };
    const browserEntry = join(pkgDir, pkg.exports["."].browser);
    const browser = (await import(browserEntry)) as Record<string, unknown>;
    const node = (await import("@heartwire/client")) as Record<string, unknown>;
    expect(Object.keys(browser).sort()).to.deep.equal(Object.keys(node).sort());
    // Walk the browser entry's static import graph inside the package.
    const seen = new Set<string>();
    const queue = [browserEntry];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = await readFile(file, "utf8");
      for (const [, spec] of text.matchAll(/(?:import|export)[^"']*?from\s*["']([^"']+)["']/g)) {
        expect(spec, `${file} imports ${spec}`).to.not.match(/^(node:|ws$|fs$|net$|http$|https$|tls$)/);
        if (spec!.startsWith(".")) queue.push(join(dirname(file), spec!));
      }
    }
    expect([...seen].some((f) => f.endsWith("platform/browser.js"))).to.equal(true);
    expect([...seen].some((f) => f.endsWith("platform/node.js"))).to.equal(false);
  });
});
