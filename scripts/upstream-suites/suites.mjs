// @module The five upstream suites that scripts/upstream-suites.mjs runs: where their files are,
// how upstream runs each one (its package.json scripts), and what is swapped for Heartwire.
//
// `swap` says what Heartwire replaces in a Heartwire run:
//   "self:server" / "self:client": the package under test itself (its tests require "..");
//   { bare: "server" | "client" }: the engine a package requires (socket.io requires "engine.io",
//   socket.io-client requires "engine.io-client"), the package under test staying official.

/** Tags of the socketio/socket.io monorepo the suites are taken from. */
export const TAGS = {
  "engine.io": "engine.io@6.6.9",
  "engine.io-client": "engine.io-client@6.6.6",
  "socket.io": "socket.io@4.8.3",
  "socket.io-client": "socket.io-client@4.8.3",
};

/** Packages that the suites import but that the npm registry cannot give us, with why. */
export const CANNOT_INSTALL = {
  "uWebSockets.js": "published on GitHub only, not on the npm registry",
  eiows: "native addon that does not build on current Node (upstream skips its only test)",
  "@fails-components/webtransport-transport-http3-quiche":
    "its install downloads a prebuilt binary (or the library sources) from GitHub",
};

/** @type {Record<string, object>} */
export const SUITES = {
  protocol: {
    repo: "protocol",
    ref: "HEAD",
    prefix: "test-suite",
    paths: ["package.json", "test-suite.js", "node-imports.js"],
    lock: "test-suite/package-lock.json",
    runner: ["mocha"],
    // engine.io-protocol's README: `npm ci && npm test` → mocha test-suite.js, against a server.
    mocha: ["test-suite.js"],
    server: true,
  },
  "engine.io": {
    repo: "socket.io",
    ref: TAGS["engine.io"],
    name: "engine.io",
    prefix: "packages/engine.io",
    paths: ["test", "package.json"],
    lock: "package-lock.json",
    runner: ["mocha"],
    // "test:default": "mocha --bail --exit" (spec: ./test/*.{js,mjs}); --bail dropped to see all.
    mocha: ["--exit"],
    swap: "self:server",
    heartwireSub: {
      "build/engine.io.js": "self",
      "build/server.js": "self",
      "build/parser-v3/index.js": ["engine.io's protocol v3 parser", "Heartwire speaks protocol v4 only"],
    },
  },
  "engine.io-client": {
    repo: "socket.io",
    ref: TAGS["engine.io-client"],
    name: "engine.io-client",
    prefix: "packages/engine.io-client",
    paths: ["test", "package.json", "support/rollup.config.umd.js"],
    lock: "package-lock.json",
    runner: ["mocha", "@babel/core", "@babel/preset-env", "@babel/plugin-transform-object-assign"],
    // "test:node": "mocha --bail --require test/support/hooks.js test/index.js test/webtransport.mjs"
    // (--bail dropped; --exit added so a client that keeps the process alive cannot hang the run).
    mocha: ["--require", "test/support/hooks.js", "--exit", "test/index.js", "test/webtransport.mjs"],
    // test/support/hooks.js bundles ./build/esm-debug for the browser tests, as after `npm run compile`.
    linkBuild: true,
    swap: "self:client",
    heartwireSub: {
      "build/cjs/index.js": "self",
      "build/esm/index.js": "self",
      "build/esm-debug/index.js": "self",
    },
  },
  "socket.io": {
    repo: "socket.io",
    ref: TAGS["socket.io"],
    name: "socket.io",
    prefix: "packages/socket.io",
    paths: ["test", "package.json", "tsconfig.json"],
    lock: "package-lock.json",
    runner: ["mocha", "tsx"],
    skipScan: [/\.test-d\.ts$/],
    // "test:unit": "nyc mocha --import=tsx --reporter spec --slow 200 --bail --timeout 10000 test/index.ts"
    // (tsx preloaded through NODE_OPTIONS so the .ts fixtures the tests spawn load too).
    mocha: ["--slow", "200", "--timeout", "10000", "--exit", "test/index.ts"],
    ts: true,
    swap: { bare: "engine.io", with: "server" },
  },
  "socket.io-client": {
    repo: "socket.io",
    ref: TAGS["socket.io-client"],
    name: "socket.io-client",
    prefix: "packages/socket.io-client",
    paths: ["test", "package.json", "tsconfig.json"],
    lock: "package-lock.json",
    runner: ["mocha", "tsx"],
    skipScan: [/\.test-d\.ts$/, /browser-runner\.ts$/],
    // "test:node": "mocha --import=tsx --require test/support/hooks.ts --exit test/index.ts"
    mocha: ["--require", "test/support/hooks.ts", "--exit", "test/index.ts"],
    ts: true,
    swap: { bare: "engine.io-client", with: "client" },
  },
};
