// @module Shared plumbing for the benchmark: forked processes with request/reply over IPC, and
// statistics (median, min–max, ratios).
import { fork } from "node:child_process";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const here = (name) => fileURLToPath(new URL(name, import.meta.url));

/** Forks `script` and returns a handle whose `call(cmd, args)` resolves with the child's reply. */
export async function spawnWorker(script, args = [], execArgv = []) {
  const child = fork(here(script), args, { execArgv: ["--expose-gc", ...execArgv], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let seq = 0;
  const pending = new Map();
  const ready = new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${script} exited early (${code})`)));
    child.on("message", (msg) => {
      if (msg.ready) resolve(msg);
      else if (msg.reply !== undefined) {
        pending.get(msg.reply)?.(msg);
        pending.delete(msg.reply);
      }
    });
  });
  const info = await ready;
  child.removeAllListeners("exit");
  return {
    info,
    child,
    call(cmd, extra = {}, timeoutMs = 300_000) {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script}: '${cmd}' timed out`)), timeoutMs);
        pending.set(id, (msg) => {
          clearTimeout(timer);
          resolve(msg);
        });
        child.send({ cmd, id, ...extra });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGCONT"); // in case a scenario froze it
      child.send({ cmd: "exit" });
      const exited = new Promise((r) => child.once("exit", r));
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts a server of `impl` and a load generator (or another worker script); returns both plus a stop(). */
export async function startPair(impl, serverOptions = {}, loadScript = "load.mjs") {
  // Started side by side: each takes a few hundred ms to boot, and a run starts dozens of pairs.
  const [server, load] = await Promise.all([spawnWorker("server.mjs", [impl, JSON.stringify(serverOptions)]), spawnWorker(loadScript)]);
  return {
    server,
    load,
    port: server.info.port,
    async stop() {
      await load.stop();
      await server.stop();
    },
  };
}

/** Median of numbers. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "median (min–max)" with `digits` decimals. */
export function summary(values, digits = 1) {
  const f = (v) => v.toFixed(digits);
  return values.length === 1 ? f(values[0]) : `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})`;
}

/** ours / theirs as "0.53×", or "–" when either is missing. */
export function ratio(ours, theirs) {
  if (!(ours > 0) || !(theirs > 0)) return "–";
  return `${(ours / theirs).toFixed(2)}×`;
}

/** Collects values per metric and implementation; `rows()` gives the scenario rows for `metrics`. */
export function collector(metrics) {
  const values = Object.fromEntries(metrics.map((m) => [m.metric, {}]));
  return {
    add(metric, impl, v) {
      (values[metric][impl] ??= []).push(v);
    },
    rows: () => metrics.map((m) => ({ ...m, values: values[m.metric] })),
  };
}

/** Wall-clock milliseconds with sub-ms precision, comparable across the bench processes. */
export const wallNow = () => performance.timeOrigin + performance.now();

/** Sleeps for real time (benchmarks measure windows of real time). */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
