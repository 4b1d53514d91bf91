// @module Benchmark server process: one implementation, controlled over IPC by bench/run.mjs.
// usage (forked): node --expose-gc server.mjs <heartwire|engine.io|ws> '<json options>'
import http from "node:http";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import v8 from "node:v8";
import inspector from "node:inspector";
import { writeFileSync } from "node:fs";
import { WebSocketServer } from "ws";

const [impl, rawOptions = "{}"] = process.argv.slice(2);
const options = JSON.parse(rawOptions);
const pingInterval = options.pingInterval ?? 25000;
const pingTimeout = options.pingTimeout ?? 20000;

const httpServer = http.createServer();
httpServer.maxConnections = 19_900;
const closes = new Map(); // reason -> count
const closeLog = []; // { at: wall-clock ms, reason }, for detection latency (bounded)
let connections = 0;
let open = 0;

function countClose(reason) {
  open--;
  closes.set(reason, (closes.get(reason) ?? 0) + 1);
  if (closeLog.length < 50_000) closeLog.push({ at: performance.timeOrigin + performance.now(), reason });
}

let shutdown = async () => {};
let profiler;

if (impl === "ws") {
  // Raw ws: no Engine.IO framing; heartbeat with ws-level pings on one interval for all
  // sockets (the pattern ws documents), terminating sockets that missed the previous ping.
  const wss = new WebSocketServer({ server: httpServer, maxPayload: 1e6, clientTracking: true });
  wss.on("connection", (ws) => {
    connections++;
    open++;
    ws.isAlive = true;
    ws.on("pong", () => (ws.isAlive = true));
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on("error", () => {});
    ws.on("close", () => countClose(ws.timedOut ? "ping timeout" : "transport close"));
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (!ws.isAlive) {
        ws.timedOut = true;
        ws.terminate();
        continue;
      }
      ws.isAlive = false;
      ws.ping();
    }
  }, pingInterval);
  shutdown = async () => {
    clearInterval(timer);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
} else {
  const mod = await import(impl === "engine.io" ? "engine.io" : "@heartwire/server");
  const engine = mod.attach(httpServer, {
    pingInterval,
    pingTimeout,
    maxHttpBufferSize: 1e6,
    transports: options.transports ?? ["polling", "websocket"],
    perMessageDeflate: false,
    httpCompression: false,
  });
  engine.on("connection", (socket) => {
    // socket.io's memory tip for large deployments: let the handshake request go.
    if (options.dropRequest) socket.request = null;
    connections++;
    open++;
    socket.on("message", (data) => socket.send(data));
    socket.on("close", (reason) => countClose(reason));
  });
  shutdown = async () => engine.close();
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

function stats() {
  globalThis.gc?.();
  globalThis.gc?.();
  const mem = process.memoryUsage();
  return {
    heapUsed: mem.heapUsed,
    rss: mem.rss,
    cpu: process.cpuUsage(),
    at: performance.now(),
    connections,
    open,
    closes: Object.fromEntries(closes),
    loopDelayP99: loopDelay.percentile(99) / 1e6,
    loopDelayMax: loopDelay.max / 1e6,
  };
}

process.on("message", async (msg) => {
  if (msg.cmd === "stats") process.send({ reply: msg.id, ...stats() });
  else if (msg.cmd === "resetLoopDelay") {
    loopDelay.reset();
    process.send({ reply: msg.id });
  } else if (msg.cmd === "closeLog") {
    process.send({ reply: msg.id, closes: closeLog.splice(0) });
  } else if (msg.cmd === "stall") {
    // Block the event loop, as a busy application would: `repeat` blocks of `ms`, one loop turn
    // apart: the next block starts from setImmediate armed in the timers phase, after the overdue
    // timers (pings) fired, so pongs to those pings arrive during the next block, unread.
    for (let i = 0; i < (msg.repeat ?? 1); i++) {
      if (i > 0) await new Promise((r) => setTimeout(() => setImmediate(r), 0));
      const until = performance.now() + msg.ms;
      while (performance.now() < until);
    }
    process.send({ reply: msg.id });
  } else if (msg.cmd === "profileStart") {
    // Profiling aid (see bench/profile.mjs): CPU profile of a steady-state window only.
    profiler ??= new inspector.Session();
    profiler.connect();
    profiler.post("Profiler.enable", () => profiler.post("Profiler.start", () => process.send({ reply: msg.id })));
  } else if (msg.cmd === "profileStop") {
    profiler.post("Profiler.stop", (err, result) => {
      writeFileSync(msg.file, JSON.stringify(result.profile));
      process.send({ reply: msg.id, file: msg.file });
    });
  } else if (msg.cmd === "heapSnapshot") {
    // Profiling aid (see bench/profile.mjs): a heap snapshot of the server as it stands.
    globalThis.gc?.();
    process.send({ reply: msg.id, file: v8.writeHeapSnapshot(msg.file) });
  } else if (msg.cmd === "exit") {
    await shutdown();
    process.exit(0);
  }
});

httpServer.listen(0, "127.0.0.1", () => {
  process.send({ ready: true, port: httpServer.address().port, pid: process.pid });
});
