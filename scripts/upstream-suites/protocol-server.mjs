// @module The server the Engine.IO protocol test suite (engine.io-protocol, test-suite/) runs
// against, with the options its README asks for: port 3000, pingInterval 300, pingTimeout 200,
// maxPayload 1e6, CORS for any origin, and every message echoed back.
// Usage: node protocol-server.mjs <module>  (engine.io, or Heartwire's server build)
import { pathToFileURL } from "node:url";
import { isAbsolute } from "node:path";

const target = process.argv[2];
if (!target) {
  console.error("usage: node protocol-server.mjs <path of engine.io or @heartwire/server entry>");
  process.exit(2);
}
const { listen } = await import(isAbsolute(target) ? pathToFileURL(target).href : target);

const server = listen(3000, {
  pingInterval: 300,
  pingTimeout: 200,
  maxPayload: 1e6,
  cors: { origin: "*" },
});

server.on("connection", (socket) => {
  socket.on("data", (...args) => socket.send(...args));
});

// engine.io's listen() gives back the Server; its http server is engine.httpServer.
const http = server.httpServer;
const ready = () => console.log("protocol-server listening on 3000");
if (http && !http.listening) http.once("listening", ready);
else ready();
