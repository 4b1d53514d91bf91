// @module Soak test (not part of npm test): holds 10,000 WebSocket + 500 long-polling sessions at
// pingInterval 2 s / pingTimeout 2 s for `--duration` seconds (default 600) against our server, with
// the load generator (scripts/soak-load.mjs) in a separate process. Reports false timeouts on both
// sides (must be 0) and the server's event-loop lag p99 in steady state (must be < 50 ms).
// Usage: npx tsc -b && node scripts/soak.mjs [--duration 600] [--ws 10000] [--polling 500]
import { spawn } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "600" },
    ws: { type: "string", default: "10000" },
    polling: { type: "string", default: "500" },
  },
});
const durationMs = Number(values.duration) * 1000;
const { startServer } = await import("../test/dist/helpers/servers.js");

const srv = await startServer({ pingInterval: 2000, pingTimeout: 2000 });
const closes = Object.create(null);
const timeoutsByTransport = Object.create(null);
srv.server.on("connection", (socket) =>
  socket.on("close", (reason) => {
    closes[reason] = (closes[reason] ?? 0) + 1;
    if (reason === "ping timeout") timeoutsByTransport[socket.transport.name] = (timeoutsByTransport[socket.transport.name] ?? 0) + 1;
  }),
);

const load = spawn(process.execPath, [new URL("./soak-load.mjs", import.meta.url).pathname, "--port", String(srv.port), "--ws", values.ws, "--polling", values.polling], {
  stdio: ["pipe", "pipe", "inherit"],
});
let last;
let ready = false;
let buffered = "";
const readyPromise = new Promise((resolve, reject) => {
  load.on("exit", (code) => reject(new Error(`load generator exited with ${code}`)));
  load.stdout.setEncoding("utf8");
  load.stdout.on("data", (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) !== -1) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        last = JSON.parse(line);
      } catch {
        continue;
      }
      if (last.kind === "ready") {
        ready = true;
        resolve();
      }
    }
  });
});

const started = performance.now();
await readyPromise;
const rampSeconds = (performance.now() - started) / 1000;
console.error(`ramp done in ${rampSeconds.toFixed(1)} s: ${last.wsOpen} ws + ${last.pollingOpen} polling, server sees ${srv.server.clientsCount}`);
const closesAtReady = { ...closes };

// Steady state: lag sampled at 10 ms resolution over the whole soak.
const LAG_RESOLUTION = 10;
const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION });
const lagMs = (p) => Math.max(0, lag.percentile(p) / 1e6 - LAG_RESOLUTION);
lag.enable();
const progress = setInterval(() => {
  const s = (performance.now() - started) / 1000;
  console.error(`t=${s.toFixed(0)}s sessions=${srv.server.clientsCount} lagP99=${lagMs(99).toFixed(1)}ms clientTimeouts=${last.clientTimeouts} closes=${JSON.stringify(closes)}`);
}, 10_000);
await new Promise((r) => setTimeout(r, durationMs));
clearInterval(progress);
lag.disable();
const finalReport = new Promise((resolve) => {
  const check = () => (last.kind === "final" ? resolve() : setTimeout(check, 20));
  check();
});
const closesBeforeStop = { ...closes };
load.stdin.write("stop\n");
await finalReport;
const serverPingTimeouts = closes["ping timeout"] ?? 0;
const result = {
  durationSeconds: durationMs / 1000,
  rampSeconds: Number(rampSeconds.toFixed(1)),
  sessions: { websocket: last.wsOpen, polling: last.pollingOpen, failedOpens: last.failedOpens, serverCountAtEnd: srv.server.clientsCount },
  pingsAnswered: last.pings,
  pongPostFailures: last.pongPostFailures,
  falseTimeouts: { server: serverPingTimeouts, client: last.clientTimeouts, serverByTransport: timeoutsByTransport },
  unexpectedCloses: { server: Object.values(closesBeforeStop).reduce((a, b) => a + b, 0), client: last.unexpectedCloses, serverReasons: closesBeforeStop, duringRamp: closesAtReady },
  // The histogram records the spacing of a 10 ms timer; the lag is what exceeds the 10 ms.
  serverLoopLagMs: { p50: lagMs(50), p99: lagMs(99), max: Math.max(0, lag.max / 1e6 - LAG_RESOLUTION) },
  loadGeneratorLagP99Ms: last.loadLagP99Ms,
  rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
};
await new Promise((r) => load.once("exit", r));
await srv.close();
console.log(JSON.stringify(result, null, 2));
const pass = serverPingTimeouts === 0 && last.clientTimeouts === 0 && result.serverLoopLagMs.p99 < 50 && last.failedOpens === 0;
console.log(pass ? "PASS" : "FAIL");
process.exitCode = pass ? 0 : 1;
