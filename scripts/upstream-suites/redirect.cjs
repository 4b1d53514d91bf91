// @module Module redirection for scripts/upstream-suites.mjs: makes the upstream test files load
// the package under test (the official one or Heartwire's build) without editing any of them.
// Config comes from HW_UPSTREAM_REDIRECT (JSON, written by the runner):
//   root:  the extracted upstream package folder (its test/ requires "..", "../build/…")
//   self:  what the package itself ("..", "../..") resolves to
//   sub:   { "<path under root>": target }  for deep requires such as "build/cjs/util.js"
//   subDefault: folder that other deep paths map into (null: they go to `fallback`)
//   fallback: target for unmapped deep paths (a stub module that throws when used)
//   bare:  { "<package name>": target } for bare specifiers such as "engine.io-client"
// A target is an absolute file or folder path.
"use strict";
const path = require("node:path");

const config = JSON.parse(process.env.HW_UPSTREAM_REDIRECT || "null");

/** The package name of a bare specifier ("@a/b/c" → "@a/b", "x/y" → "x"), or null. */
function bareName(request) {
  if (request.startsWith(".") || path.isAbsolute(request) || request.startsWith("node:")) return null;
  if (request.startsWith("file:")) return null;
  const parts = request.split("/");
  return request.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/**
 * Where `request`, made from the file `from`, must load from instead, or null to resolve it
 * normally. Only requests from files under the upstream folder are redirected, apart from bare
 * names listed in `bare` (the swapped engine must also be what socket.io itself requires).
 */
function redirect(request, from) {
  if (!config || typeof request !== "string") return null;
  const name = bareName(request);
  if (name !== null) {
    const target = config.bare[name];
    if (target === undefined) return null;
    return request === name ? target : null;
  }
  if (!from || !request.startsWith(".")) return null;
  const abs = path.resolve(path.dirname(from), request);
  const root = config.root;
  if (abs !== root && !abs.startsWith(root + path.sep)) return null;
  const sub = path.relative(root, abs).split(path.sep).join("/");
  if (sub === "" || /^index(\.[a-z]+)?$/.test(sub)) return config.self;
  if (sub === "package.json" || sub.startsWith("test/") || sub === "test" || sub.startsWith("support/")) return null;
  if (sub.startsWith("test-suite")) return null;
  if (config.sub[sub] !== undefined) return config.sub[sub];
  return config.subDefault ? path.join(config.subDefault, sub) : config.fallback;
}

module.exports = { redirect, config };
