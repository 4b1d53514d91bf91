// @module Finds the packages a suite's files import (bare specifiers of require/import), so the
// runner installs what the tests load and nothing else.
import { builtinModules } from "node:module";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const BUILTIN = new Set(builtinModules);
const PATTERNS = [
  /\brequire\(\s*["']([^"'`]+)["']\s*\)/g,
  /^\s*import\s+(?!type\b)[^"';]*?\bfrom\s+["']([^"']+)["']/gm,
  /^\s*}\s*from\s+["']([^"']+)["']/gm,
  /^\s*import\s+["']([^"']+)["']/gm,
  /\bimport\(\s*["']([^"']+)["']\s*\)/g,
];

/** Package name of a bare specifier, or null for relative paths and Node built-ins. */
function packageOf(spec) {
  if (spec.startsWith(".") || spec.startsWith("/") || spec.startsWith("node:")) return null;
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return BUILTIN.has(name) ? null : name;
}

/** Every file under `dir`, not following symbolic links (`build` links to an installed package). */
function walk(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return [];
    return stat.isDirectory() ? walk(path) : [path];
  });
}

/** Sorted package names imported by the .js/.mjs/.cjs/.ts files under `root`. */
export function importedPackages(root, skip = []) {
  const names = new Set();
  for (const file of walk(root)) {
    if (!/\.(c|m)?(j|t)s$/.test(file) || file.includes(`${"/"}node_modules/`)) continue;
    if (skip.some((re) => re.test(relative(root, file)))) continue;
    const text = readFileSync(file, "utf8");
    for (const re of PATTERNS) {
      for (const m of text.matchAll(re)) {
        const name = packageOf(m[1]);
        if (name) names.add(name);
      }
    }
  }
  return [...names].sort();
}
