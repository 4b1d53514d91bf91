// @module Scenario 6: browser bundle size, minified + gzip, of @heartwire/client against
// engine.io-client's Socket, both bundled the same way with esbuild (ESM, browser platform).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { gzipSync } from "node:zlib";

const bench = fileURLToPath(new URL(".", import.meta.url));
const clientDist = fileURLToPath(new URL("../packages/client/dist/", import.meta.url));

/** esbuild from any workspace package that has it, or undefined. */
async function loadEsbuild() {
  for (const from of ["./package.json", "../package.json", "../packages/client/package.json"]) {
    try {
      const require = createRequire(new URL(from, import.meta.url));
      return await import(require.resolve("esbuild"));
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/** Minified and gzipped bytes of a bundle of `source` (resolved from bench/). */
async function measure(esbuild, source) {
  const out = await esbuild.build({
    stdin: { contents: source, resolveDir: bench, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    write: false,
    logLevel: "silent",
  });
  const code = out.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

/** Scenario 6 (see module comment). */
export const bundle = {
  name: "bundle",
  title: "browser bundle size (esbuild, minified + gzip)",
  async run({ impls, log }) {
    const esbuild = await loadEsbuild();
    if (esbuild === undefined) {
      log("esbuild missing: scenario skipped (install the workspace devDependencies)");
      console.error("esbuild missing");
      return [];
    }
    const entry = (file) => JSON.stringify(clientDist + file);
    const cases = [
      {
        metric: "full client (Socket): KB min+gzip",
        heartwire: `export { Socket } from ${entry("index.browser.js")};`,
        "engine.io": `export { Socket } from "engine.io-client";`,
      },
      {
        // engine.io-client 6.6.8 has no smaller entry (its Socket always carries every transport),
        // so its column repeats the full Socket.
        metric: "websocket-only import: KB min+gzip (engine.io-client: Socket)",
        heartwire: existsSync(clientDist + "websocket.browser.js") ? `export { Socket } from ${entry("websocket.browser.js")};` : undefined,
        "engine.io": `export { Socket } from "engine.io-client";`,
      },
    ];
    const rows = [];
    for (const k of cases) {
      const values = {};
      for (const impl of impls) {
        if (k[impl] === undefined) continue;
        const size = await measure(esbuild, k[impl]);
        values[impl] = [size.gzip / 1024];
        log(`${impl} ${k.metric}: ${size.min} B min, ${size.gzip} B gzip`);
      }
      rows.push({ metric: k.metric, digits: 2, values });
    }
    return rows;
  },
};
