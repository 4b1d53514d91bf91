// The demo page: one ReconnectingSocket from the browser bundle, and what it sees.
import { ReconnectingSocket } from "/heartwire.js";
import { RttPlot } from "./plot.js";

const $ = (id) => document.getElementById(id);
const plot = new RttPlot($("rtt-plot"));
const ui = {
  rs: undefined,
  attached: new WeakSet(),
  session: undefined,
  openedAt: undefined,
  transports: [],
  lastLife: undefined,
  pingInterval: undefined,
  pingTimeout: undefined,
  proposal: {},
  ranges: undefined,
  reconnects: 0,
  rttCount: 0,
  lastRtt: undefined,
  lastSmoothed: undefined,
  pauseAt: undefined,
  freezeAt: undefined,
  nextRetryAt: undefined,
  lastServerEventAt: 0,
  clients: [],
};

const clock = (at = Date.now()) => new Date(at).toTimeString().slice(0, 8) + "." + String(at % 1000).padStart(3, "0");
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;

function note(side, text, tone = "", at = Date.now()) {
  const li = document.createElement("li");
  if (tone) li.className = tone;
  li.innerHTML = `<time></time><span class="side ${side}">${side}</span><span class="text"></span>`;
  li.querySelector("time").textContent = clock(at);
  li.querySelector(".text").textContent = text;
  li.dataset.at = String(at);
  // Newest first, ordered by when it happened (server notes arrive a little after the fact).
  const list = $("timeline");
  const after = [...list.children].find((other) => Number(other.dataset.at) <= at);
  list.insertBefore(li, after ?? null);
  while (list.children.length > 80) list.lastChild.remove();
}

function describe(details) {
  if (!details) return "";
  if (details.description) return String(details.description);
  if (details.message) return details.message;
  return "";
}

function attach(socket) {
  if (!socket || ui.attached.has(socket)) return;
  ui.attached.add(socket);
  socket.on("heartbeat", () => (ui.lastLife = performance.now()));
  socket.on("upgrade", (transport) => {
    ui.transports.push(transport.name);
    note("you", `upgraded ${ui.transports.join(" → ")} after ${secs(performance.now() - ui.openedAt)}`, "good");
  });
  socket.on("upgradeError", (error) => note("you", `upgrade to websocket failed (${error.message}); staying on polling`, "bad"));
  socket.on("rtt", (rtt, smoothed) => {
    ui.rttCount++;
    ui.lastRtt = rtt;
    ui.lastSmoothed = smoothed;
    plot.add({ at: performance.now(), rtt, smoothed, session: socket.id });
  });
}

function onOpen() {
  const socket = ui.rs.socket;
  attach(socket);
  ui.session = socket.id;
  ui.openedAt = performance.now();
  ui.lastLife = performance.now();
  ui.transports = [socket.transport.name];
  ui.pingInterval = socket.pingInterval;
  ui.pingTimeout = socket.pingTimeout;
  ui.nextRetryAt = undefined;
  plot.mark(performance.now(), "open");
  note("you", `open over ${socket.transport.name}: session ${socket.id.slice(0, 6)}, ping ${socket.pingInterval}/${socket.pingTimeout} ms`, "good");
  renderNegotiation();
}

function onClose(reason, details) {
  const now = performance.now();
  const silence = ui.lastLife === undefined ? undefined : now - ui.lastLife;
  const bound = (ui.pingInterval ?? 0) + (ui.pingTimeout ?? 0);
  let text = `noticed "${reason}"`;
  const why = describe(details);
  if (why) text += ` (${why})`;
  if (reason === "ping timeout" && silence !== undefined) {
    text += ` after ${secs(silence)} without a word from the server (bound ${ui.pingInterval} + ${ui.pingTimeout} = ${bound} ms)`;
  } else if (silence !== undefined) {
    text += `; last heard from the server ${secs(silence)} before`;
  }
  if (ui.pauseAt !== undefined) text += `; ${secs(now - ui.pauseAt)} after the pause began`;
  if (ui.freezeAt !== undefined) text += `; this tab froze ${secs(now - ui.freezeAt)} ago`;
  ui.pauseAt = undefined;
  ui.freezeAt = undefined;
  ui.session = undefined;
  plot.mark(now, "close");
  note("you", text, "bad");
}

function onMessage(data) {
  if (typeof data !== "string" || !data.startsWith('{"demo"')) return;
  const msg = JSON.parse(data);
  if (msg.demo === "welcome") {
    ui.ranges = msg.heartbeat;
    $("propose-interval").placeholder = String(msg.heartbeat.pingInterval);
    $("propose-timeout").placeholder = String(msg.heartbeat.pingTimeout);
    // Replay what the server noticed while we were away (e.g. our own session timing out).
    for (const event of msg.history) if (event.at > ui.lastServerEventAt) serverNote(event);
    renderNegotiation();
  } else if (msg.demo === "event") {
    if (msg.event.at > ui.lastServerEventAt || msg.event.kind === "connect") serverNote(msg.event);
  } else if (msg.demo === "clients") {
    ui.clients = msg.clients;
    renderClients();
  }
}

function serverNote(event) {
  ui.lastServerEventAt = Math.max(ui.lastServerEventAt, event.at);
  const tone = event.kind === "close" || event.kind === "pause" || event.kind === "abrupt" ? "bad" : event.kind === "resume" ? "good" : "";
  note("server", event.text, tone, event.at);
}

function connect() {
  if (ui.rs) {
    ui.rs.removeAllListeners();
    ui.rs.close();
    ui.session = undefined;
    plot.mark(performance.now(), "close");
  }
  const rs = new ReconnectingSocket({ ...ui.proposal, reconnectionDelay: 500, reconnectionDelayMax: 4000, minUptime: 3000 });
  ui.rs = rs;
  rs.on("open", onOpen);
  rs.on("close", onClose);
  rs.on("message", onMessage);
  rs.on("reconnect_scheduled", (attempt, delay) => {
    ui.nextRetryAt = performance.now() + delay;
    note("you", `reconnecting in ${Math.round(delay)} ms (attempt ${attempt}, backoff with full jitter)`);
  });
  rs.on("reconnect", (attempt) => {
    ui.reconnects++;
    note("you", `reconnected after ${attempt} attempt(s)`, "good");
  });
  rs.on("reconnect_failed", () => note("you", "gave up reconnecting", "bad"));
  attach(rs.socket);
}

function renderNegotiation() {
  const parts = [];
  for (const key of ["pingInterval", "pingTimeout"]) {
    const proposed = ui.proposal[key];
    const got = key === "pingInterval" ? ui.pingInterval : ui.pingTimeout;
    if (proposed === undefined || got === undefined) continue;
    parts.push(proposed === got ? `${key} ${proposed} ms accepted` : `${key} ${proposed} ms clamped to ${got} ms`);
  }
  const range = ui.ranges ? ` The server accepts pingInterval ${ui.ranges.pingIntervalRange.join("–")} ms and pingTimeout ${ui.ranges.pingTimeoutRange.join("–")} ms; defaults ${ui.ranges.pingInterval}/${ui.ranges.pingTimeout} ms.` : "";
  $("negotiation").textContent = (parts.length ? `You proposed: ${parts.join(", ")}.` : "Using the server's defaults.") + range;
}

function renderClients() {
  $("client-count").textContent = String(ui.clients.length);
  const rows = ui.clients.map((c) => {
    const tr = document.createElement("tr");
    if (c.id === ui.session) tr.className = "you";
    const rtt = c.rtt === null ? "—" : `${c.rtt.toFixed(1)} ms`;
    const cells = [c.id.slice(0, 6), c.transport, rtt, `${c.pingInterval}/${c.pingTimeout}`, `${Math.round(c.connectedFor / 1000)} s`, c.agent];
    for (const text of cells) tr.appendChild(document.createElement("td")).textContent = text;
    return tr;
  });
  $("client-rows").replaceChildren(...rows);
}

function render() {
  const now = performance.now();
  const rs = ui.rs;
  const state = rs?.readyState ?? "closed";
  const socket = rs?.socket;
  const open = state === "open" && socket?.readyState === "open";
  $("state").textContent = open ? "open" : state === "waiting" ? "reconnecting" : state;
  $("state").dataset.state = open ? "open" : state;
  const retry = ui.nextRetryAt !== undefined && state === "waiting" ? ` (next try in ${secs(Math.max(0, ui.nextRetryAt - now))})` : "";
  $("state-text").textContent = (open ? "open" : state) + retry;
  $("transport").textContent = open ? socket.transport.name : "—";
  $("sid").textContent = open ? socket.id : "—";
  $("transport-history").textContent = open ? ui.transports.join(" → ") : "—";
  $("uptime").textContent = open ? secs(now - ui.openedAt).replace(/\.\d+ s/, " s") : "—";
  $("reconnects").textContent = String(ui.reconnects);
  $("ping-interval").textContent = ui.pingInterval ?? "—";
  $("ping-timeout").textContent = ui.pingTimeout ?? "—";
  $("bound").textContent = ui.pingInterval ? ui.pingInterval + ui.pingTimeout : "—";
  $("rtt-latest").textContent = ui.lastRtt === undefined ? "—" : `${ui.lastRtt.toFixed(2)} ms`;
  $("rtt-smoothed").textContent = ui.lastSmoothed === undefined ? "—" : `${ui.lastSmoothed.toFixed(2)} ms`;
  $("rtt-count").textContent = String(ui.rttCount);

  const bound = (ui.pingInterval ?? 0) + (ui.pingTimeout ?? 0);
  const bar = $("silence-bar");
  if (open && bound > 0 && ui.lastLife !== undefined) {
    const silence = now - ui.lastLife;
    $("silence").textContent = `${Math.round(silence)} ms`;
    bar.style.width = `${Math.min(100, (silence / bound) * 100)}%`;
    bar.className = silence > bound * 0.9 ? "dead" : silence > ui.pingInterval * 1.1 ? "late" : "";
    $("interval-mark").style.left = `${(ui.pingInterval / bound) * 100}%`;
    $("interval-legend").textContent = `${ui.pingInterval} ms`;
    $("deadline-legend").textContent = `${bound} ms → "ping timeout"`;
  } else {
    $("silence").textContent = "—";
    bar.style.width = "0";
  }
  plot.draw(now);
  requestAnimationFrame(render);
}

function send(command) {
  if (ui.rs?.readyState !== "open") return note("you", "not connected: try again once the connection is open", "bad");
  ui.rs.send(JSON.stringify(command));
}

$("pause").addEventListener("click", () => {
  const seconds = Number($("pause-seconds").value) || 5;
  ui.pauseAt = performance.now();
  note("you", `asked the server to pause its heartbeats for ${seconds} s (expect "ping timeout" within ${ui.pingInterval + ui.pingTimeout} ms)`);
  send({ demo: "pause", seconds });
});
$("abrupt").addEventListener("click", () => {
  note("you", "asked the server to drop this connection abruptly");
  send({ demo: "abrupt" });
});
$("freeze").addEventListener("click", () => {
  const seconds = Math.min(30, Number($("freeze-seconds").value) || 5);
  note("you", `freezing this tab for ${seconds} s: no pongs will go out, so the server should notice first`);
  // Let the note paint, then block the page's only thread.
  setTimeout(() => {
    ui.freezeAt = performance.now();
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      // busy: the tab is frozen on purpose
    }
    note("you", `tab unfrozen after ${seconds} s`);
    // The heartbeat deadline may have passed while frozen: check it now, as a waking tab would.
    ui.rs?.socket?.checkHeartbeat();
  }, 50);
});
$("propose").addEventListener("submit", (event) => {
  event.preventDefault();
  const interval = Number($("propose-interval").value);
  const timeout = Number($("propose-timeout").value);
  ui.proposal = {};
  if (interval > 0) ui.proposal.pingInterval = Math.round(interval);
  if (timeout > 0) ui.proposal.pingTimeout = Math.round(timeout);
  const text = Object.entries(ui.proposal).map(([k, v]) => `${k} ${v} ms`).join(", ") || "the server's defaults";
  note("you", `reconnecting to propose ${text}`);
  connect();
});

connect();
requestAnimationFrame(render);
