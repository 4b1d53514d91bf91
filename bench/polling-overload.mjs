// @module The heartbeat scenario's overload case alone: N polling sessions at pingInterval 1 s /
// pingTimeout 1 s (5,000 is past this 2-core rig's capacity), a 10 s window after 2.5 s of warm-up,
// reporting CPU per ping and the server's "ping timeout" closes. Implementations alternate within
// each round, so a slow spell of the machine hits both. Used for the A/B in RESULTS.md's analysis.
// Usage: npm run build && node bench/polling-overload.mjs [--n 5000] [--rounds 3] [--impls heartwire,engine.io]
import { parseArgs } from "node:util";
import { startPair, sleep } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "5000" },
    rounds: { type: "string", default: "3" },
    impls: { type: "string", default: "heartwire,engine.io" },
  },
});
const n = Number(values.n);
for (let round = 0; round < Number(values.rounds); round++) {
  for (const impl of values.impls.split(",")) {
    const pair = await startPair(impl, { pingInterval: 1000, pingTimeout: 1000 });
    try {
      await pair.load.call("open", { port: pair.port, n, transport: "polling", eio: true, concurrency: 50 });
      await sleep(2500);
      const s0 = await pair.server.call("stats");
      const l0 = await pair.load.call("counters");
      await sleep(10_000);
      const s1 = await pair.server.call("stats");
      const l1 = await pair.load.call("counters");
      const cpuUs = s1.cpu.user + s1.cpu.system - (s0.cpu.user + s0.cpu.system);
      const pings = l1.pings - l0.pings;
      const cpuPercent = (100 * cpuUs) / ((s1.at - s0.at) * 1000);
      const timeouts = s1.closes["ping timeout"] ?? 0;
      console.log(`${impl} polling ×${n}: ${(cpuUs / Math.max(1, pings)).toFixed(1)} µs/ping, ${pings} pings, server CPU ${cpuPercent.toFixed(0)}%, ${timeouts} timeouts`);
    } finally {
      await pair.stop();
    }
  }
}
