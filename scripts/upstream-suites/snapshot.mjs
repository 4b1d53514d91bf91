// @module Reading the upstream snapshots (bare git folders) for scripts/upstream-suites.mjs:
// files of a tag, extracted unmodified, and the versions its lockfile pins.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Runs git on the bare snapshot `gitDir`; returns stdout (a Buffer when `raw`). */
export function git(gitDir, args, { input, raw = false } = {}) {
  const r = spawnSync("git", [`--git-dir=${gitDir}`, ...args], {
    input,
    maxBuffer: 1 << 30,
    encoding: raw ? undefined : "utf8",
  });
  if (r.status !== 0) {
    const err = raw ? r.stderr.toString() : r.stderr;
    throw new Error(`git ${args.join(" ")} (in ${gitDir}) failed: ${err.trim()}`);
  }
  return r.stdout;
}

/** The text of `path` at `ref`, or null when the tree has no such file. */
export function show(gitDir, ref, path) {
  const r = spawnSync("git", [`--git-dir=${gitDir}`, "show", `${ref}:${path}`], { encoding: "utf8", maxBuffer: 1 << 30 });
  return r.status === 0 ? r.stdout : null;
}

/**
 * Writes the files under `prefix` at `ref` whose path (relative to `prefix`) is one of `paths` or
 * lies under one of them into `dest`, byte for byte. Returns the paths whose content the snapshot
 * does not hold (large files may be listed but absent).
 */
export function extract(gitDir, ref, prefix, paths, dest) {
  const specs = paths.map((p) => (prefix ? `${prefix}/${p}` : p));
  const listing = git(gitDir, ["ls-tree", "-r", "-z", "--full-tree", ref, "--", ...specs]);
  const entries = listing
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const [meta, path] = line.split("\t");
      const [mode, type, hash] = meta.split(" ");
      return { mode, type, hash, path };
    })
    .filter((e) => e.type === "blob" && e.mode !== "120000");
  const out = git(gitDir, ["cat-file", "--batch"], { input: entries.map((e) => e.hash).join("\n") + "\n", raw: true });
  const absent = [];
  let at = 0;
  for (const entry of entries) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString();
    at = eol + 1;
    const rel = prefix ? entry.path.slice(prefix.length + 1) : entry.path;
    if (header.endsWith(" missing")) {
      absent.push(rel);
      continue;
    }
    const size = Number(header.split(" ")[2]);
    const file = join(dest, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, out.subarray(at, at + size), { mode: entry.mode === "100755" ? 0o755 : 0o644 });
    at += size + 1;
  }
  return absent;
}

/**
 * Pins for the packages `names` (and, for packages that are workspace members at `ref`, their
 * own dependencies, followed through) from the lockfile `lockPath` at `ref`. A workspace member's
 * version is the one its package.json has at `ref`. Returns { deps: {name: spec}, unavailable:
 * {name: reason} } where spec is what npm installs from the registry.
 */
export function pinVersions(gitDir, ref, lockPath, names) {
  const lock = JSON.parse(show(gitDir, ref, lockPath) ?? "null");
  if (!lock?.packages) throw new Error(`${lockPath} at ${ref} is not an npm lockfile (v2 or v3)`);
  const base = lockPath.includes("/") ? lockPath.slice(0, lockPath.lastIndexOf("/") + 1) : "";
  const deps = {};
  const unavailable = {};
  const queue = names.map((name) => ({ name, from: "" }));
  while (queue.length > 0) {
    const { name, from } = queue.shift();
    if (deps[name] !== undefined || unavailable[name] !== undefined) continue;
    const entry = (from && lock.packages[`${from}/node_modules/${name}`]) || lock.packages[`node_modules/${name}`];
    if (!entry) {
      unavailable[name] = `not in the upstream lockfile (${lockPath} at ${ref})`;
      continue;
    }
    if (entry.link) {
      const manifest = JSON.parse(show(gitDir, ref, `${base}${entry.resolved}/package.json`));
      deps[name] = manifest.version;
      for (const dep of Object.keys(manifest.dependencies ?? {})) queue.push({ name: dep, from: entry.resolved });
      continue;
    }
    if (entry.resolved && !entry.resolved.startsWith("https://registry.npmjs.org/")) {
      unavailable[name] = `the lockfile takes it from ${entry.resolved.replace(/#.*/, "")}, not from the npm registry`;
      continue;
    }
    deps[name] = entry.name && entry.name !== name ? `npm:${entry.name}@${entry.version}` : entry.version;
  }
  return { deps, unavailable };
}
