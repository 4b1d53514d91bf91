// @module Enforces the architecture's boundaries with a plain scan of package sources:
// - only packages/shared/src/scheduler.ts and the host timers behind it (host-timer.ts, and
//   host-timer.browser.ts for bundlers) may touch host timers or clocks;
// - packages/shared/src and the client's non-Node sources import no Node built-ins or `ws`;
// - every exported declaration in packages/*/src carries a doc comment.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const problems = [];

function* walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (path.endsWith(".ts") && !path.endsWith(".d.ts")) yield path;
  }
}

const TIMER_ALLOWED = new Set(["packages/shared/src/scheduler.ts", "packages/shared/src/host-timer.ts", "packages/shared/src/host-timer.browser.ts"]);
// A bare call of a host timer or clock; `scheduler.setTimeout(` (a member call) is fine.
const TIMER_PATTERN = /(?<![.\w#])(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval)\s*\(|\b(Date\.now|performance\.now)\s*\(/;
// A method declaration named like a timer (a Scheduler implementation) is not a call.
const METHOD_DECLARATION = /^\s*(public\s+)?(setTimeout|setInterval)\s*\(.*\)\s*:\s*\w+\s*\{?\s*$/;
const NODE_IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)["'](node:[^"']+|ws|fs|net|http|https|tls|crypto|stream|events|os|path|url|zlib|buffer|util)["']/;

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " ")).replace(/\/\/.*$/gm, "");
}

for (const pkg of ["shared", "server", "client"]) {
  for (const file of walk(join(root, "packages", pkg, "src"))) {
    const rel = relative(root, file).split(sep).join("/");
    const text = readFileSync(file, "utf8");
    const code = stripComments(text);
    const lines = code.split("\n");
    lines.forEach((line, i) => {
      if (!TIMER_ALLOWED.has(rel) && TIMER_PATTERN.test(line) && !METHOD_DECLARATION.test(line)) {
        problems.push(`${rel}:${i + 1}: timers and clocks go through the Scheduler (shared/src/scheduler.ts)`);
      }
      const browserSafe = pkg === "shared" || (pkg === "client" && !rel.includes("/platform/node") && !rel.includes("/node/"));
      if (browserSafe && NODE_IMPORT.test(line)) {
        problems.push(`${rel}:${i + 1}: browser-safe code must not import Node built-ins or ws`);
      }
    });
    // Doc comments on exports: the line before `export <decl>` must end a /** */ block.
    const raw = text.split("\n");
    raw.forEach((line, i) => {
      if (!/^export\s+(async\s+)?(function|class|const|interface|type\s+\w|abstract\s+class|enum|let)\b/.test(line)) return;
      let j = i - 1;
      while (j >= 0 && /^\s*(@|\/\/)/.test(raw[j])) j--;
      if (j < 0 || !/\*\/\s*$/.test(raw[j])) problems.push(`${rel}:${i + 1}: exported declaration without a doc comment`);
    });
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`check-boundaries: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log("check-boundaries: ok");
