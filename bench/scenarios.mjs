// @module The benchmark scenarios. Each returns rows { metric, digits, values: { impl: number[] } }.
import { liveness } from "./liveness.mjs";
import { bundle } from "./bundle.mjs";
import { collector } from "./lib.mjs";

const runsOf = (quick) => (quick ? 1 : 3);

/** Idle memory per connection, after GC. */
const memory = {
  name: "memory",
  title: "idle memory per connection (server heap and RSS after GC)",
  async run({ quick, impls, startPair, sleep, log }) {
    const sizes = quick ? [1000] : [1000, 10000, 19500];
    // The last websocket case lets the handshake request go in the app (`socket.request = null`,
    // socket.io's documented memory tip) to show what keeping `socket.request` costs each library.
    const cases = [
      ...sizes.map((n) => ({ n, transport: "websocket", label: `websocket ×${n}` })),
      ...(quick ? [] : [{ n: 10000, transport: "websocket", dropRequest: true, label: "websocket ×10000, request dropped" }]),
      { n: quick ? 500 : 5000, transport: "polling", label: `polling ×${quick ? 500 : 5000}` },
    ];
    const metrics = cases.flatMap(({ label }) => [
      { metric: `${label}: heap KB/conn`, digits: 2 },
      { metric: `${label}: RSS KB/conn`, digits: 2 },
    ]);
    const c = collector(metrics);
    for (let run = 0; run < runsOf(quick); run++) {
      for (const { n, transport, dropRequest, label } of cases) {
        for (const impl of impls) {
          if (impl === "ws" && transport === "polling") continue;
          const pair = await startPair(impl, { pingInterval: 25000, pingTimeout: 20000, dropRequest });
          try {
            await sleep(300);
            const base = await pair.server.call("stats");
            const opened = await pair.load.call("open", { port: pair.port, n, transport, eio: impl !== "ws", concurrency: 50 });
            await sleep(quick ? 800 : 1500);
            const after = await pair.server.call("stats");
            if (after.open < n) log(`${impl}: only ${after.open}/${n} open (${opened.failed} failed)`);
            const count = Math.max(1, after.open);
            c.add(`${label}: heap KB/conn`, impl, (after.heapUsed - base.heapUsed) / count / 1024);
            c.add(`${label}: RSS KB/conn`, impl, (after.rss - base.rss) / count / 1024);
            log(`${impl} ${label}: heap ${((after.heapUsed - base.heapUsed) / count / 1024).toFixed(2)} KB/conn`);
          } finally {
            await pair.stop();
          }
        }
      }
    }
    return c.rows();
  },
};

/** Server CPU spent on heartbeats. */
const heartbeat = {
  name: "heartbeat",
  title: "heartbeat CPU at pingInterval 1 s / pingTimeout 1 s",
  async run({ quick, impls, startPair, sleep, log }) {
    const cases = [
      { n: quick ? 2000 : 10000, transport: "websocket" },
      // Near the per-process descriptor limit (20,000): where engine.io was seen to time out healthy clients.
      ...(quick ? [] : [{ n: 19500, transport: "websocket" }]),
      { n: quick ? 500 : 5000, transport: "polling" },
    ];
    const windowMs = quick ? 1500 : 10000;
    const metrics = cases.flatMap(({ n, transport }) => [
      { metric: `${transport} ×${n}: µs CPU/ping`, digits: 1 },
      { metric: `${transport} ×${n}: server CPU %`, digits: 1 },
      { metric: `${transport} ×${n}: false timeouts`, digits: 0 },
    ]);
    const c = collector(metrics);
    for (let run = 0; run < runsOf(quick); run++) {
      for (const { n, transport } of cases) {
        for (const impl of impls) {
          if (impl === "ws" && transport === "polling") continue;
          const pair = await startPair(impl, { pingInterval: 1000, pingTimeout: 1000 });
          try {
            await pair.load.call("open", { port: pair.port, n, transport, eio: impl !== "ws", concurrency: 50 });
            await sleep(quick ? 1000 : 2500);
            const s0 = await pair.server.call("stats");
            const l0 = await pair.load.call("counters");
            await sleep(windowMs);
            const s1 = await pair.server.call("stats");
            const l1 = await pair.load.call("counters");
            const cpuUs = s1.cpu.user + s1.cpu.system - (s0.cpu.user + s0.cpu.system);
            const pings = l1.pings - l0.pings;
            const wallUs = (s1.at - s0.at) * 1000;
            const timeouts = s1.closes["ping timeout"] ?? 0;
            c.add(`${transport} ×${n}: µs CPU/ping`, impl, cpuUs / Math.max(1, pings));
            c.add(`${transport} ×${n}: server CPU %`, impl, (100 * cpuUs) / wallUs);
            c.add(`${transport} ×${n}: false timeouts`, impl, timeouts);
            log(`${impl} ${transport} ×${n}: ${(cpuUs / Math.max(1, pings)).toFixed(1)} µs/ping, ${pings} pings, ${timeouts} timeouts`);
          } finally {
            await pair.stop();
          }
        }
      }
    }
    return c.rows();
  },
};

/** Echo throughput. */
const echo = {
  name: "echo",
  title: "echo throughput",
  async run({ quick, impls, startPair, sleep, log }) {
    const durationMs = quick ? 800 : 5000;
    const cases = [
      { label: "ws 32 B, 1 client × 100 in flight", transport: "websocket", clients: 1, window: 100, size: 32, unit: "msg/s" },
      { label: "ws 32 B, 100 clients × 10 in flight", transport: "websocket", clients: 100, window: 10, size: 32, unit: "msg/s" },
      { label: "ws 64 KiB binary, 1 client × 8", transport: "websocket", clients: 1, window: 8, size: 65536, binary: true, unit: "MB/s" },
      { label: "polling 32 B, 1 client, keep-alive", transport: "polling", clients: 1, window: 1, size: 32, unit: "msg/s" },
      { label: "polling 32 B, 50 clients, keep-alive", transport: "polling", clients: 50, window: 1, size: 32, unit: "msg/s" },
      { label: "polling 32 B, 50 clients, no keep-alive", transport: "polling", clients: 50, window: 1, size: 32, unit: "msg/s", keepAlive: false },
    ];
    const c = collector(cases.map((k) => ({ metric: `${k.label} (${k.unit})`, digits: k.unit === "MB/s" ? 1 : 0 })));
    for (let run = 0; run < runsOf(quick); run++) {
      for (const k of cases) {
        for (const impl of impls) {
          if (impl === "ws" && k.transport === "polling") continue;
          const pair = await startPair(impl, {});
          try {
            await pair.load.call("open", { port: pair.port, n: k.clients, transport: k.transport, eio: impl !== "ws", concurrency: 10, keepAlive: k.keepAlive ?? true });
            await sleep(200);
            const r = await pair.load.call("echo", { durationMs, window: k.window, size: k.size, binary: !!k.binary });
            const value = k.unit === "MB/s" ? r.bytes / 1e6 / (r.ms / 1000) : r.messages / (r.ms / 1000);
            c.add(`${k.label} (${k.unit})`, impl, value);
            log(`${impl} ${k.label}: ${value.toFixed(1)} ${k.unit}`);
          } finally {
            await pair.stop();
          }
        }
      }
    }
    return c.rows();
  },
};

/** Connection rate. */
const connect = {
  name: "connect",
  title: "connection rate",
  async run({ quick, impls, startPair, sleep, log }) {
    const cases = [
      { label: "ws handshakes/s, sequential", transport: "websocket", n: quick ? 300 : 1000, concurrency: 1, unit: "rate" },
      { label: "ws handshakes/s, 50 concurrent", transport: "websocket", n: quick ? 1000 : 3000, concurrency: 50, unit: "rate" },
      { label: "polling handshakes/s, 50 concurrent", transport: "polling", n: quick ? 500 : 2000, concurrency: 50, unit: "rate" },
      { label: "ws burst of 10,000: s to all open", transport: "websocket", n: quick ? 2000 : 10000, concurrency: 500, unit: "time" },
    ];
    const metrics = cases.map((k) => ({ metric: k.label, digits: k.unit === "time" ? 2 : 0 }));
    metrics.push({ metric: "ws burst: longest server event-loop stall (ms)", digits: 1 });
    const c = collector(metrics);
    for (let run = 0; run < runsOf(quick); run++) {
      for (const k of cases) {
        for (const impl of impls) {
          if (impl === "ws" && k.transport === "polling") continue;
          const pair = await startPair(impl, {});
          try {
            await pair.server.call("resetLoopDelay");
            const r = await pair.load.call("open", { port: pair.port, n: k.n, transport: k.transport, eio: impl !== "ws", concurrency: k.concurrency });
            if (r.failed) log(`${impl} ${k.label}: ${r.failed} failed`);
            if (k.unit === "rate") c.add(k.label, impl, r.opened / (r.ms / 1000));
            else {
              c.add(k.label, impl, r.ms / 1000);
              const s = await pair.server.call("stats");
              c.add("ws burst: longest server event-loop stall (ms)", impl, s.loopDelayMax);
            }
            log(`${impl} ${k.label}: ${r.opened} in ${r.ms.toFixed(0)} ms`);
            await pair.load.call("closeAll");
          } finally {
            await pair.stop();
          }
        }
      }
    }
    return c.rows();
  },
};

/** Every scenario, in the order they run. */
export const scenarios = [memory, heartbeat, echo, connect, liveness, bundle];
