// @module Mocha root hooks for scripts/upstream-suites.mjs: one failing test stays one failure.
// Some upstream tests install @sinonjs/fake-timers and uninstall the clock only on their last line,
// so a failed assertion leaves the global timers faked and every later test of the run times out
// (51 of socket.io-client's tests once). After a failed test, a clock it left installed is
// uninstalled and the reporter records that it was. Passing tests are never touched, so a clock
// a `describe` installs for several tests keeps working.
"use strict";
const fs = require("node:fs");

/** The fake clock that owns the global setTimeout, if one is installed (fake-timers tags it). */
function installedClock() {
  const clock = globalThis.setTimeout && globalThis.setTimeout.clock;
  return clock && typeof clock.uninstall === "function" ? clock : undefined;
}

exports.mochaHooks = {
  afterEach() {
    const test = this.currentTest;
    if (!test || test.state !== "failed") return;
    const clock = installedClock();
    if (!clock) return;
    clock.uninstall();
    const out = process.env.HW_UPSTREAM_RESULTS;
    if (out) fs.appendFileSync(out, JSON.stringify({ title: test.fullTitle(), file: test.file, leakedClock: true }) + "\n");
    process.stdout.write(`      (it left fake timers installed: uninstalled so later tests run on real time)\n`);
  },
};
