// @module What a server with default options holds for a WebSocket client that stops reading
// (issue 13). A raw client opens a session and pauses its TCP socket; the server sends 1 KB messages
// (yielding every 100) until the session closes or 40,000 were sent. Prints how many were accepted,
// the close reason, `socket.bufferedAmount` and the growth of heap and RSS.
// usage: node --expose-gc bench/slow-consumer.mjs [repo dir, default this checkout]
import { createServer } from "node:http";
import { connect } from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const { Server } = await import(pathToFileURL(path.join(repo, "packages/server/dist/index.js")).href);
const gc = globalThis.gc ?? (() => {});

const http = createServer();
const server = new Server();
server.attach(http);
await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
const connection = new Promise((resolve) => server.once("connection", resolve));
const tcp = connect(http.address().port, "127.0.0.1");
tcp.on("error", () => {});
tcp.write(
  "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
);
const socket = await connection;
await new Promise((resolve) => tcp.once("data", resolve)); // the 101 and the open packet
tcp.pause();
gc();
const before = process.memoryUsage();
let closed = "-";
socket.on("close", (reason, description) => (closed = `${reason} (${description?.message ?? ""})`));
const chunk = "x".repeat(1000);
let sent = 0;
let most = 0;
const started = performance.now();
while (socket.readyState === "open" && sent < 40_000) {
  socket.send(chunk);
  sent++;
  most = Math.max(most, socket.bufferedAmount);
  if (sent % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
}
const ms = performance.now() - started;
const after = process.memoryUsage();
const mb = (key) => ((after[key] - before[key]) / 1e6).toFixed(1);
console.log(`sent ${sent} × 1 KB in ${ms.toFixed(0)} ms; session ${socket.readyState === "open" ? "still open" : `closed: ${closed}`}`);
console.log(`largest bufferedAmount ${most}; growth: heap ${mb("heapUsed")} MB, RSS ${mb("rss")} MB`);
tcp.destroy();
server.close();
http.closeAllConnections();
http.close();
