// @module Load generator for scripts/soak.mjs (runs in its own process): opens raw WebSocket and
// long-polling Engine.IO sessions, answers every ping, and reports as JSON lines on stdout:
// sessions open, failed opens, client-side false timeouts (no ping within pingInterval + pingTimeout)
// and unexpected closes. Never closes a session on its own until told to stop (stdin "stop").
import { createRequire } from "node:module";
import http from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";

const require = createRequire(new URL("../test/package.json", import.meta.url));
const { WebSocket } = require("ws");

const { values } = parseArgs({
  options: { port: { type: "string" }, ws: { type: "string", default: "10000" }, polling: { type: "string", default: "500" } },
});
const port = Number(values.port);
const WS = Number(values.ws);
const POLLING = Number(values.polling);
const base = `127.0.0.1:${port}/engine.io/?EIO=4`;
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

const stats = { wsOpen: 0, pollingOpen: 0, failedOpens: 0, clientTimeouts: 0, unexpectedCloses: 0, pings: 0, pongPostFailures: 0 };
/** Sessions by last ping time, checked against their deadline. */
const sessions = new Set();
/** Every session by sid, kept after it closes, for the traces of the sids the server timed out. */
const bySid = new Map();
/** Wall-clock ms, comparable with the server process's. */
const wallNow = () => performance.timeOrigin + performance.now();
let stopping = false;
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

// This process's own stalls (no timer ran for STALL_MS), as wall-clock [from, to] pairs: while
// stalled it could answer no ping, so a server timeout inside one is not the server's error.
const STALL_MS = 250;
const stalls = [];
let lastTick = wallNow();
const stallWatch = setInterval(() => {
  const now = wallNow();
  if (now - lastTick > STALL_MS && stalls.length < 100) stalls.push([lastTick, now]);
  lastTick = now;
}, 20);

function report(kind, traces) {
  const lagMs = { loadLagP99Ms: Math.max(0, lag.percentile(99) / 1e6 - 10), loadLagMaxMs: Math.max(0, lag.max / 1e6 - 10) };
  process.stdout.write(JSON.stringify({ kind, ...stats, sessions: sessions.size, ...lagMs, traces, stalls: traces && stalls }) + "\n");
}

/** Counts a close the load generator did not ask for, also in the session's trace. */
function closedUnexpectedly(s) {
  stats.unexpectedCloses++;
  if (s.trace) s.trace.unexpectedClose = true;
}

/** Records this client's side of one session's heartbeat under its sid. */
function trace(sid) {
  // pongSentAt: websocket, when the pong was written to the socket; polling, when its POST got 200.
  const t = { pings: 0, pingAt: 0, pongSentAt: 0, closedAt: 0, unexpectedClose: false };
  bySid.set(sid, t);
  return t;
}

function openWs() {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${base}&transport=websocket`, { perMessageDeflate: false });
    const s = { last: 0, deadline: 0, closed: false, trace: undefined };
    ws.on("error", () => {});
    ws.on("message", (data) => {
      const text = String(data);
      if (text[0] === "0") {
        const open = JSON.parse(text.slice(1));
        s.deadline = open.pingInterval + open.pingTimeout;
        s.last = performance.now();
        s.trace = trace(open.sid);
        sessions.add(s);
        stats.wsOpen++;
        resolve();
      } else if (text === "2") {
        s.last = performance.now();
        stats.pings++;
        s.trace.pings++;
        s.trace.pingAt = wallNow();
        ws.send("3", () => (s.trace.pongSentAt = wallNow()));
      }
    });
    ws.on("close", () => {
      if (!s.deadline) {
        stats.failedOpens++;
        resolve();
      } else if (!stopping) closedUnexpectedly(s);
      if (s.trace) s.trace.closedAt = wallNow();
      s.closed = true;
      sessions.delete(s);
    });
    s.close = () => ws.terminate();
  });
}

function request(method, path, body, retried = false) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, agent, headers: body ? { "content-type": "text/plain;charset=UTF-8" } : {} }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, text }));
      res.on("error", reject);
    });
    req.on("error", (error) => {
      // A pooled keep-alive socket the server closed (its keepAliveTimeout) just as we reused it:
      // the request never reached the server, so send it again once, as Node's docs advise.
      if (!retried && req.reusedSocket && error.code === "ECONNRESET") resolve(request(method, path, body, true));
      else reject(error);
    });
    req.end(body);
  });
}

async function openPolling() {
  const path = `/engine.io/?EIO=4&transport=polling`;
  let res;
  try {
    res = await request("GET", path);
  } catch {
    stats.failedOpens++;
    return;
  }
  if (res.status !== 200) {
    stats.failedOpens++;
    return;
  }
  const open = JSON.parse(res.text.slice(1).split("\x1e")[0]);
  const s = { last: performance.now(), deadline: open.pingInterval + open.pingTimeout, closed: false, trace: trace(open.sid) };
  sessions.add(s);
  stats.pollingOpen++;
  const sidPath = `${path}&sid=${open.sid}`;
  s.close = () => void request("POST", sidPath, "1").catch(() => {});
  void (async () => {
    while (!s.closed) {
      let poll;
      try {
        poll = await request("GET", sidPath);
      } catch {
        poll = { status: 0, text: "" };
      }
      if (poll.status !== 200) {
        if (!stopping) closedUnexpectedly(s);
        break;
      }
      const records = poll.text.split("\x1e");
      if (records.includes("1")) {
        if (!stopping) closedUnexpectedly(s);
        break;
      }
      if (records.includes("2")) {
        s.last = performance.now();
        stats.pings++;
        s.trace.pings++;
        s.trace.pingAt = wallNow();
        // A lost pong would be our fault, not the server's: count it so a timeout can be told apart.
        void request("POST", sidPath, "3").then(
          (r) => (r.status === 200 ? (s.trace.pongSentAt = wallNow()) : stats.pongPostFailures++),
          () => stats.pongPostFailures++,
        );
      }
    }
    s.trace.closedAt = wallNow();
    s.closed = true;
    sessions.delete(s);
  })();
}

// A session with no ping for pingInterval + pingTimeout would be declared dead by a real client.
const watchdog = setInterval(() => {
  const now = performance.now();
  for (const s of sessions) {
    if (now - s.last > s.deadline) {
      stats.clientTimeouts++;
      s.last = now;
    }
  }
}, 250);

const reporter = setInterval(() => report("progress"), 1000);

process.stdin.setEncoding("utf8");
process.stdin.on("data", (line) => {
  if (!line.startsWith("stop")) return;
  stopping = true;
  clearInterval(watchdog);
  clearInterval(reporter);
  clearInterval(stallWatch);
  // "stop sid1,sid2": the sessions the server timed out, whose client side goes into the report.
  const traces = {};
  for (const sid of line.slice(4).trim().split(",")) if (bySid.has(sid)) traces[sid] = bySid.get(sid);
  report("final", traces);
  for (const s of sessions) s.close();
  setTimeout(() => process.exit(0), 500).unref();
});

for (let i = 0; i < WS; i += 200) {
  await Promise.all(Array.from({ length: Math.min(200, WS - i) }, openWs));
}
for (let i = 0; i < POLLING; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, POLLING - i) }, openPolling));
}
report("ready");
