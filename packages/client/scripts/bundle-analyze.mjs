// @module Where the bytes of a measured browser bundle come from: bundles `export { Socket }` from
// a compiled browser entry exactly as bundle.mjs measures it, then attributes every output byte to
// its source file through the source map. Per file: minified bytes, and what its code adds to the
// min+gzip size (the bundle's gzip size minus that of the bundle without it; shared context makes
// these add up to less than the total). Needs `tsc -b` first.
// usage: node packages/client/scripts/bundle-analyze.mjs [heartwire|heartwire-websocket]
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { BUILD_OPTIONS, BUNDLES } from "./bundle.mjs";

const dist = fileURLToPath(new URL("../dist", import.meta.url));
const name = process.argv[2] ?? "heartwire";
if (!(name in BUNDLES)) throw new Error(`unknown bundle ${name} (one of ${Object.keys(BUNDLES).join(", ")})`);

const result = await esbuild.build({
  ...BUILD_OPTIONS,
  stdin: { contents: `export { Socket } from ${JSON.stringify(join(dist, BUNDLES[name]))};`, resolveDir: dist, loader: "js" },
  minify: true,
  sourcemap: "external",
  outfile: "analyze.js",
});
// Without the trailing sourceMappingURL comment, the code is byte for byte what bundle.mjs measures.
const code = result.outputFiles.find((f) => f.path.endsWith(".js")).text.replace(/\n\/\/# sourceMappingURL=\S+\n?$/, "\n");
const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith(".map")).text);

/** Decodes one source-map segment (base64 VLQ) into its fields. */
function decodeSegment(segment) {
  const fields = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".indexOf(char);
    value += (digit & 31) << shift;
    shift += 5;
    if (digit & 32) continue;
    fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return fields;
}

// The source file of every output character, line by line (esbuild's runtime helpers have none).
const lines = code.split("\n");
const owners = lines.map((line) => new Array(line.length).fill("(esbuild runtime)"));
let source = 0;
map.mappings.split(";").forEach((line, row) => {
  const starts = [];
  let column = 0;
  for (const segment of line.split(",").filter(Boolean)) {
    const fields = decodeSegment(segment);
    column += fields[0];
    if (fields.length > 1) source += fields[1];
    starts.push([column, fields.length > 1 ? map.sources[source] : "(esbuild runtime)"]);
  }
  starts.forEach(([from, file], i) => owners[row].fill(file, from, starts[i + 1]?.[0] ?? lines[row].length));
});

const gzip = (text) => gzipSync(text, { level: 9 }).byteLength;
const total = gzip(code);
const rows = [...new Set(owners.flat())].map((file) => {
  const kept = lines.map((line, row) => [...line].filter((_, k) => owners[row][k] !== file).join(""));
  const min = owners.flat().filter((f) => f === file).length;
  return { file: file.replace(/^(\.\.\/)+/, "").replace(/^packages\//, ""), min, gzip: total - gzip(kept.join("\n")) };
});
rows.sort((a, b) => b.gzip - a.gzip);
console.log(`${name} { Socket }: ${code.length} B min, ${total} B min+gzip (${BUILD_OPTIONS.target}, gzip -9)`);
console.log("  min B  +gzip B  source");
for (const r of rows) console.log(`${String(r.min).padStart(7)} ${String(r.gzip).padStart(8)}  ${r.file}`);
