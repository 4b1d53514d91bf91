// @module Profiling aid: runs one implementation's server under the inspector's CPU profiler through a heartbeat
// or echo load (profiling only the steady state, not the connection setup), or through `n` sequential
// handshakes (`handshake`, `polling-handshake`: the setup alone), then prints the functions with the
// most self time. Not part of `npm run bench`.
// usage: node bench/profile.mjs <heartwire|engine.io|ws> <heartbeat|echo|polling-heartbeat|handshake|polling-handshake> [n] [seconds]
import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnWorker, sleep } from "./lib.mjs";

const [impl = "heartwire", kind = "heartbeat", nArg, secondsArg] = process.argv.slice(2);
const handshakes = kind.endsWith("handshake");
const n = Number(nArg ?? (kind === "echo" ? 1 : handshakes ? 3000 : 2000));
const seconds = Number(secondsArg ?? 8);
const dir = mkdtempSync(path.join(os.tmpdir(), "hw-prof-"));
const timing = kind === "echo" ? {} : { pingInterval: 1000, pingTimeout: 1000 };
const server = await spawnWorker("server.mjs", [impl, JSON.stringify(timing)]);
const load = await spawnWorker("load.mjs");
const transport = kind.startsWith("polling") ? "polling" : "websocket";
const eio = impl !== "ws";
if (handshakes) {
  // Warm up, then profile sequential handshakes only.
  await load.call("open", { port: server.info.port, n: 300, transport, eio, concurrency: 1 });
  await load.call("closeAll");
  await sleep(500);
  await server.call("profileStart");
  await load.call("open", { port: server.info.port, n, transport, eio, concurrency: 1 });
} else {
  await load.call("open", { port: server.info.port, n, transport, eio, concurrency: 50 });
  await sleep(1500);
  await server.call("profileStart");
}
if (handshakes) await load.call("closeAll");
else if (kind === "echo") await load.call("echo", { durationMs: seconds * 1000, window: 100, size: 32, binary: false });
else await sleep(seconds * 1000);
const file = path.join(dir, "server.cpuprofile");
await server.call("profileStop", { file });
await load.stop();
await server.stop();

// Self time per function (callFrame name + url:line), top 40.
const profile = JSON.parse(readFileSync(file, "utf8"));
const self = new Map();
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
let total = 0;
for (const node of profile.nodes) {
  const t = dt.get(node.id) ?? 0;
  total += t;
  const f = node.callFrame;
  const key = `${f.functionName || "(anon)"} ${f.url.replace(/^.*node_modules\//, "").replace(/^.*packages\//, "")}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + t);
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
console.log(`${impl} ${kind} n=${n}: ${(total / 1000).toFixed(0)} ms sampled; profile in ${dir}`);
for (const [k, t] of rows) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${k}`);
