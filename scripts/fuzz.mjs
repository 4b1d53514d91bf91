// @module Long runs of the seeded mutation fuzzer (test/hostile/fuzz.ts) against a live server.
// Usage: node scripts/fuzz.mjs [--seed N] [--count N] [--concurrency N]   (build first: npx tsc -b)
// Exits 1 if any case hung, the server threw, or the server stopped answering handshakes.
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: String(Date.now() % 2 ** 31) },
    count: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "32" },
  },
});
const seed = Number(values.seed);
const count = Number(values.count);
const concurrency = Number(values.concurrency);

const { startServer } = await import("../test/dist/helpers/servers.js");
const { fuzzServer } = await import("../test/dist/hostile/fuzz.js");

const crashes = [];
process.on("uncaughtException", (error) => crashes.push(error));
const srv = await startServer({ echo: true, pingInterval: 300, pingTimeout: 300, maxHttpBufferSize: 100_000, httpBodyTimeout: 500, upgradeTimeout: 500 });
const started = performance.now();
let report;
try {
  report = await fuzzServer({ port: srv.port, seed, count, concurrency });
  const probe = await fetch(`${srv.url}/engine.io/?EIO=4&transport=polling`);
  report = { ...report, handshakeAfter: probe.status };
} finally {
  await srv.close();
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ ...report, crashes: crashes.map(String), seconds: Number(seconds.toFixed(1)) }, null, 2));
process.exitCode = report.hung.length === 0 && crashes.length === 0 && report.handshakeAfter === 200 ? 0 : 1;
