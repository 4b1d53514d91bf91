// @module What each optional behaviour of the client costs in the browser bundle, and how small the
// bundle gets without all of them. Bundles `export { Socket }` from the compiled browser entry
// exactly as bundle.mjs measures it, but with source edits applied on load that switch one
// behaviour off (every edit must match the compiled code, or the script fails). Prints, per
// behaviour, the min+gzip bytes saved by removing it alone, then the size with all of them
// removed, against engine.io-client's Socket and the size budget. A measuring tool for deciding
// what the budget is worth: nothing it builds is shipped. Needs `tsc -b` first.
// usage: node packages/client/scripts/bundle-features.mjs
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { BUILD_OPTIONS, BUNDLES, measureSizes, SIZE_BUDGET_RATIO } from "./bundle.mjs";

const dist = fileURLToPath(new URL("../dist", import.meta.url));

/**
 * Behaviours engine.io-client does not have (or has in a weaker form), each as edits to compiled
 * files: [file suffix, exact text, replacement]. A replacement keeps the code valid and lets the
 * minifier drop what became unreachable.
 */
const FEATURES = [
  ["page lifecycle hooks (visibility, pageshow, online/offline, beforeunload)", [
    ["client/dist/platform/browser.js", "watchLifecycle: watchPage,", "watchLifecycle: () => () => { },"],
  ]],
  ["open-packet validation (sid, delays, upgrades, maxPayload)", [
    ["shared/dist/handshake.js", "problem = openPacketProblem(body);", "problem = undefined;"],
  ]],
  ["option validation (numbers, URI, transports)", [
    ["client/dist/options.js", "if (!valid)", "if (false)"],
  ]],
  ["round-trip time from ping spacing (rtt, smoothedRtt, rtt event)", [
    ["client/dist/heartbeat-watch.js", "const sample = lastPingAt === undefined ? undefined : rttFromPingSpacing(lastPingAt, now, timing);", "const sample = undefined;"],
  ]],
  ["stall grace before a ping timeout (blocked event loop)", [
    ["client/dist/heartbeat-watch.js", "else if (!confirming && late > STALL_THRESHOLD) {", "else if (false) {"],
  ]],
  ["forward-only ready-state assertion", [
    ["client/dist/socket.js", "if (STATES.indexOf(to) <= STATES.indexOf(this.#readyState)) {", "if (false) {"],
  ]],
  ["socket.unsent (messages that never left)", [
    ["client/dist/socket.js", "(this.#unsent ??= []).push({ data: payload, callback: done });", "void 0;"],
    ["client/dist/socket.js", "(this.#unsent ??= []).push({ data: payload, callback: done });", "void 0;"],
    ["client/dist/socket.js", "this.#unsent = this.#unsent ? unsent.concat(this.#unsent) : unsent;", "void 0;"],
  ]],
  ["cap on waiting pongs (ping flood)", [
    ["client/dist/write-buffer.js", "const queued = head < max;", "const queued = true;"],
  ]],
  ["maxIncomingPayload (poll bodies, websocket messages)", [
    ["client/dist/transports/websocket.js", "const decoded = size > max ? undefined : decodePacket(data);", "const decoded = decodePacket(data);"],
    ["client/dist/transports/polling.js", "if (get && text.length > maxIncomingPayload) {", "if (false) {"],
  ]],
  ["POST batches split at the server's maxPayload", [
    ["client/dist/socket.js", "bytes && this.maxPayload ? { max: this.maxPayload, bytes } : undefined", "undefined"],
  ]],
  ["tryAllTransports and rememberUpgrade", [
    ["client/dist/upgrading-slot.js", "if (opts.rememberUpgrade && websocketWorked", "if (false && websocketWorked"],
    ["client/dist/upgrading-slot.js", "if (!opts.tryAllTransports || candidates.length <= 1)", "if (true)"],
  ]],
  ["openTimeout (a handshake that is never answered)", [
    ["client/dist/socket.js", "const openTimeout = this.#opts.openTimeout;", "const openTimeout = undefined;"],
  ]],
  ["Engine.IO error code and message from HTTP error bodies", [
    ["client/dist/transports/polling.js", "const { code, message } = parseErrorBody(text);", "const code = undefined, message = undefined;"],
  ]],
];

/** An esbuild plugin applying `edits` to the files it loads; records which edits matched. */
function editPlugin(edits, matched) {
  return {
    name: "feature-edits",
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, async ({ path }) => {
        const mine = edits.filter(([suffix]) => path.replaceAll("\\", "/").endsWith(suffix));
        if (mine.length === 0) return undefined;
        let contents = await readFile(path, "utf8");
        for (const edit of mine) {
          if (!contents.includes(edit[1])) continue;
          contents = contents.replace(edit[1], edit[2]);
          matched.add(edit);
        }
        return { contents, loader: "js" };
      });
    },
  };
}

/** min+gzip bytes of the full browser `Socket` with `edits` applied; throws if an edit did not match. */
async function gzipWith(edits) {
  const matched = new Set();
  const result = await esbuild.build({
    ...BUILD_OPTIONS,
    stdin: { contents: `export { Socket } from ${JSON.stringify(join(dist, BUNDLES.heartwire))};`, resolveDir: dist, loader: "js" },
    minify: true,
    plugins: [editPlugin(edits, matched)],
  });
  const missing = edits.filter((e) => !matched.has(e));
  if (missing.length > 0) throw new Error(`edit no longer matches the compiled code: ${missing.map((e) => `${e[0]}: ${e[1]}`).join("; ")}`);
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).byteLength;
}

/**
 * engine.io-client's `Socket` bundled the same way, with its WebTransport transport replaced by an
 * empty class: the part of it that does what ours does. Returns min+gzip bytes.
 */
async function engineIoWithoutWebTransport() {
  const stub = {
    name: "no-webtransport",
    setup(build) {
      build.onLoad({ filter: /engine\.io-client[\\/].*webtransport\.js$/ }, () => ({ contents: "export class WT {}", loader: "js" }));
    },
  };
  const result = await esbuild.build({
    ...BUILD_OPTIONS,
    stdin: { contents: `export { Socket } from "engine.io-client";`, resolveDir: join(dist, "..", "..", "..", "test"), loader: "js" },
    minify: true,
    plugins: [stub],
  });
  const [output] = Object.values(result.metafile.outputs);
  if (!Object.keys(output.inputs).some((m) => m.endsWith("webtransport.js"))) throw new Error("engine.io-client no longer has webtransport.js");
  return gzipSync(result.outputFiles[0].contents, { level: 9 }).byteLength;
}

const sizes = await measureSizes();
const base = await gzipWith([]);
console.log(`@heartwire/client { Socket }: ${base} B min+gzip (bundle.mjs measures ${sizes.heartwire.gzip} B)`);
console.log("  saved  behaviour removed alone");
for (const [label, edits] of FEATURES) console.log(`  ${String(base - (await gzipWith(edits))).padStart(5)}  ${label}`);
const floor = await gzipWith(FEATURES.flatMap(([, edits]) => edits));
console.log(`  ${String(base - floor).padStart(5)}  all of the above together: ${floor} B`);
if (sizes.engineio) {
  const budget = Math.floor(sizes.engineio.gzip * SIZE_BUDGET_RATIO);
  console.log(`engine.io-client ${sizes.engineio.version} { Socket }: ${sizes.engineio.gzip} B; budget ${SIZE_BUDGET_RATIO}x = ${budget} B`);
  console.log(`  without WebTransport (the transports we have: polling, websocket): ${await engineIoWithoutWebTransport()} B`);
  console.log(`ours: ${(base / sizes.engineio.gzip).toFixed(2)}x; without all of the above: ${(floor / sizes.engineio.gzip).toFixed(2)}x, ${floor - budget} B over the budget`);
}
