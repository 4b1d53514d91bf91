// @module Scenario 5: how fast each side notices a frozen (SIGSTOP'd) peer at pingInterval 500 /
// pingTimeout 500, and the longest server stall survived without a false "ping timeout".
import { collector, median, wallNow } from "./lib.mjs";

const TIMING = { pingInterval: 500, pingTimeout: 500 };

/** Latencies (ms) from `frozeAt` to each close with reason "ping timeout". */
function latencies(closes, frozeAt) {
  return closes.filter((c) => c.reason === "ping timeout").map((c) => c.at - frozeAt);
}

/** Polls `fetch` until it returns `want` timeouts or `limitMs` passes; returns the closes seen. */
async function collectCloses(fetch, want, limitMs, sleep) {
  const seen = [];
  const until = wallNow() + limitMs;
  while (wallNow() < until) {
    await sleep(250);
    seen.push(...(await fetch()));
    if (seen.filter((c) => c.reason === "ping timeout").length >= want) break;
  }
  return seen;
}

/** Scenario 5 (see module comment). */
export const liveness = {
  name: "liveness",
  title: "detection of a SIGSTOP'd peer (pingInterval 500 / pingTimeout 500), largest stall survived",
  async run({ quick, impls, startPair, sleep, log }) {
    const runs = quick ? 1 : 3;
    const peers = quick ? 20 : 50;
    const stallClients = quick ? 500 : 2000;
    const stalls = quick ? [1500] : [500, 1000, 2000, 4000];
    const metrics = [
      { metric: `server notices frozen client: min ms (${peers} clients)`, digits: 0 },
      { metric: "server notices frozen client: median ms", digits: 0 },
      { metric: "server notices frozen client: max ms", digits: 0 },
      { metric: `client notices frozen server: min ms (${peers} clients)`, digits: 0 },
      { metric: "client notices frozen server: median ms", digits: 0 },
      { metric: "client notices frozen server: max ms", digits: 0 },
      { metric: `largest server stall (2 blocks, one loop turn apart) without false timeout, ms (${stallClients} clients, tried ≤ ${stalls.at(-1)})`, digits: 0 },
    ];
    const [sMin, sMed, sMax, cMin, cMed, cMax, stallMetric] = metrics.map((m) => m.metric);
    const c = collector(metrics);
    const record = (impl, values, [min, med, max]) => {
      if (values.length === 0) return;
      c.add(min, impl, Math.min(...values));
      c.add(med, impl, median(values));
      c.add(max, impl, Math.max(...values));
    };
    for (let run = 0; run < runs; run++) {
      for (const impl of impls) {
        // Server side: freeze the load generator (lean clients that answer every ping).
        let pair = await startPair(impl, TIMING);
        try {
          await pair.load.call("open", { port: pair.port, n: peers, transport: "websocket", eio: impl !== "ws", concurrency: 10, spreadMs: 600 });
          await sleep(1200); // let the heartbeats run a couple of rounds
          await pair.server.call("closeLog");
          const frozeAt = wallNow();
          process.kill(pair.load.child.pid, "SIGSTOP");
          const seen = await collectCloses(async () => (await pair.server.call("closeLog")).closes, peers, 4000, sleep);
          process.kill(pair.load.child.pid, "SIGCONT");
          const lat = latencies(seen, frozeAt);
          if (lat.length < peers) log(`${impl}: server noticed only ${lat.length}/${peers} frozen clients`);
          record(impl, lat, [sMin, sMed, sMax]);
          log(`${impl} server side: ${lat.length} detections, median ${lat.length ? median(lat).toFixed(0) : "–"} ms`);
        } finally {
          await pair.stop();
        }
        // Client side: freeze the server under full clients (raw ws clients have no heartbeat watch).
        if (impl !== "ws") {
          pair = await startPair(impl, TIMING, "peer.mjs");
          try {
            await pair.load.call("open", { port: pair.port, n: peers, lib: impl, spreadMs: 600 });
            await sleep(1200);
            await pair.load.call("closes");
            const frozeAt = wallNow();
            process.kill(pair.server.child.pid, "SIGSTOP");
            const seen = await collectCloses(async () => (await pair.load.call("closes")).closes, peers, 4000, sleep);
            process.kill(pair.server.child.pid, "SIGCONT");
            const lat = latencies(seen, frozeAt);
            if (lat.length < peers) log(`${impl}: clients noticed the frozen server ${lat.length}/${peers} times`);
            record(impl, lat, [cMin, cMed, cMax]);
            log(`${impl} client side: ${lat.length} detections, median ${lat.length ? median(lat).toFixed(0) : "–"} ms`);
          } finally {
            await pair.stop();
          }
        }
        // Stall search: block the server's event loop for growing lengths (two blocks one loop turn
        // apart, so pings written between them are answered while the loop is blocked again) while
        // lean clients keep answering; the first length that costs a "ping timeout" ends the search.
        pair = await startPair(impl, TIMING);
        try {
          await pair.load.call("open", { port: pair.port, n: stallClients, transport: "websocket", eio: impl !== "ws", concurrency: 50, spreadMs: 600 });
          await sleep(1200);
          let survived = 0;
          for (const ms of stalls) {
            await pair.server.call("stall", { ms, repeat: 2 });
            await sleep(quick ? 1200 : 2000);
            const s = await pair.server.call("stats");
            const timeouts = s.closes["ping timeout"] ?? 0;
            if (timeouts > 0) {
              log(`${impl}: a ${ms} ms stall cost ${timeouts} false timeouts`);
              break;
            }
            survived = ms;
          }
          c.add(stallMetric, impl, survived);
          log(`${impl}: largest stall survived ${survived} ms`);
        } finally {
          await pair.stop();
        }
      }
    }
    return c.rows();
  },
};
