// @module Soak test (not part of npm test): holds 10,000 WebSocket + 500 long-polling sessions at
// pingInterval 2 s / pingTimeout 2 s for `--duration` seconds (default 600) against our server, with
// the load generator (scripts/soak-load.mjs) in a separate process. Reports false timeouts on both
// sides (must be 0) and the server's event-loop lag p99 in steady state (must be < 50 ms).
// Every server timeout comes with both sides' view of that session (timeoutTraces), so a failure
// explains itself. A timeout is only excused when the load generator was itself stalled from the
// ping to the deadline (a real client that frozen is rightly timed out); the report counts those.
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

const PING_INTERVAL = 2000;
const PING_TIMEOUT = 2000;
const srv = await startServer({ pingInterval: PING_INTERVAL, pingTimeout: PING_TIMEOUT });
const closes = Object.create(null);
const timeoutsByTransport = Object.create(null);
/** Wall-clock ms, comparable with the load generator's (both processes share the system clock). */
const wallNow = () => performance.timeOrigin + performance.now();
/** What the server knew of each timed-out session, to set beside the load generator's view. */
const timeoutTraces = [];
srv.server.on("connection", (socket) => {
  const openedAt = wallNow();
  let pingQueuedAt = 0;
  let pongAt = 0;
  let pings = 0;
  socket.on("packetCreate", (packet) => {
    if (packet.type === "ping") {
      pingQueuedAt = wallNow();
      pings++;
    }
  });
  socket.on("heartbeat", () => (pongAt = wallNow()));
  socket.on("close", (reason) => {
    closes[reason] = (closes[reason] ?? 0) + 1;
    if (reason !== "ping timeout") return;
    timeoutsByTransport[socket.transport.name] = (timeoutsByTransport[socket.transport.name] ?? 0) + 1;
    if (timeoutTraces.length < 200) {
      timeoutTraces.push({ sid: socket.id, transport: socket.transport.name, at: wallNow(), openedAt, pings, pingQueuedAt, pongAt });
    }
  });
});

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
load.stdin.write(`stop ${timeoutTraces.map((t) => t.sid).join(",")}\n`);
await finalReport;
const serverPingTimeouts = closes["ping timeout"] ?? 0;

/**
 * A server timeout is excused only when the load generator itself was stalled from (about) the
 * moment the ping reached it until the pong could no longer make the deadline: no real client in
 * that state could have answered, so timing it out is right. Anything else counts as false.
 */
function clientStalledThrough(pingQueuedAt) {
  const deadline = pingQueuedAt + PING_TIMEOUT;
  return (last.stalls ?? []).find(([from, to]) => from <= pingQueuedAt + 100 && to >= deadline - 250);
}
const traces = timeoutTraces.map((t) => {
  const client = last.traces?.[t.sid];
  const rel = (ms) => (ms ? Math.round(ms - t.at) : null);
  const stall = clientStalledThrough(t.pingQueuedAt);
  return {
    sid: t.sid,
    transport: t.transport,
    openFor: Math.round(t.at - t.openedAt),
    excused: stall ? `load generator stalled ${Math.round(stall[1] - stall[0])} ms over the deadline` : undefined,
    clientClosedUnexpectedly: client?.unexpectedClose ?? false,
    // Wall-clock ms relative to the server's timeout, on both sides.
    server: { pings: t.pings, lastPingQueued: rel(t.pingQueuedAt), lastPong: rel(t.pongAt) },
    client: client && { pings: client.pings, lastPingReceived: rel(client.pingAt), lastPongSent: rel(client.pongSentAt), closed: rel(client.closedAt) },
  };
});
const excused = traces.filter((t) => t.excused);
const result = {
  durationSeconds: durationMs / 1000,
  rampSeconds: Number(rampSeconds.toFixed(1)),
  sessions: { websocket: last.wsOpen, polling: last.pollingOpen, failedOpens: last.failedOpens, serverCountAtEnd: srv.server.clientsCount },
  pingsAnswered: last.pings,
  pongPostFailures: last.pongPostFailures,
  falseTimeouts: {
    server: serverPingTimeouts - excused.length,
    client: last.clientTimeouts,
    serverExcused: excused.length,
    serverByTransport: timeoutsByTransport,
  },
  unexpectedCloses: {
    server: Object.values(closesBeforeStop).reduce((a, b) => a + b, 0) - excused.length,
    client: last.unexpectedCloses - excused.filter((t) => t.clientClosedUnexpectedly).length,
    serverReasons: closesBeforeStop,
    duringRamp: closesAtReady,
  },
  // The histogram records the spacing of a 10 ms timer; the lag is what exceeds the 10 ms.
  serverLoopLagMs: { p50: lagMs(50), p99: lagMs(99), max: Math.max(0, lag.max / 1e6 - LAG_RESOLUTION) },
  loadGeneratorLagMs: { p99: last.loadLagP99Ms, max: last.loadLagMaxMs },
  loadGeneratorStalls: (last.stalls ?? []).map(([from, to]) => ({ at: Math.round(from - started - performance.timeOrigin), ms: Math.round(to - from) })),
  // Each server-side timeout with both sides' view of that session: a client that got the ping
  // and answered before the deadline points at the server, one that did not at the client.
  timeoutTraces: traces,
  rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
};
await new Promise((r) => load.once("exit", r));
await srv.close();
console.log(JSON.stringify(result, null, 2));
const pass = result.falseTimeouts.server === 0 && last.clientTimeouts === 0 && result.serverLoopLagMs.p99 < 50 && last.failedOpens === 0;
console.log(pass ? "PASS" : "FAIL");
process.exitCode = pass ? 0 : 1;
