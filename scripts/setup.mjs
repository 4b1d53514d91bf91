// @module Installs the workspace with a pinned pnpm, so `npm test` / `npm start` work on a
// machine that has only Node and npm (corepack is not relied on).
import { spawnSync } from "node:child_process";

const PNPM = "pnpm@10.34.8";

/** True when a usable pnpm 10 is already on PATH (saves the npx round trip). */
function hasLocalPnpm() {
  const r = spawnSync("pnpm", ["--version"], { encoding: "utf8", shell: process.platform === "win32" });
  return r.status === 0 && /^10\./.test(r.stdout.trim());
}

const [cmd, args] = hasLocalPnpm()
  ? ["pnpm", []]
  : ["npx", ["--yes", PNPM]];
const install = spawnSync(cmd, [...args, "install", "--frozen-lockfile", "--prefer-offline", "--reporter=silent"], {
  stdio: "inherit",
  shell: process.platform === "win32",
  env: { ...process.env, npm_config_update_notifier: "false" },
});
if (install.status !== 0) {
  console.error(`setup: '${cmd} ${[...args, "install"].join(" ")}' failed (exit ${install.status ?? install.signal})`);
  process.exit(install.status ?? 1);
}
