// The demo's shared state on the server: who is connected (with the RTT the server measures), a
// feed of what the server noticed and when, and the fault buttons' server side:
// - "pause": blocks the server's event loop for N s (Atomics.wait), so it sends no pings and
//   reads no pongs, as in a long GC pause or a CPU-bound handler. Clients notice by "ping timeout".
// - "abrupt": destroys the client's TCP connection with no Engine.IO close packet and no WebSocket
//   close frame. Both sides notice at once ("transport close").
// Protocol with the page: text messages whose JSON has a "demo" field; anything else is echoed.
import { performance } from "node:perf_hooks";

const MAX_HISTORY = 40;
const MAX_PAUSE_S = 30;
const CLIENTS_EVERY_MS = 1000;

const short = (id) => id.slice(0, 6);

function agentOf(request) {
  const ua = request.headers["user-agent"] ?? "";
  const match = /(Firefox|Edg|Chrome|Safari|node)[/ ]?(\d+)?/i.exec(ua);
  if (!match) return ua ? ua.slice(0, 24) : "unknown";
  const name = { edg: "Edge", node: "Node" }[match[1].toLowerCase()] ?? match[1];
  return match[2] ? `${name} ${match[2]}` : name;
}

/** Tracks the demo's sessions, pushes the client list and the server's event feed to every page. */
export class DemoRoom {
  #engine;
  #log;
  #heartbeat;
  #members = new Map();
  #history = [];
  #tcpBySid = new Map();
  #timer;
  #pushScheduled = false;

  constructor(engine, httpServer, { heartbeat, log }) {
    this.#engine = engine;
    this.#heartbeat = heartbeat;
    this.#log = log;
    // Remember each WebSocket's TCP connection by session id, to be able to cut it abruptly.
    httpServer.on("upgrade", (req, tcp) => {
      const sid = new URL(req.url ?? "/", "http://x").searchParams.get("sid");
      if (sid) this.#tcpBySid.set(sid, tcp);
    });
    this.#timer = setInterval(() => this.#pushClients(), CLIENTS_EVERY_MS);
    this.#timer.unref();
  }

  /** Starts tracking a new session. */
  add(socket) {
    const member = {
      socket,
      connectedAt: Date.now(),
      lastHeartbeat: performance.now(),
      agent: agentOf(socket.request),
    };
    // The history first: it tells a reconnecting page what the server noticed while it was away.
    socket.send(JSON.stringify({ demo: "welcome", id: socket.id, heartbeat: this.#heartbeat, history: this.#history }));
    this.#members.set(socket.id, member);
    this.#note("connect", `${short(socket.id)} connected over ${socket.transport.name} (${member.agent}), ping ${socket.pingInterval}/${socket.pingTimeout} ms`);
    socket.on("heartbeat", () => (member.lastHeartbeat = performance.now()));
    socket.on("upgrade", (transport) => {
      this.#note("upgrade", `${short(socket.id)} upgraded to ${transport.name}`);
      this.#schedulePush();
    });
    socket.on("message", (data) => this.#onMessage(socket, data));
    socket.on("close", (reason, description) => {
      const silentFor = performance.now() - member.lastHeartbeat;
      this.#members.delete(socket.id);
      this.#tcpBySid.delete(socket.id);
      const why = description?.message ? ` (${description.message})` : "";
      this.#note("close", `${short(socket.id)} closed: "${reason}"${why}, ${(silentFor / 1000).toFixed(2)} s after its last sign of life`);
      this.#schedulePush();
    });
    this.#schedulePush();
  }

  /** Stops the periodic push (shutdown). */
  stop() {
    clearInterval(this.#timer);
  }

  #onMessage(socket, data) {
    let command;
    if (typeof data === "string" && data.startsWith('{"demo"')) {
      try {
        command = JSON.parse(data);
      } catch {
        command = undefined;
      }
    }
    if (!command) return void socket.send(data);
    if (command.demo === "pause") this.#pause(socket, command.seconds);
    else if (command.demo === "abrupt") this.#abrupt(socket);
  }

  #pause(socket, seconds) {
    const s = Math.min(MAX_PAUSE_S, Math.max(1, Math.round(Number(seconds) || 5)));
    this.#note("pause", `${short(socket.id)} asked for a pause: the server's event loop stops for ${s} s (no pings, no pongs, nothing)`);
    // Let the notice reach the pages before the loop stops.
    setTimeout(() => {
      this.#log(`pause      event loop blocked for ${s} s`);
      const started = performance.now();
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, s * 1000);
      const took = (performance.now() - started) / 1000;
      this.#note("resume", `server resumed after ${took.toFixed(1)} s; ${this.#engine.clientsCount} session(s) still open`);
    }, 100);
  }

  #abrupt(socket) {
    const tcp = this.#tcpBySid.get(socket.id) ?? (socket.transport.name === "websocket" ? socket.request.socket : undefined);
    this.#note("abrupt", `cutting ${short(socket.id)}'s ${socket.transport.name} connection abruptly (no close packet)`);
    // Let the notice go out first; then drop the TCP connection (or, on polling, the session).
    setTimeout(() => {
      if (tcp && !tcp.destroyed) tcp.destroy();
      else socket.close(true);
    }, 50);
  }

  #note(kind, text) {
    const event = { at: Date.now(), side: "server", kind, text };
    this.#history.push(event);
    if (this.#history.length > MAX_HISTORY) this.#history.shift();
    const message = JSON.stringify({ demo: "event", event });
    for (const { socket } of this.#members.values()) socket.send(message);
  }

  #schedulePush() {
    if (this.#pushScheduled) return;
    this.#pushScheduled = true;
    setTimeout(() => {
      this.#pushScheduled = false;
      this.#pushClients();
    }, 100);
  }

  #pushClients() {
    const now = Date.now();
    const clients = [...this.#members.values()].map(({ socket, connectedAt, agent }) => ({
      id: socket.id,
      transport: socket.transport.name,
      rtt: socket.rtt ?? null,
      smoothedRtt: socket.smoothedRtt ?? null,
      pingInterval: socket.pingInterval,
      pingTimeout: socket.pingTimeout,
      connectedFor: now - connectedAt,
      agent,
    }));
    const message = JSON.stringify({ demo: "clients", count: this.#engine.clientsCount, clients });
    for (const { socket } of this.#members.values()) socket.send(message);
  }
}
