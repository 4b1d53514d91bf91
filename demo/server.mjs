// Heartwire demo: an echo server on 127.0.0.1:3000 (PORT / HOST to change) that logs connects,
// heartbeats (with round-trip time) and disconnects with their reasons. Stop it with Ctrl-C.
import { createServer } from "node:http";
import { Server } from "@heartwire/server";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const stamp = () => new Date().toISOString().slice(11, 23);
const log = (...args) => console.log(stamp(), ...args);

const http = createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
  res.end("Heartwire demo server. Connect an Engine.IO v4 client to /engine.io/\n");
});
const engine = new Server({ cors: { origin: true, credentials: true } });
engine.attach(http);

engine.on("connection", (socket) => {
  log(`connect    ${socket.id} via ${socket.transport.name} from ${socket.remoteAddress} (${engine.clientsCount} open)`);
  socket.on("upgrade", (transport) => log(`upgrade    ${socket.id} -> ${transport.name}`));
  socket.on("rtt", (rtt, estimate) =>
    log(`heartbeat  ${socket.id} rtt ${rtt.toFixed(1)} ms (smoothed ${estimate.smoothed.toFixed(1)} ms)`),
  );
  socket.on("message", (data) => socket.send(data));
  socket.on("close", (reason, description) =>
    log(`disconnect ${socket.id}: ${reason}${description ? ` (${description.message})` : ""} (${engine.clientsCount} open)`),
  );
});
engine.on("connection_error", (e) => log(`refused    ${e.req.method} ${e.req.url}: ${e.code} ${e.message}`));

http.listen(port, host, () => log(`Heartwire echo server on http://${host}:${port}/engine.io/`));

let stopping = false;
function shutdown(signal) {
  if (stopping) process.exit(1);
  stopping = true;
  log(`${signal}: closing ${engine.clientsCount} session(s)`);
  engine.close({ graceful: true });
  http.close(() => {
    log("bye");
    process.exit(0);
  });
  http.closeIdleConnections();
  // Bounded: whatever is still open after 2 s is cut.
  setTimeout(() => {
    http.closeAllConnections();
  }, 2000).unref();
}
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
