#!/usr/bin/env node
// One Heartwire echo server process (every message goes back to its sender), configured by the
// environment, ready to run under systemd, behind nginx or by hand:
//
//   SOCKET_PATH=/run/heartwire/echo.sock   listen on this Unix socket (a stale file is replaced;
//                                          one another process still listens on is refused: exit 1)
//   SOCKET_MODE=660                        permissions of that socket file (octal)
//   (socket activation)                    else the socket systemd passes as fd 3 (LISTEN_FDS)
//   HOST=127.0.0.1 PORT=3000               else this address (PORT=0: any free port)
//   NODE_ID=a                              session ids start with "a." so a proxy can route by sid
//                                          (A-Z a-z 0-9 _ ~ -; generated ids never contain ".")
//   PING_INTERVAL_MS / PING_TIMEOUT_MS     heartbeat (default 25000 / 20000)
//   DRAIN_TIMEOUT_MS=5000                  on SIGTERM/SIGINT: stop accepting, close every session
//                                          gracefully, exit 0 once all ended (or this timeout cut them)
//
// It prints one line once it serves: "listening on http://HOST:PORT", "listening on unix:PATH" or
// "listening on fd 3 (…)", then "draining N session(s)" and "drained" on SIGTERM.
import { listen, systemdListenFds } from "@heartwire/server";

const env = process.env;

/** A non-negative integer from the environment, or `fallback` when unset. */
function integer(name, fallback, radix = 10) {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number.parseInt(text, radix);
  if (!Number.isInteger(value) || value < 0 || value.toString(radix) !== text.replace(/^0+(?=.)/, "")) {
    fail(`${name} must be a non-negative integer, got ${JSON.stringify(text)}`, 2);
  }
  return value;
}

const drainTimeout = integer("DRAIN_TIMEOUT_MS", 5000);
const options = {
  sessionIdPrefix: env.NODE_ID ? `${env.NODE_ID}.` : undefined,
  pingInterval: integer("PING_INTERVAL_MS", undefined),
  pingTimeout: integer("PING_TIMEOUT_MS", undefined),
  mode: integer("SOCKET_MODE", undefined, 8),
};

const [activated] = systemdListenFds();
const target = env.SOCKET_PATH
  ? env.SOCKET_PATH
  : activated
    ? { fd: activated.fd }
    : { port: integer("PORT", 3000), host: env.HOST || "127.0.0.1" };

function where() {
  if (typeof target === "string") return `unix:${target}`;
  const address = engine.httpServer?.address();
  const url = address && typeof address === "object" ? `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}` : undefined;
  if (target.fd !== undefined) return `fd ${target.fd} (${url ?? (address ? `unix:${address}` : "a Unix socket")})`;
  return url;
}

let engine;
try {
  engine = listen(target, options, (error) => {
    if (error) fail(`cannot listen on ${typeof target === "string" ? `unix:${target}` : JSON.stringify(target)}: ${error.message}`, 1);
    console.log(`listening on ${where()}${env.NODE_ID ? ` as node ${env.NODE_ID}` : ""}`);
  });
} catch (error) {
  // A bad option (NODE_ID with other characters, a heartbeat of 0…).
  fail(error.message, 2);
}

function fail(message, code) {
  console.error(`echo-server: ${message}`);
  process.exit(code);
}
engine.on("error", (error) => console.error(`echo-server: ${error.message}`));

engine.on("connection", (socket) => {
  socket.on("message", (data) => socket.send(data));
});

let draining = false;
function drain(signal) {
  // A second signal while draining cuts it short.
  if (draining) process.exit(1);
  draining = true;
  console.log(`${signal}: draining ${engine.clientsCount} session(s) (at most ${drainTimeout} ms)`);
  engine.close({ graceful: true, timeout: drainTimeout }, () => {
    console.log("drained");
    process.exit(0);
  });
}
process.on("SIGTERM", () => drain("SIGTERM"));
process.on("SIGINT", () => drain("SIGINT"));
