// Heartwire echo server (each message sent back to its sender) on one port with several worker
// processes behind @heartwire/server/cluster: the primary listens and routes every connection to
// the worker that owns its session (polling included), a handshake to the least-loaded worker.
//
//   PORT=3000 WORKERS=2 node deploy/cluster.mjs
//   kill -HUP <primary pid>    rolling restart: one worker at a time is replaced and drained
//   kill -TERM <primary pid>   drains every worker, then exits 0
//
// env: PORT (default 3000; 0 picks a free port), HOST (default 127.0.0.1), WORKERS (default 2),
// DRAIN_TIMEOUT_MS (default 5000): how long a draining worker may take to close its sessions;
// PING_INTERVAL_MS / PING_TIMEOUT_MS: the engine's heartbeat (its defaults otherwise).
// The primary prints one JSON line per event ({"event":"listening","port":…}, "restarted", …).
import cluster from "node:cluster";
import { Server } from "@heartwire/server";
import { setupPrimary, setupWorker } from "@heartwire/server/cluster";

const env = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const log = (event, fields = {}) => console.log(JSON.stringify({ event, ...fields }));

if (cluster.isPrimary) {
  const primary = setupPrimary({
    port: env("PORT", 3000),
    host: process.env.HOST ?? "127.0.0.1",
    workers: env("WORKERS", 2),
    drainTimeout: env("DRAIN_TIMEOUT_MS", 5000),
    // SIGHUP is handled below, to log when the restart is over.
    restartSignal: false,
  });
  primary.on("listening", (address) => log("listening", { port: address.port, pid: process.pid }));
  primary.on("worker_ready", ({ id, pid }) => log("worker_ready", { id, pid }));
  primary.on("worker_exit", ({ id }, code, signal) => log("worker_exit", { id, code, signal }));
  primary.on("error", (error) => log("error", { message: error.message }));
  primary.ready.then(
    () => log("ready", { workers: primary.workers.map((w) => w.id) }),
    (error) => {
      log("error", { message: error.message });
      process.exitCode = 1;
    },
  );
  process.on("SIGHUP", () => {
    log("restarting");
    primary.restart().then(
      () => log("restarted", { workers: primary.workers.map((w) => w.id) }),
      (error) => log("error", { message: error.message }),
    );
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    log("draining");
    primary.close().then(() => {
      log("stopped");
      process.exit(0);
    });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} else {
  const engine = new Server({ pingInterval: env("PING_INTERVAL_MS"), pingTimeout: env("PING_TIMEOUT_MS") });
  engine.on("connection", (socket) => socket.on("message", (data) => socket.send(data)));
  setupWorker(engine);
  // Ctrl-C reaches the whole process group: the primary drives the drain, the workers wait for it.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => {});
}
