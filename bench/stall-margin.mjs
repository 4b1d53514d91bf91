// @module How long a server stall each heartbeat configuration survives with no false alarm on
// either side. A Heartwire server in this process; 2,000 lean Engine.IO clients in a child process
// (test/fixtures/lean-clients.mjs), each answering pings and keeping the client-side deadline.
// For each configuration, the event loop is blocked at random moments for growing lengths (3 times
// each) until a socket closes on the server or a client misses its deadline.
// usage: node bench/stall-margin.mjs [clients]
import http from "node:http";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { attach } from "@heartwire/server";

const CLIENTS = Number(process.argv[2] ?? 2000);
const CONFIGS = [
  { pingInterval: 300, pingTimeout: 300 },
  { pingInterval: 1000, pingTimeout: 500 },
  { pingInterval: 500, pingTimeout: 1000 },
];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stall = (ms) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

async function startClients(port) {
  const script = fileURLToPath(new URL("../test/fixtures/lean-clients.mjs", import.meta.url));
  const child = spawn(process.execPath, [script, String(port), String(CLIENTS)], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = [];
  let buffer = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (d) => {
    buffer += d;
    let i;
    while ((i = buffer.indexOf("\n")) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, i)));
      buffer = buffer.slice(i + 1);
    }
  });
  const next = async (key, timeoutMs = 30_000) => {
    const until = performance.now() + timeoutMs;
    while (performance.now() < until) {
      const found = lines.findIndex((l) => key in l);
      if (found >= 0) return lines.splice(found, 1)[0];
      await sleep(20);
    }
    throw new Error(`lean clients: no '${key}' report`);
  };
  await next("ready");
  return {
    report: async () => {
      child.stdin.write("report\n");
      return next("missedDeadlines");
    },
    kill: () => child.kill("SIGKILL"),
  };
}

const rows = [];
for (const config of CONFIGS) {
  const httpServer = http.createServer();
  const engine = attach(httpServer, config);
  let closes = 0;
  engine.on("connection", (s) => s.on("close", () => closes++));
  await new Promise((r) => httpServer.listen(0, "127.0.0.1", r));
  const clients = await startClients(httpServer.address().port);
  await sleep(config.pingInterval + 300);
  let survived = 0;
  let failedAt;
  for (let ms = config.pingTimeout - 100; ms <= config.pingInterval + config.pingTimeout + 200; ms += 50) {
    for (let trial = 0; trial < 3; trial++) {
      await sleep(Math.random() * config.pingInterval);
      stall(ms);
      await sleep(config.pingInterval + config.pingTimeout + 200);
    }
    const r = await clients.report();
    if (closes > 0 || r.missedDeadlines > 0 || r.closed > 0) {
      failedAt = { ms, serverCloses: closes, clientMisses: r.missedDeadlines };
      break;
    }
    survived = ms;
  }
  clients.kill();
  engine.close();
  httpServer.closeAllConnections();
  httpServer.close();
  rows.push({ ...config, survived, failedAt });
  console.log(JSON.stringify(rows.at(-1)));
}
console.log("\n| pingInterval | pingTimeout | longest stall survived (3 random moments each) | first failure |");
console.log("| --- | --- | --- | --- |");
for (const r of rows) {
  const f = r.failedAt ? `${r.failedAt.ms} ms: ${r.failedAt.serverCloses} server closes, ${r.failedAt.clientMisses} client deadlines missed` : "none up to the limit";
  console.log(`| ${r.pingInterval} | ${r.pingTimeout} | ${r.survived} ms | ${f} |`);
}
