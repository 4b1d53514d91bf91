// @module Mocha reporter for scripts/upstream-suites.mjs (mocha 9 and 10). It appends one JSON
// line per finished test or failed hook to the file in HW_UPSTREAM_RESULTS (line by line, so a
// run that dies midway keeps what it had), and prints failures as they happen.
// It also keeps one failure one failure: some upstream tests install @sinonjs/fake-timers and
// uninstall the clock on their last line, so a failed assertion left the global timers faked and
// every later test timed out (51 of socket.io-client's once). When a test fails (or is about to be
// retried) with a fake clock still installed, the clock is uninstalled; passing tests are never
// touched. This runs in the reporter, not in a root hook, so a late error is still blamed on its
// test rather than on an extra hook.
"use strict";
const fs = require("node:fs");

/** First line of an error, as the runner reports it. */
function firstLine(err) {
  const text = err && (err.message || String(err));
  return (text || "(no message)").split("\n").find((l) => l.trim() !== "") ?? "(no message)";
}

/** Uninstalls the fake clock that owns the global setTimeout, if any (fake-timers tags it); true if one was. */
function uninstallLeftoverClock() {
  const clock = globalThis.setTimeout && globalThis.setTimeout.clock;
  if (!clock || typeof clock.uninstall !== "function") return false;
  clock.uninstall();
  return true;
}

/** Mocha calls this with the runner; it needs nothing from mocha itself. */
function UpstreamReporter(runner) {
  const out = process.env.HW_UPSTREAM_RESULTS;
  const write = (record) => {
    if (out) fs.appendFileSync(out, JSON.stringify(record) + "\n");
  };
  runner.on("pass", (test) => write({ title: test.fullTitle(), file: test.file, state: "passed", ms: test.duration }));
  runner.on("pending", (test) => write({ title: test.fullTitle(), file: test.file, state: "pending" }));
  runner.on("fail", (test, err) => {
    const title = test.fullTitle();
    write({ title, file: test.file, state: "failed", error: firstLine(err), stack: err && err.stack, hook: test.type === "hook" });
    process.stdout.write(`  x ${title}\n      ${firstLine(err)}\n`);
    if (uninstallLeftoverClock()) process.stdout.write("      (its fake timers were left installed: uninstalled)\n");
  });
  runner.on("retry", () => uninstallLeftoverClock());
  runner.on("end", () => write({ end: true }));
}

module.exports = UpstreamReporter;
