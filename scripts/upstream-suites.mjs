#!/usr/bin/env node
// @module Runs the ecosystem's own test suites, unmodified, against Heartwire (issue 12 §1):
// the Engine.IO protocol suite, engine.io's server suite, engine.io-client's Node suite (our
// client against the official server), socket.io's server suite on our engine and
// socket.io-client's suite on our client. Files come from the upstream snapshots at their release
// tags, into the git-ignored .upstream-cache/; Heartwire is swapped in by module resolution
// (scripts/upstream-suites/redirect.cjs), never by editing an upstream file.
//
//   node scripts/upstream-suites.mjs [--official] [--suite a,b] [--grep re] [--heartwire dir]
//                                    [--out results.json] [--socketio dir] [--protocol dir]
//                                    [--timeout minutes per suite] [--retries n]
//
// Prints `N passed, M failed` per suite; exits non-zero when a test fails that
// scripts/upstream-suites.notes.json does not list. A development tool: not part of `npm test`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SUITES } from "./upstream-suites/suites.mjs";
import { heartwireEntries, prepare } from "./upstream-suites/prepare.mjs";

const SCRIPT = fileURLToPath(import.meta.url);
const REPO = resolve(dirname(SCRIPT), "..");
const LOCK = "/tmp/upstream-suite.lock";
const NOTE_KINDS = ["reads private fields", "needs protocol v3", "needs a package we cannot install"];

function usage(message) {
  if (message) console.error(`upstream-suites: ${message}`);
  console.error(
    "usage: node scripts/upstream-suites.mjs [--official] [--suite " +
      Object.keys(SUITES).join(",") +
      "] [--grep re] [--heartwire checkout] [--out file.json] [--socketio snapshot] [--protocol snapshot] [--timeout minutes] [--retries n]",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    official: false,
    suites: Object.keys(SUITES),
    grep: undefined,
    heartwire: REPO,
    out: undefined,
    socketio: "/work/.mirror/socketio+socket.io/repo",
    protocol: "/work/.mirror/socketio+engine.io-protocol/repo",
    timeoutMin: 20,
    retries: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${arg} needs a value`));
    if (arg === "--official") opts.official = true;
    else if (arg === "--suite") opts.suites = value().split(",").filter(Boolean);
    else if (arg === "--grep") opts.grep = value();
    else if (arg === "--heartwire") opts.heartwire = resolve(value());
    else if (arg === "--out") opts.out = resolve(value());
    else if (arg === "--socketio") opts.socketio = resolve(value());
    else if (arg === "--protocol") opts.protocol = resolve(value());
    else if (arg === "--timeout") opts.timeoutMin = Number(value());
    else if (arg === "--retries") opts.retries = Number(value());
    else if (arg === "--help" || arg === "-h") usage();
    else usage(`unknown argument ${arg}`);
  }
  for (const s of opts.suites) if (!SUITES[s]) usage(`unknown suite ${s}`);
  return opts;
}

/** The suites use fixed ports (3000, 3210): one run at a time machine-wide, under flock. */
function underLock() {
  if (process.env.HW_UPSTREAM_LOCKED === LOCK) return;
  const probe = spawnSync("flock", ["-n", LOCK, "true"]);
  if (probe.status !== 0) console.log(`waiting for ${LOCK} (another upstream suite run holds it)…`);
  const r = spawnSync("flock", [LOCK, process.execPath, SCRIPT, ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, HW_UPSTREAM_LOCKED: LOCK },
  });
  process.exit(r.status ?? 1);
}

function loadNotes() {
  const file = join(REPO, "scripts", "upstream-suites.notes.json");
  const { notes, deviations = [] } = JSON.parse(readFileSync(file, "utf8"));
  for (const n of notes) {
    if (!SUITES[n.suite] || !n.title || !NOTE_KINDS.includes(n.kind) || !n.reason) {
      throw new Error(`bad note in ${file}: ${JSON.stringify(n)} (kind must be one of: ${NOTE_KINDS.join("; ")})`);
    }
  }
  for (const d of deviations) {
    if (!SUITES[d.suite] || !d.title || !d.reason) throw new Error(`bad deviation in ${file}: ${JSON.stringify(d)}`);
  }
  return { notes, deviations };
}

/** Starts the protocol suite's server on port 3000 and resolves once it listens. */
function startProtocolServer(entry) {
  const child = spawn(process.execPath, [join(REPO, "scripts/upstream-suites/protocol-server.mjs"), entry], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error("protocol server did not start within 15 s")), 15_000);
    child.stdout.on("data", (chunk) => {
      if (String(chunk).includes("listening")) {
        clearTimeout(timer);
        resolveStart(child);
      }
    });
    child.once("exit", (code) => reject(new Error(`protocol server exited (${code})`)));
  });
}

/** Runs mocha for a prepared suite; resolves with its exit code (or "timeout"). */
function runMocha(run, suite, opts, resultsFile) {
  // --no-config: mocha would otherwise pick up this repository's .mocharc (the cache lies inside it).
  const args = [run.mocha, "--no-config", ...suite.mocha, "--reporter", join(REPO, "scripts/upstream-suites/reporter.cjs")];
  if (opts.grep) args.push("--grep", opts.grep);
  // Upstream runs with no retries; --retries N tells a timing flake (busy machine) from a failure.
  if (opts.retries > 0) args.push("--retries", String(opts.retries));
  const env = { ...process.env, ...run.env, HW_UPSTREAM_RESULTS: resultsFile };
  for (const v of ["EIO_CLIENT", "EIO_WS_ENGINE", "USE_FETCH", "USE_BUILTIN_WS", "DEBUG", "BROWSERS"]) delete env[v];
  if (!run.env.NODE_OPTIONS) delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, args, { cwd: run.cwd, env, stdio: "inherit", detached: true });
  return new Promise((done) => {
    const timer = setTimeout(() => {
      console.log(`  … still running after ${opts.timeoutMin} min: stopped`);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      done("timeout");
    }, opts.timeoutMin * 60_000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      // Leftover processes of the suite (spawned fixtures) go with it.
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      done(code ?? signal);
    });
  });
}

/** Reads the reporter's lines; a test reported twice (a late error) counts as failed. */
function readResults(file) {
  const tests = new Map();
  let ended = false;
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  for (const line of text.split("\n").filter(Boolean)) {
    const r = JSON.parse(line);
    if (r.end) {
      ended = true;
      continue;
    }
    const key = `${r.file ?? ""}\u0000${r.title}`;
    const seen = tests.get(key);
    // The first failure's error is the one that says why; later ones are usually its echo.
    if (!seen || r.state === "failed") tests.set(key, { ...seen, ...r, error: seen?.error ?? r.error });
  }
  return { tests: [...tests.values()], ended };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  underLock();
  // Deviations are not notes: they still count as failures (and in the exit code); the list
  // only says why Heartwire differs on purpose (README, "Ecosystem test suites").
  const { notes, deviations } = loadNotes();
  const snapshots = { "socket.io": opts.socketio, protocol: opts.protocol };
  for (const [what, dir] of Object.entries(snapshots)) {
    if (!existsSync(dir)) usage(`no ${what} snapshot at ${dir} (fetch it first; see the README, "Ecosystem test suites")`);
  }
  const heartwire = opts.official ? null : heartwireEntries(opts.heartwire);
  const hwCommit = spawnSync("git", ["-C", opts.heartwire, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).stdout.trim();
  const against = opts.official ? "the official packages" : `Heartwire (${opts.heartwire} @ ${hwCommit || "?"})`;
  const cacheRoot = join(REPO, ".upstream-cache");
  const report = { against: opts.official ? "official" : "heartwire", heartwire: opts.heartwire, commit: hwCommit, suites: {} };
  let unnotedFailures = 0;

  for (const name of opts.suites) {
    const suite = SUITES[name];
    const tag = suite.repo === "protocol" ? "engine.io-protocol test-suite" : suite.ref;
    console.log(`\n== ${name} (${tag}) against ${against}`);
    const run = prepare(name, suite, { snapshots, cacheRoot, official: opts.official, heartwire });
    if (run.absent.length > 0) console.log(`  absent from the snapshot: ${run.absent.join(", ")}`);
    const resultsFile = join(cacheRoot, name, "results.jsonl");
    rmSync(resultsFile, { force: true });
    let server;
    let exit;
    try {
      if (run.server) server = await startProtocolServer(run.server);
      exit = await runMocha(run, suite, opts, resultsFile);
    } finally {
      server?.kill();
    }
    const { tests, ended } = readResults(resultsFile);
    const noted = new Set(notes.filter((n) => n.suite === name).map((n) => n.title));
    const absentHit = (t) => run.absent.some((file) => t.error?.includes(file.split("/").pop()) && /ENOENT/.test(t.error));
    const deviating = new Map(deviations.filter((d) => d.suite === name).map((d) => [d.title, d.reason]));
    for (const t of tests) {
      t.noted = noted.has(t.title);
      if (t.state === "failed" && !t.noted && deviating.has(t.title)) t.deviation = deviating.get(t.title);
      if (t.state === "failed" && !t.noted && absentHit(t)) t.absentFixture = true;
    }
    const passed = tests.filter((t) => t.state === "passed").length;
    const failed = tests.filter((t) => t.state === "failed");
    const notedFailed = failed.filter((t) => t.noted).length;
    const absentFailed = failed.filter((t) => t.absentFixture).length;
    const real = failed.filter((t) => !t.noted && !t.absentFixture);
    const pending = tests.filter((t) => t.state === "pending").length;
    if (!ended) console.log(`  the run did not finish (exit ${exit}): results below are what it reported before`);
    console.log(`${name}: ${passed} passed, ${failed.length} failed`);
    const deviated = real.filter((t) => t.deviation).length;
    const extra = [`${notedFailed} of the failures noted`];
    if (deviated) extra.push(`${deviated} known deviation${deviated > 1 ? "s" : ""}, still counted`);
    if (absentFailed) extra.push(`${absentFailed} need a fixture absent from the snapshot`);
    if (pending) extra.push(`${pending} skipped by upstream`);
    console.log(`  (${extra.join(", ")})`);
    unnotedFailures += real.length + (ended ? 0 : 1);
    report.suites[name] = { tag, commit: run.commit, passed, failed: failed.length, notedFailed, absentFailed, pending, finished: ended, tests };
  }

  console.log("\n== summary against " + against);
  for (const [name, s] of Object.entries(report.suites)) {
    console.log(`${name}: ${s.passed} passed, ${s.failed} failed (${s.notedFailed} noted)${s.finished ? "" : " [did not finish]"}`);
    for (const t of s.tests.filter((t) => t.state === "failed" && !t.noted && !t.absentFixture)) {
      console.log(`  x ${t.title}\n      ${t.error}`);
      if (t.deviation) console.log(`      known deviation: ${t.deviation}`);
    }
  }
  if (opts.out) {
    writeFileSync(opts.out, JSON.stringify(report, null, 2) + "\n");
    console.log(`per-test results: ${opts.out}`);
  }
  process.exit(unnotedFailures > 0 ? 1 : 0);
}

await main();

