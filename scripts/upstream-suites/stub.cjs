// @module A module that cannot be loaded here (a package the registry cannot give us, or a
// private file of the upstream package that Heartwire has no counterpart for). Every export is a
// function that throws a clear error when used, so loading a test file still works and only the
// tests that use it fail (and those are listed in scripts/upstream-suites.notes.json).
"use strict";

/** Builds the stub for `what`, whose use throws `reason`. */
module.exports = function makeStub(what, reason) {
  const fail = () => {
    throw new Error(`${what} is not available in this run: ${reason}`);
  };
  const handler = {
    get(_target, key) {
      if (key === "__esModule") return false;
      if (key === "then" || typeof key === "symbol") return undefined;
      return new Proxy(fail, handler);
    },
    apply: fail,
    construct: fail,
  };
  return new Proxy(fail, handler);
};
