// @module `npm run bench`: Heartwire, engine.io and raw ws through the same scenarios, server and
// load generator in separate processes, several runs each; prints medians (min–max) and ratios
// and writes bench/RESULTS.md. Flags: --quick (under two minutes), --only=<scenario,...>,
// --impls=<heartwire,engine.io,ws>.
import { existsSync, writeFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startPair, sleep, summary, median, ratio } from "./lib.mjs";
import { scenarios } from "./scenarios.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const require = createRequire(import.meta.url);
const version = (name) => {
  try {
    // Some packages do not export ./package.json: walk up from their entry point instead.
    let dir = path.dirname(require.resolve(name));
    for (;;) {
      const file = path.join(dir, "package.json");
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, "utf8"));
        if (pkg.name === name) return pkg.version;
      }
      const up = path.dirname(dir);
      if (up === dir) return "unknown";
      dir = up;
    }
  } catch {
    return "missing";
  }
};

const impls = args.find((a) => a.startsWith("--impls="))?.slice(8).split(",") ?? ["heartwire", "engine.io", "ws"];
if (impls.includes("heartwire") && !existsSync(fileURLToPath(new URL("../packages/server/dist/index.js", import.meta.url)))) {
  console.error("bench: @heartwire/server is not built; run `npm run build` first");
  process.exit(1);
}

const rows = [];
const started = Date.now();
for (const scenario of scenarios) {
  if (only && !only.includes(scenario.name)) continue;
  console.error(`\n## ${scenario.name}: ${scenario.title}`);
  const scenarioStarted = Date.now();
  const results = await scenario.run({ quick, impls, startPair, sleep, log: (m) => console.error(`  ${m}`) });
  console.error(`  (${scenario.name}: ${((Date.now() - scenarioStarted) / 1000).toFixed(0)} s)`);
  for (const row of results) rows.push({ scenario: scenario.name, ...row });
}

function cell(values, digits) {
  return values && values.length ? summary(values, digits) : "–";
}

const header = "| scenario | metric | Heartwire | engine.io | ws | ours / engine.io | ours / ws |";
const lines = [header, "| --- | --- | --- | --- | --- | --- | --- |"];
for (const r of rows) {
  const h = r.values.heartwire, e = r.values["engine.io"], w = r.values.ws;
  const m = (v) => (v && v.length ? median(v) : undefined);
  lines.push(
    `| ${r.scenario} | ${r.metric} | ${cell(h, r.digits)} | ${cell(e, r.digits)} | ${cell(w, r.digits)} | ${ratio(m(h), m(e))} | ${ratio(m(h), m(w))} |`,
  );
}
const table = lines.join("\n");
console.log(`\n${table}\n`);

const cpus = os.cpus();
const machine = `${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}`;
const doc = `# Benchmark results

Produced by \`npm run bench${quick ? " -- --quick" : ""}\` on ${new Date().toISOString().slice(0, 10)}, in ${((Date.now() - started) / 1000).toFixed(0)} s.

- Machine: ${machine}; Node ${process.version}.
- Versions: @heartwire/server ${version("@heartwire/server")}, engine.io ${version("engine.io")}, ws ${version("ws")}.
- Each cell: median (min–max) over ${quick ? "1 run" : "3 runs"}; server and load generator are separate processes sharing the machine's cores.
- Ratios compare medians. For memory, CPU and latency lower is better; for rates and throughput higher is better.

${table}
`;
// The hand-written analysis below the table ("## Analysis" onward) survives a new run.
const resultsFile = fileURLToPath(new URL("./RESULTS.md", import.meta.url));
const previous = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "";
const analysis = previous.indexOf("\n## Analysis");
if (!quick) writeFileSync(resultsFile, analysis === -1 ? doc : doc + previous.slice(analysis));
else writeFileSync(fileURLToPath(new URL("./RESULTS.quick.md", import.meta.url)), doc);
