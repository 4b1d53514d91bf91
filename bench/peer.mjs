// @module Benchmark peer process: full client libraries (@heartwire/client, engine.io-client), used
// where the lean load generator cannot show a client-side behaviour (a client noticing a frozen
// server). Controlled over IPC by bench/run.mjs; reports close times as wall-clock milliseconds.
import { performance } from "node:perf_hooks";

const wall = () => performance.timeOrigin + performance.now();
const sockets = new Set();
const closes = [];

/** Opens `n` websocket-only clients of `lib` ("heartwire" | "engine.io"), spread over `spreadMs`; resolves once all are open. */
async function open({ port, n, lib, spreadMs = 0 }) {
  const { Socket } = await import(lib === "heartwire" ? "@heartwire/client" : "engine.io-client");
  const url = `ws://127.0.0.1:${port}`;
  let opened = 0;
  await Promise.all(
    Array.from({ length: n }, (_, i) => new Promise((r) => setTimeout(r, (i * spreadMs) / n)).then(() => new Promise((resolve) => {
      const socket = new Socket(url, { transports: ["websocket"] });
      const timer = setTimeout(resolve, 5000);
      socket.on("open", () => {
        opened++;
        clearTimeout(timer);
        resolve();
      });
      socket.on("error", () => {});
      socket.on("close", (reason) => {
        closes.push({ at: wall(), reason: String(reason) });
        sockets.delete(socket);
      });
      sockets.add(socket);
    }))),
  );
  return { opened };
}

process.on("message", async (msg) => {
  let result = {};
  if (msg.cmd === "open") result = await open(msg);
  else if (msg.cmd === "closes") result = { closes: closes.splice(0) };
  else if (msg.cmd === "exit") {
    for (const s of sockets) s.close();
    process.exit(0);
  }
  process.send({ reply: msg.id, ...result });
});
process.send({ ready: true });
