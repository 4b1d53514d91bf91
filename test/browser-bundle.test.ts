/**
 * @module The browser bundles (packages/client/scripts/bundle.mjs): built, self-contained, and
 * tree-shakable — a websocket-only import carries no polling code, whether it comes from the
 * compiled entry or from the shipped bundle through the `browser` export condition.
 */

import { expect } from "chai";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { ensureBundles } from "./helpers/browser.js";

interface Measured {
  readonly min: number;
  readonly gzip: number;
  readonly modules: string[];
}

interface BundleScript {
  measureImport(specifier: string, names?: string[], resolveDir?: string): Promise<Measured>;
  measureSizes(): Promise<{
    heartwire: { gzip: number };
    heartwireWebsocketOnly: { gzip: number; carriesPolling: boolean };
    engineio: { gzip: number } | null;
    ratio: number | null;
    ratioWebsocketOnly: number | null;
  }>;
  /** The ratios the bundles may not grow past (today's figures) until the issue 14 budgets are met. */
  SIZE_CEILING_RATIO: { full: number; websocketOnly: number };
}

const require = createRequire(import.meta.url);
const clientDir = dirname(require.resolve("@heartwire/client/package.json"));
/** test/ (this file runs from test/dist/). */
const testDir = fileURLToPath(new URL("..", import.meta.url));

describe("browser bundle", function () {
  let script: BundleScript;

  before(async () => {
    await ensureBundles();
    script = (await import(pathToFileURL(join(clientDir, "scripts", "bundle.mjs")).href)) as BundleScript;
  });

  it("a websocket-only import (compiled entry) keeps no polling transport or payload codec", async () => {
    const ws = await script.measureImport(join(clientDir, "dist", "websocket.browser.js"));
    const full = await script.measureImport(join(clientDir, "dist", "index.browser.js"));
    const polling = /transports\/polling\.js$|payload-codec\.js$/;
    expect(ws.modules.filter((m) => polling.test(m))).to.deep.equal([]);
    expect(full.modules.filter((m) => polling.test(m))).to.have.length(2);
    expect(ws.gzip).to.be.below(full.gzip);
    expect([...ws.modules, ...full.modules].filter((m) => /node_modules\/(ws|.*polyfill)/.test(m))).to.deep.equal([]);
  });

  it("bundlers resolve the package through the browser condition to the self-contained bundles", async () => {
    const full = await script.measureImport("@heartwire/client", ["Socket"], testDir);
    const ws = await script.measureImport("@heartwire/client/websocket", ["Socket"], testDir);
    expect(full.modules.map((m) => m.replace(/^.*dist\//, ""))).to.deep.equal(["browser/heartwire.js"]);
    expect(ws.modules.map((m) => m.replace(/^.*dist\//, ""))).to.deep.equal(["browser/heartwire-websocket.js"]);
    expect(ws.gzip).to.be.below(full.gzip);
  });

  it("measures ours against engine.io-client's Socket (sizes are printed by npm test); neither grows past its ceiling", async () => {
    const sizes = await script.measureSizes();
    expect(sizes.heartwire.gzip).to.be.above(1000);
    expect(sizes.heartwireWebsocketOnly.carriesPolling).to.equal(false);
    expect(sizes.engineio?.gzip).to.be.above(1000);
    expect(sizes.ratio, "full { Socket } / engine.io-client's").to.be.at.most(script.SIZE_CEILING_RATIO.full);
    expect(sizes.ratioWebsocketOnly, "websocket-only { Socket } / engine.io-client's").to.be.at.most(script.SIZE_CEILING_RATIO.websocketOnly);
  });

  it("bundle-features.mjs still finds every behaviour it switches off, and each one costs bytes", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(clientDir, "scripts", "bundle-features.mjs")], { timeout: 60_000 });
    // Each row: bytes saved in the full bundle, in the websocket-only one ("-": no such code there), label.
    const saved = [...stdout.matchAll(/^ +(-?\d+) +(-?\d+|-) {2}(.+)$/gm)].map(([, bytes, ws, label]) => ({ bytes: Number(bytes), ws, label }));
    expect(saved.length, stdout).to.equal(14); // thirteen behaviours and the total
    for (const { bytes, label } of saved) expect(bytes, label).to.be.above(0);
    const [total, ...each] = [saved.at(-1)!, ...saved.slice(0, -1)];
    expect(total.bytes).to.be.at.least(Math.max(...each.map((s) => s.bytes)));
    expect(Number(total.ws), stdout).to.be.at.least(Math.max(...each.map((s) => Number(s.ws) || 0)));
    expect(each.filter((s) => s.ws === "-").map((s) => s.label)).to.deep.equal([
      "tryAllTransports and rememberUpgrade",
      "Engine.IO error code and message from HTTP error bodies",
    ]);
  });
});
