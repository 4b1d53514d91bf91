// @module Preloaded with --import in every process of an upstream suite run (NODE_OPTIONS), so
// that child processes the suites spawn (fixtures) load the same packages. Installs the
// redirection of redirect.cjs for require() and for import.
import Module, { register } from "node:module";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { redirect, config } = require("./redirect.cjs");

if (config) {
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(request, parent, isMain, options) {
    const target = redirect(request, parent?.filename);
    return original.call(this, target ?? request, parent, isMain, options);
  };
  register(new URL("./esm-hooks.mjs", import.meta.url));
}
