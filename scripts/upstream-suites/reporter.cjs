// @module Mocha reporter for scripts/upstream-suites.mjs (mocha 9 and 10). It appends one JSON
// line per finished test or failed hook to the file in HW_UPSTREAM_RESULTS (line by line, so a
// run that dies midway keeps what it had), and prints failures as they happen.
"use strict";
const fs = require("node:fs");

/** First line of an error, as the runner reports it. */
function firstLine(err) {
  const text = err && (err.message || String(err));
  return (text || "(no message)").split("\n").find((l) => l.trim() !== "") ?? "(no message)";
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
  });
  runner.on("end", () => write({ end: true }));
}

module.exports = UpstreamReporter;
