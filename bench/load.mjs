// @module Benchmark load generator process: lean clients for raw ws and Engine.IO v4 (websocket and
// polling), controlled over IPC by bench/run.mjs. The same lean client drives Heartwire and
// engine.io, so any difference measured is the server's.
import http from "node:http";
import { performance } from "node:perf_hooks";
import WebSocket from "ws";

const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const clients = new Set();
const counters = { pings: 0, messages: 0, closes: 0, errors: 0 };

/** One websocket client; `eio` selects Engine.IO framing (open packet, ping → pong, `4` messages). */
function openWebSocket(port, eio) {
  return new Promise((resolve) => {
    const url = eio ? `ws://127.0.0.1:${port}/engine.io/?EIO=4&transport=websocket` : `ws://127.0.0.1:${port}/`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const client = { kind: "ws", ws, onMessage: null, send: null, close: () => ws.terminate() };
    client.send = eio ? (data) => ws.send(typeof data === "string" ? "4" + data : data) : (data) => ws.send(data);
    let settled = false;
    const done = (ok) => {
      if (!settled) {
        settled = true;
        resolve(ok ? client : null);
      }
    };
    ws.on("open", () => {
      if (!eio) done(true);
    });
    // Every implementation gets the same client work per message: text frames are decoded to a
    // string (the Engine.IO client must, to read the packet type), binary frames stay Buffers.
    ws.on("message", (data, isBinary) => {
      if (eio && !isBinary) {
        const text = data.toString();
        const type = text.charCodeAt(0);
        if (type === 48 /* 0 open */) return done(true);
        if (type === 50 /* 2 ping */) {
          counters.pings++;
          ws.send("3");
          return;
        }
        if (type !== 52 /* 4 message */) return;
        counters.messages++;
        client.onMessage?.(text.slice(1));
        return;
      }
      counters.messages++;
      client.onMessage?.(isBinary ? data : data.toString());
    });
    if (!eio) ws.on("ping", () => counters.pings++);
    ws.on("error", () => {
      counters.errors++;
      done(false);
    });
    ws.on("close", () => {
      counters.closes++;
      clients.delete(client);
      done(false);
    });
    clients.add(client);
  });
}

function requestOn(method, path, port, body, keepAlive = true) {
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path, agent: keepAlive ? keepAliveAgent : false, headers: body === undefined ? {} : { "content-type": "text/plain;charset=UTF-8" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode, text }));
        res.on("error", () => resolve({ status: 0, text: "" }));
      },
    );
    req.on("error", () => resolve({ status: 0, text: "" }));
    req.end(body);
  });
}

/**
 * One Engine.IO long-polling client: a GET always pending, pongs and messages sent by POST. With
 * `keepAlive` false every request opens a new TCP connection (a browser without connection reuse).
 */
async function openPolling(port, keepAlive = true) {
  const base = `/engine.io/?EIO=4&transport=polling`;
  const request = (method, path, port, body) => requestOn(method, path, port, body, keepAlive);
  const hs = await request("GET", base, port);
  if (hs.status !== 200 || hs.text[0] !== "0") {
    counters.errors++;
    return null;
  }
  const sid = JSON.parse(hs.text.slice(1)).sid;
  const path = `${base}&sid=${encodeURIComponent(sid)}`;
  const client = { kind: "polling", closed: false, onMessage: null };
  let outbox = [];
  let posting = false;
  const flush = async () => {
    if (posting || outbox.length === 0 || client.closed) return;
    posting = true;
    const body = outbox.join("\x1e");
    outbox = [];
    const res = await request("POST", path, port, body);
    posting = false;
    if (res.status !== 200) return fail();
    flush();
  };
  const fail = () => {
    if (client.closed) return;
    client.closed = true;
    counters.closes++;
    clients.delete(client);
  };
  client.send = (data) => {
    outbox.push("4" + data);
    flush();
  };
  client.close = () => {
    client.closed = true;
    clients.delete(client);
  };
  const poll = async () => {
    while (!client.closed) {
      const res = await request("GET", path, port);
      if (res.status !== 200) return fail();
      for (const packet of res.text.split("\x1e")) {
        if (packet === "2") {
          counters.pings++;
          outbox.push("3");
          flush();
        } else if (packet[0] === "4") {
          counters.messages++;
          client.onMessage?.(packet.slice(1));
        } else if (packet === "1") return fail();
      }
    }
  };
  poll();
  clients.add(client);
  return client;
}

/**
 * Opens `n` clients, `concurrency` at a time. With `spreadMs`, open number i starts no earlier than
 * i·spreadMs/n after the first, so heartbeats fall into phases spread over that span.
 */
async function openMany({ port, n, transport, eio, concurrency = 50, keepAlive = true, spreadMs = 0 }) {
  const started = performance.now();
  let next = 0;
  let opened = 0;
  let failed = 0;
  let maxGap = 0;
  let last = started;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const startAt = started + (i * spreadMs) / n;
      if (spreadMs > 0 && performance.now() < startAt) await new Promise((r) => setTimeout(r, startAt - performance.now()));
      const c = transport === "polling" ? await openPolling(port, keepAlive) : await openWebSocket(port, eio);
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      if (c) opened++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { opened, failed, ms: performance.now() - started, maxGapMs: maxGap };
}

/** Echo for `durationMs`: each client keeps `window` messages in flight. */
async function echo({ durationMs, window, size, binary }) {
  const payload = binary ? Buffer.alloc(size, 7) : "x".repeat(size);
  const list = [...clients];
  let received = 0;
  let running = true;
  const started = performance.now();
  for (const c of list) {
    c.onMessage = () => {
      received++;
      if (running) c.send(payload);
    };
    for (let i = 0; i < window; i++) c.send(payload);
  }
  await new Promise((r) => setTimeout(r, durationMs));
  running = false;
  const ms = performance.now() - started;
  const count = received;
  // Let in-flight echoes drain so the next run starts clean (bounded).
  await new Promise((r) => setTimeout(r, 300));
  for (const c of list) c.onMessage = null;
  return { messages: count, ms, bytes: count * size };
}

process.on("message", async (msg) => {
  let result = {};
  if (msg.cmd === "open") result = await openMany(msg);
  else if (msg.cmd === "counters") result = { ...counters, clients: clients.size };
  else if (msg.cmd === "echo") result = await echo(msg);
  else if (msg.cmd === "closeAll") {
    for (const c of [...clients]) c.close();
    clients.clear();
  } else if (msg.cmd === "exit") process.exit(0);
  process.send({ reply: msg.id, ...result });
});
process.send({ ready: true });
