// @module Builds the browser bundles of @heartwire/client with esbuild and measures them.
// Output, all single ESM files with no imports (no ws, no Node built-ins, no polyfills; ES2022):
//   dist/browser/heartwire.js(+.min.js)            full client (polling + websocket + upgrade)
//   dist/browser/heartwire-websocket.js(+.min.js)  websocket transport only
// `node scripts/bundle.mjs [--quiet]` builds them and (unless --quiet) prints a size table (ours vs engine.io-client's Socket,
// each bundled the same way: `export { Socket } from "<entry>"`, esbuild --minify, gzip -9).
// `scripts/bundle-size.mjs` prints the same measurements as JSON for the benchmark table, and
// `scripts/bundle-analyze.mjs` shows which source file the bytes of each measured bundle come from.
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const clientDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = join(clientDir, "..", "..");
const dist = join(clientDir, "dist");
const outDir = join(dist, "browser");

/** Size budget of the full `{ Socket }`, min+gzip relative to engine.io-client's `{ Socket }` (issue 14). */
export const SIZE_BUDGET_RATIO = 1.0;

/** Size budget of the websocket-only `{ Socket }`, relative to engine.io-client's `{ Socket }` (issue 14). */
export const WEBSOCKET_BUDGET_RATIO = 0.6;

/**
 * Ceilings the bundles may not grow past, enforced by test/browser-bundle.test.ts: today's ratios,
 * while the budgets above are not met (bundle-features.mjs prices what meeting them would remove).
 * Lower them as the bundles shrink; they become the budgets once those are met.
 */
export const SIZE_CEILING_RATIO = Object.freeze({ full: 1.17, websocketOnly: 0.9 });

/** The bundles shipped in dist/browser: name → compiled entry. */
export const BUNDLES = Object.freeze({
  heartwire: "index.browser.js",
  "heartwire-websocket": "websocket.browser.js",
});

/** Node modules a browser bundle may contain; anything else (ws, polyfills) is a build error. */
const ALLOWED_PACKAGES = ["@heartwire/shared", "@heartwire+shared"];

/** The esbuild options every measured or shipped bundle shares. */
export const BUILD_OPTIONS = Object.freeze({
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  // Node built-ins are not resolvable on platform "browser": importing one fails the build.
  logLevel: "silent",
  metafile: true,
  write: false,
  legalComments: "none",
  // Metafile paths are relative to this, whatever the caller's cwd.
  absWorkingDir: clientDir,
});

function assertBrowserClean(metafile, label) {
  for (const input of Object.keys(metafile.inputs)) {
    if (input.startsWith("<stdin>")) continue;
    const inPackage = !input.includes("node_modules") && !input.startsWith("..");
    const allowed = ALLOWED_PACKAGES.some((p) => input.includes(`node_modules/${p}/`) || input.includes(`/${p}@`));
    const sibling = input.includes("packages/shared/dist/") || input.startsWith("../shared/dist/");
    if (!inPackage && !allowed && !sibling) throw new Error(`${label}: unexpected module in a browser bundle: ${input}`);
  }
}

/** min + gzip -9 byte counts of a bundled `code` (Uint8Array). */
function sizesOf(code) {
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

/**
 * Builds every bundle in {@link BUNDLES} into dist/browser (plain and minified). Requires `tsc -b`
 * to have produced dist/. Returns the written paths.
 */
export async function buildBundles() {
  await mkdir(outDir, { recursive: true });
  const written = [];
  for (const [name, entry] of Object.entries(BUNDLES)) {
    for (const minify of [false, true]) {
      const file = join(outDir, `${name}${minify ? ".min" : ""}.js`);
      const result = await esbuild.build({ ...BUILD_OPTIONS, entryPoints: [join(dist, entry)], outfile: file, minify });
      assertBrowserClean(result.metafile, name);
      const [output] = result.outputFiles;
      if (/\bfrom\s*["']|\bimport\s*\(/.test(output.text)) throw new Error(`${name}: the bundle still imports something`);
      const header = minify ? "" : `// @heartwire/client browser bundle (${name}), built from dist/${entry} by scripts/bundle.mjs.\n`;
      await writeFile(file, header + output.text);
      written.push(file);
    }
  }
  return written;
}

/**
 * Bundles `export { <names> } from "<specifier>"` the way a user's bundler would (browser
 * conditions, minified) and returns its min/gzip sizes and the modules it contains.
 */
export async function measureImport(specifier, names = ["Socket"], resolveDir = clientDir) {
  const result = await esbuild.build({
    ...BUILD_OPTIONS,
    stdin: { contents: `export { ${names.join(", ")} } from ${JSON.stringify(specifier)};`, resolveDir, loader: "js" },
    minify: true,
  });
  // Modules that kept code after tree-shaking (the metafile also lists the ones shaken to nothing).
  const [output] = Object.values(result.metafile.outputs);
  const modules = Object.entries(output.inputs)
    .filter(([m, { bytesInOutput }]) => m !== "<stdin>" && bytesInOutput > 0)
    .map(([m]) => m);
  return { ...sizesOf(result.outputFiles[0].contents), modules };
}

/** The installed engine.io-client (a devDependency of the integration tests), or undefined. */
function engineIoClient() {
  try {
    const require = createRequire(join(repoRoot, "test", "package.json"));
    const pkgPath = require.resolve("engine.io-client/package.json");
    return { dir: dirname(pkgPath), version: JSON.parse(readFileSync(pkgPath, "utf8")).version };
  } catch {
    return undefined;
  }
}

/**
 * Measures ours (full and websocket-only, from the compiled browser entries) and engine.io-client's
 * `Socket`, all bundled the same way. Sizes are bytes. `engineio` is null when engine.io-client is
 * not installed. `websocketOnly.carriesPolling` says whether polling code leaked into it.
 */
export async function measureSizes() {
  const full = await measureImport(join(dist, BUNDLES.heartwire));
  const ws = await measureImport(join(dist, BUNDLES["heartwire-websocket"]));
  const eio = engineIoClient();
  const engine = eio ? await measureImport("engine.io-client", ["Socket"], join(repoRoot, "test")) : undefined;
  const strip = (m) => ({ min: m.min, gzip: m.gzip, modules: m.modules.length });
  return {
    tool: `esbuild ${esbuild.version} (esm, es2022, platform browser, minify), gzip -9`,
    heartwire: strip(full),
    heartwireWebsocketOnly: {
      ...strip(ws),
      carriesPolling: ws.modules.some((m) => /transports\/polling\.js$|payload-codec\.js$/.test(m)),
    },
    engineio: engine ? { version: eio.version, ...strip(engine) } : null,
    ratio: engine ? full.gzip / engine.gzip : null,
    ratioWebsocketOnly: engine ? ws.gzip / engine.gzip : null,
    budget: SIZE_BUDGET_RATIO,
    budgetWebsocketOnly: WEBSOCKET_BUDGET_RATIO,
  };
}

const kb = (n) => `${(n / 1000).toFixed(2).padStart(6)} kB`;

/** Prints the size table of {@link measureSizes} (what `npm test` shows). */
export function printSizes(s, log = console.log) {
  log("browser bundle sizes (" + s.tool + "):");
  const row = (label, m) => log(`  ${label.padEnd(42)} ${kb(m.min)} min  ${kb(m.gzip)} min+gzip`);
  row("@heartwire/client            { Socket }", s.heartwire);
  row("@heartwire/client/websocket  { Socket }", s.heartwireWebsocketOnly);
  if (s.engineio) {
    row(`engine.io-client ${s.engineio.version}       { Socket }`, s.engineio);
    const verdict = (ratio, budget) => `${ratio.toFixed(2)}x (budget <= ${budget}x: ${ratio <= budget ? "within" : "OVER"})`;
    log(`  ratio min+gzip of engine.io-client's: full ${verdict(s.ratio, s.budget)}, websocket-only ${verdict(s.ratioWebsocketOnly, s.budgetWebsocketOnly)}`);
  }
  if (s.heartwireWebsocketOnly.carriesPolling) log("  WARNING: the websocket-only bundle carries polling code");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await buildBundles();
  console.log(`bundle: wrote ${files.map((f) => relative(repoRoot, f)).join(", ")}`);
  if (!process.argv.includes("--quiet")) printSizes(await measureSizes());
}
