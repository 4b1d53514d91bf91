// @module `node bench/rtt.mjs [--samples=N] [--interval=MS]`: heartbeat round-trip accuracy on
// loopback, one process, no relay. For each server (Heartwire with its timer wheel, Heartwire with a
// host timer per socket, engine.io) and client (Heartwire, engine.io-client) it prints the client's
// inferred RTT (ping spacing minus pingInterval) and, for our server, its direct measurement (ping
// written → pong read). On loopback the true RTT is well under 1 ms, so every figure is lateness.
import { createServer } from "node:http";
import { Server } from "@heartwire/server";
import { Socket as OurClient } from "@heartwire/client";
import { attach as attachOfficial } from "engine.io";
import { Socket as OfficialClient } from "engine.io-client";

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const SAMPLES = arg("samples", 30);
const PING_INTERVAL = arg("interval", 50);
const TIMING = { pingInterval: PING_INTERVAL, pingTimeout: 2000 };

async function listen(attach) {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const engine = attach(http);
  await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { engine, url: `http://127.0.0.1:${http.address().port}`, close: () => (engine.close(), http.closeAllConnections(), http.close()) };
}

const servers = {
  "heartwire (wheel)": (http) => new Server(TIMING).attach(http),
  "heartwire (timerResolution 0)": (http) => new Server({ ...TIMING, timerResolution: 0 }).attach(http),
  "engine.io": (http) => attachOfficial(http, TIMING),
};

/** Client-side samples: ping spacing minus pingInterval, from each client's own "ping" event. */
function clientSamples(client, count) {
  return new Promise((resolve) => {
    const samples = [];
    let last;
    client.on("ping", () => {
      const now = performance.now();
      if (last !== undefined) samples.push(now - last - PING_INTERVAL);
      last = now;
      if (samples.length === count) resolve(samples);
    });
  });
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `median ${sorted[sorted.length >> 1].toFixed(2)} / mean ${mean.toFixed(2)} / max ${sorted.at(-1).toFixed(2)} ms`;
}

console.log(`heartbeat RTT on loopback, pingInterval ${PING_INTERVAL} ms, ${SAMPLES} samples per row`);
for (const [serverName, attach] of Object.entries(servers)) {
  for (const transport of ["websocket", "polling"]) {
    for (const [clientName, Client] of [["heartwire", OurClient], ["engine.io-client", OfficialClient]]) {
      const srv = await listen(attach);
      const serverRtts = [];
      srv.engine.on("connection", (socket) => socket.on?.("rtt", (rtt) => serverRtts.push(rtt)));
      const client = new Client(srv.url, { transports: [transport] });
      const samples = await clientSamples(client, SAMPLES);
      client.close();
      srv.close();
      const server = serverRtts.length ? `; server measures ${stats(serverRtts)}` : "";
      console.log(`${serverName.padEnd(30)} ${transport.padEnd(9)} ${clientName.padEnd(16)} client ${stats(samples)}${server}`);
    }
  }
}
