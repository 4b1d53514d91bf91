// Heartwire demo (`npm start`): serves http://127.0.0.1:3000 (PORT / HOST to change), a page built
// on the browser bundle that shows its connection, the negotiated heartbeat, a live RTT plot, every
// connected client, and fault buttons (pause the server's heartbeats, disconnect abruptly).
// Engine.IO lives at /engine.io/; plain messages are echoed, so any Engine.IO v4 client can talk to
// it too. The terminal logs connects, heartbeats and disconnects with their reasons. Ctrl-C or SIGTERM
// stops it with a graceful drain (DRAIN_TIMEOUT_MS, default 5000).
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "@heartwire/server";
import { DemoRoom } from "./room.mjs";

// `--port N` overrides PORT (tests pass `--port 0 --json` and read the {"port"} line).
const argPort = process.argv.indexOf("--port");
const port = Number(argPort > 0 ? process.argv[argPort + 1] : (process.env.PORT ?? 3000));
const host = process.env.HOST ?? "127.0.0.1";
const stamp = () => new Date().toISOString().slice(11, 23);
const log = (...args) => console.log(stamp(), ...args);

/** Heartbeat the server offers, and the ranges client proposals are clamped into. */
const HEARTBEAT = {
  pingInterval: 1000,
  pingTimeout: 2000,
  pingIntervalRange: [500, 60_000],
  pingTimeoutRange: [500, 60_000],
};

const publicDir = fileURLToPath(new URL("public/", import.meta.url));
const clientDir = dirname(createRequire(import.meta.url).resolve("@heartwire/client/package.json"));
const bundlePath = join(clientDir, "dist", "browser", "heartwire.js");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

async function serveStatic(req, res) {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  const file = path === "/heartwire.js" ? bundlePath : join(publicDir, normalize(path === "/" ? "index.html" : path.slice(1)));
  if (file !== bundlePath && !file.startsWith(publicDir)) return void res.writeHead(404).end();
  try {
    const body = await readFile(file);
    res.writeHead(200, { "content-type": `${TYPES[extname(file)] ?? "application/octet-stream"}; charset=utf-8`, "cache-control": "no-cache" });
    res.end(body);
  } catch {
    const hint = file === bundlePath ? "The browser bundle is missing: run `npm start` (it builds it) or `npm run build`.\n" : "not found\n";
    res.writeHead(file === bundlePath ? 500 : 404, { "content-type": "text/plain; charset=utf-8" }).end(hint);
  }
}

const http = createServer((req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405).end();
  void serveStatic(req, res);
});
const engine = new Server({ ...HEARTBEAT });
engine.attach(http);
const room = new DemoRoom(engine, http, { heartbeat: HEARTBEAT, log });

engine.on("connection", (socket) => {
  log(`connect    ${socket.id} via ${socket.transport.name} from ${socket.remoteAddress} (${engine.clientsCount} open) ping ${socket.pingInterval}/${socket.pingTimeout} ms`);
  socket.on("upgrade", (transport) => log(`upgrade    ${socket.id} -> ${transport.name}`));
  socket.on("rtt", (rtt, estimate) =>
    log(`heartbeat  ${socket.id} rtt ${rtt.toFixed(1)} ms (smoothed ${estimate.smoothed.toFixed(1)} ms)`),
  );
  socket.on("close", (reason, description) =>
    log(`disconnect ${socket.id}: ${reason}${description ? ` (${description.message})` : ""} (${engine.clientsCount} open)`),
  );
  room.add(socket);
});
engine.on("connection_error", (e) => log(`refused    ${e.req.method} ${e.req.url}: ${e.code} ${e.message}`));

http.listen(port, host, () => {
  const { port: actual } = http.address();
  log(`Heartwire demo on http://${host}:${actual}/ (Engine.IO at /engine.io/, ping ${HEARTBEAT.pingInterval}/${HEARTBEAT.pingTimeout} ms)`);
  // One machine-readable line for tests that start the demo on port 0.
  if (process.argv.includes("--json")) console.log(JSON.stringify({ port: actual, pid: process.pid }));
});

// SIGTERM (a service manager's stop) or Ctrl-C drains: handshakes are refused from then on (503), every
// session is closed gracefully (buffered messages flushed, then the close), and the process exits 0 once
// the last one ended, at most DRAIN_TIMEOUT_MS later. A second signal exits at once.
const drainTimeout = Number(process.env.DRAIN_TIMEOUT_MS ?? 5000);
if (!Number.isFinite(drainTimeout) || drainTimeout < 0) {
  console.error(`DRAIN_TIMEOUT_MS must be a number of ms >= 0, got ${JSON.stringify(process.env.DRAIN_TIMEOUT_MS)}`);
  process.exit(2);
}
let stopping = false;
function shutdown(signal) {
  if (stopping) {
    log(`${signal} again: exiting without waiting`);
    process.exit(1);
  }
  stopping = true;
  log(`${signal}: draining ${engine.clientsCount} session(s) (at most ${drainTimeout} ms)`);
  room.stop();
  engine.close({ graceful: true, timeout: drainTimeout }, () => {
    log("drained");
    http.close(() => {
      log("bye");
      process.exit(0);
    });
    // Sessions are over: what is left is idle keep-alive connections and page loads.
    http.closeAllConnections();
  });
}
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
