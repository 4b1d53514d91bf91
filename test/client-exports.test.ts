/** @module The built client loads through its exports map (import and require), and both entries match. */

import { expect } from "chai";
import { createRequire } from "node:module";
import { once } from "./helpers/events.js";

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

  it("the browser condition gives a self-contained bundle with the Node entry's names and no ws or Node built-in", async () => {
    const { readFile } = await import("node:fs/promises");
    const { dirname, join } = await import("node:path");
    const { ensureBundles } = await import("./helpers/browser.js");
    await ensureBundles();
    const pkgDir = dirname(require.resolve("@heartwire/client/package.json"));
    type Conditions = { browser: string; default: string };
    const pkg = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8")) as { exports: Record<string, Conditions> };
    const entries: Record<string, Record<string, unknown>> = {
      ".": (await import("@heartwire/client")) as Record<string, unknown>,
      "./websocket": (await import("@heartwire/client/websocket")) as Record<string, unknown>,
    };
    for (const subpath of [".", "./websocket"]) {
      const node = entries[subpath]!;
      const bundlePath = join(pkgDir, pkg.exports[subpath]!.browser);
      expect(bundlePath, subpath).to.match(/dist\/browser\/heartwire(-websocket)?\.js$/);
      const text = await readFile(bundlePath, "utf8");
      // One file: no static or dynamic imports left, so nothing can reach ws or a Node built-in.
      expect(text, subpath).to.not.match(/^\s*import\s|\bimport\s*\(|\brequire\s*\(/m);
      expect(text, subpath).to.not.match(/["']node:[a-z_/]+["']/);
      const browser = (await import(bundlePath)) as Record<string, unknown>;
      expect(Object.keys(browser).sort(), subpath).to.deep.equal(Object.keys(node).sort());
    }
  });

  it("the websocket-only subpath loads in Node (import and require) and offers only websocket", async () => {
    const mod = (await import("@heartwire/client/websocket")) as typeof import("@heartwire/client/websocket");
    expect(require("@heartwire/client/websocket").Socket).to.equal(mod.Socket);
    // As engine.io-client: no transport left is an "error" event on a later tick, not a throw.
    const socket = new mod.Socket("http://127.0.0.1:9", { transports: ["polling"] });
    const [error] = await once<[unknown]>(socket, "error", { timeoutMs: 5000 });
    expect(error).to.equal("No transports available");
    expect(Object.keys(mod.transports)).to.deep.equal(["websocket"]);
  });
});
