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
import { BUILD_OPTIONS, BUNDLES, measureSizes, SIZE_BUDGET_RATIO, WEBSOCKET_BUDGET_RATIO } from "./bundle.mjs";

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
    ["client/dist/socket.js", "this.#buffer.pushPriority(pong, MAX_WAITING_PONGS)", "this.#buffer.pushPriority(pong, 0)"],
  ]],
  ["maxIncomingPayload (poll bodies, websocket messages)", [
    ["client/dist/transports/websocket.js", "const decoded = size > max ? undefined : decodePacket(data);", "const decoded = decodePacket(data);"],
    ["client/dist/transports/websocket.js", "const size = typeof data === \"string\" ? data.length : (data?.byteLength ?? 0);", ""],
    ["client/dist/transports/websocket.js", "new HeartwireError(\"HW_ERR_PAYLOAD_TOO_LARGE\", `message larger than maxIncomingPayload (${max})`)", "undefined"],
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

/** An esbuild plugin applying `edits` to the files it loads; records which edits matched and which files loaded. */
function editPlugin(edits, matched, loaded) {
  return {
    name: "feature-edits",
    setup(build) {
      build.onLoad({ filter: /\.js$/ }, async ({ path }) => {
        const mine = edits.filter(([suffix]) => path.replaceAll("\\", "/").endsWith(suffix));
        for (const edit of mine) loaded.add(edit[0]);
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

/**
 * min+gzip bytes of a browser bundle's `Socket` (default: the full one) with `edits` applied; throws
 * if an edit did not match a file the bundle loads. Edits of files the bundle does not carry (polling
 * in the websocket-only bundle) are skipped; `applied` then tells whether any edit applied at all.
 */
async function gzipWith(edits, bundle = "heartwire") {
  const matched = new Set();
  const loaded = new Set();
  const result = await esbuild.build({
    ...BUILD_OPTIONS,
    stdin: { contents: `export { Socket } from ${JSON.stringify(join(dist, BUNDLES[bundle]))};`, resolveDir: dist, loader: "js" },
    minify: true,
    plugins: [editPlugin(edits, matched, loaded)],
  });
  const missing = edits.filter((e) => loaded.has(e[0]) && !matched.has(e));
  if (missing.length > 0) throw new Error(`edit no longer matches the compiled code: ${missing.map((e) => `${e[0]}: ${e[1]}`).join("; ")}`);
  const bytes = gzipSync(result.outputFiles[0].contents, { level: 9 }).byteLength;
  return Object.assign(new Number(bytes), { applied: matched.size > 0 });
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
const base = Number(await gzipWith([]));
const wsBase = Number(await gzipWith([], "heartwire-websocket"));
console.log(`@heartwire/client { Socket }: ${base} B min+gzip (bundle.mjs measures ${sizes.heartwire.gzip} B)`);
console.log(`@heartwire/client/websocket { Socket }: ${wsBase} B min+gzip (bundle.mjs measures ${sizes.heartwireWebsocketOnly.gzip} B)`);
console.log("  saved  ws-only  behaviour removed alone (ws-only: saved in the websocket-only bundle, - where it has no such code)");
for (const [label, edits] of FEATURES) {
  const ws = await gzipWith(edits, "heartwire-websocket");
  console.log(`  ${String(base - (await gzipWith(edits))).padStart(5)}  ${(ws.applied ? String(wsBase - ws) : "-").padStart(7)}  ${label}`);
}
const all = FEATURES.flatMap(([, edits]) => edits);
const floor = Number(await gzipWith(all));
const wsFloor = Number(await gzipWith(all, "heartwire-websocket"));
console.log(`  ${String(base - floor).padStart(5)}  ${String(wsBase - wsFloor).padStart(7)}  all of the above together: ${floor} B (websocket-only: ${wsFloor} B)`);
if (sizes.engineio) {
  const eio = sizes.engineio.gzip;
  const budget = Math.floor(eio * SIZE_BUDGET_RATIO);
  const wsBudget = Math.floor(eio * WEBSOCKET_BUDGET_RATIO);
  console.log(`engine.io-client ${sizes.engineio.version} { Socket }: ${eio} B; budgets: full ${SIZE_BUDGET_RATIO}x = ${budget} B, websocket-only ${WEBSOCKET_BUDGET_RATIO}x = ${wsBudget} B`);
  console.log(`  without WebTransport (the transports we have: polling, websocket): ${await engineIoWithoutWebTransport()} B`);
  console.log(`ours: full ${(base / eio).toFixed(2)}x, ${base - budget} B over its budget; without all of the above: ${(floor / eio).toFixed(2)}x, ${floor - budget} B over`);
  console.log(`      websocket-only ${(wsBase / eio).toFixed(2)}x, ${wsBase - wsBudget} B over its budget; without all of the above: ${(wsFloor / eio).toFixed(2)}x, ${wsFloor - wsBudget} B over`);
}
