// @module Preparing one upstream suite in the git-ignored cache: its files extracted at the tag,
// the packages its files import installed at the versions the upstream lockfile pins, and the
// module redirection that puts Heartwire (or, with --official, the official package) under test.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { extract, git, pinVersions, show } from "./snapshot.mjs";
import { importedPackages } from "./scan.mjs";
import { CANNOT_INSTALL, TAGS } from "./suites.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));

/** Installs `deps` (name → exact spec) with npm into `dir`, unless the same set is there already. */
function install(dir, deps, overrides) {
  const manifest = { name: "upstream-suite-deps", private: true, dependencies: deps, overrides };
  const text = JSON.stringify(manifest, null, 2) + "\n";
  const stamp = join(dir, "node_modules", ".installed-from.json");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === text) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), text);
  console.log(`  npm install in ${dir} (${Object.keys(deps).length} pinned packages)`);
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], {
    cwd: dir,
    stdio: "inherit",
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  if (r.status !== 0) throw new Error(`npm install failed in ${dir}`);
  writeFileSync(stamp, text);
}

/** The root `overrides` of the monorepo at `ref`, with direct dependencies made to agree. */
function overridesFor(gitDir, ref, deps) {
  const root = JSON.parse(show(gitDir, ref, "package.json") ?? "{}");
  const overrides = { ...(root.overrides ?? {}) };
  for (const [name, spec] of Object.entries(overrides)) {
    if (deps[name] !== undefined) {
      deps[name] = spec;
      delete overrides[name];
    }
  }
  return overrides;
}

/** The file of the executable `bin` of the installed package in `dir`. */
function binOf(dir, bin) {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  return join(dir, typeof manifest.bin === "string" ? manifest.bin : manifest.bin[bin]);
}

/** Writes a module that throws when used, for `what`, and returns its path. */
function stub(cache, what, reason) {
  const file = join(cache, "stubs", `${what.replace(/[^\w.-]+/g, "_")}.cjs`);
  mkdirSync(dirname(file), { recursive: true });
  const body = `module.exports = require(${JSON.stringify(join(HERE, "stub.cjs"))})(${JSON.stringify(what)}, ${JSON.stringify(reason)});\n`;
  writeFileSync(file, body);
  return file;
}

/** Entry files of the Heartwire build in `checkout`. */
export function heartwireEntries(checkout) {
  const entries = {
    server: join(checkout, "packages/server/dist/index.js"),
    client: join(checkout, "packages/client/dist/index.js"),
  };
  for (const [what, file] of Object.entries(entries)) {
    if (!existsSync(file)) throw new Error(`no ${what} build at ${file}: run 'npx tsc -b' in ${checkout}`);
  }
  return entries;
}

/**
 * Prepares `suite` (an entry of SUITES) in `cacheRoot/<name>` and returns how to run it:
 * { root, cwd, env: extra environment, server?: entry for the protocol server, absent }.
 */
export function prepare(name, suite, { snapshots, cacheRoot, official, heartwire }) {
  const gitDir = snapshots[suite.repo];
  const cache = join(cacheRoot, name);
  const root = join(cache, "pkg");
  const commit = git(gitDir, ["rev-parse", `${suite.ref}^{commit}`]).trim();

  // 1. The suite's files at the tag, unmodified.
  const stampFile = join(cache, "extracted-from.json");
  const stamp = JSON.stringify({ commit, paths: suite.paths });
  let absent;
  if (existsSync(stampFile) && JSON.parse(readFileSync(stampFile, "utf8")).stamp === stamp) {
    absent = JSON.parse(readFileSync(stampFile, "utf8")).absent;
  } else {
    rmSync(root, { recursive: true, force: true });
    absent = extract(gitDir, suite.ref, suite.prefix, suite.paths, root);
    writeFileSync(stampFile, JSON.stringify({ stamp, absent }));
  }

  // 2. What those files import, pinned by the upstream lockfile, plus the official packages.
  const imported = importedPackages(root, suite.skipScan).filter((n) => n !== suite.name);
  const wanted = [...new Set([...suite.runner, ...imported, ...(suite.name ? [suite.name] : [])])];
  const { deps, unavailable } = pinVersions(gitDir, suite.ref, suite.lock, wanted.filter((n) => !CANNOT_INSTALL[n]));
  for (const n of wanted) if (CANNOT_INSTALL[n]) unavailable[n] = CANNOT_INSTALL[n];
  const overrides = suite.repo === "socket.io" ? overridesFor(gitDir, suite.ref, deps) : {};
  install(cache, deps, overrides);
  const officialDir = (pkg) => {
    const dir = join(cache, "node_modules", pkg);
    if (!existsSync(join(dir, "package.json"))) throw new Error(`${pkg} is not installed in ${cache}`);
    return dir;
  };

  const run = { root, cwd: root, absent, commit, env: {}, mocha: binOf(officialDir("mocha"), "mocha") };

  // The protocol suite talks HTTP to a server; the official one is engine.io at its tag.
  if (suite.server) {
    if (official) {
      const serverCache = join(cache, "server");
      const pins = pinVersions(snapshots["socket.io"], TAGS["engine.io"], "package-lock.json", ["engine.io"]);
      install(serverCache, pins.deps, overridesFor(snapshots["socket.io"], TAGS["engine.io"], pins.deps));
      run.server = createRequire(join(serverCache, "package.json")).resolve("engine.io");
    } else {
      run.server = heartwire.server;
    }
    return run;
  }

  if (suite.linkBuild && !existsSync(join(root, "build"))) {
    symlinkSync(join(officialDir(suite.name), "build"), join(root, "build"), "dir");
  }

  // 3. Module redirection (see redirect.cjs).
  const config = { root, self: officialDir(suite.name), sub: {}, subDefault: officialDir(suite.name), fallback: null, bare: {} };
  for (const [n, reason] of Object.entries(unavailable)) config.bare[n] = stub(cache, n, `cannot install ${n}: ${reason}`);
  if (!official && typeof suite.swap === "string") {
    const entry = suite.swap === "self:server" ? heartwire.server : heartwire.client;
    config.self = entry;
    config.subDefault = null;
    config.fallback = stub(cache, `a private file of ${suite.name}`, `Heartwire's package has no such file (only its public exports)`);
    for (const [sub, target] of Object.entries(suite.heartwireSub ?? {})) {
      config.sub[sub] = target === "self" ? entry : stub(cache, target[0], target[1]);
    }
  } else if (!official) {
    config.bare[suite.swap.bare] = heartwire[suite.swap.with];
  }
  run.env.HW_UPSTREAM_REDIRECT = JSON.stringify(config);
  const preload = [];
  if (suite.ts) preload.push(`--import=${pathToFileURL(join(officialDir("tsx"), "dist", "loader.mjs")).href}`);
  preload.push(`--import=${new URL("./hook.mjs", import.meta.url).href}`);
  run.env.NODE_OPTIONS = preload.join(" ");
  return run;
}
