/**
 * @module `@heartwire/server/cluster` end to end: this process is the primary, the workers run
 * `fixtures/cluster-worker.mjs` (an echo engine). Sticky routing for every transport set, the
 * primary's answers to what it cannot route, and rolling restarts under traffic.
 */

import { expect } from "chai";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ReconnectingSocket, Socket, type TransportName } from "@heartwire/client";
import { startCluster, type RunningCluster } from "./helpers/cluster.js";
import { waitUntil } from "./helpers/events.js";
import { engineUrl, request } from "./helpers/http.js";

const KINDS = {
  polling: ["polling"],
  upgrade: ["polling", "websocket"],
  websocket: ["websocket"],
} as const satisfies Record<string, readonly TransportName[]>;
type Kind = keyof typeof KINDS;
const PER_KIND = 50;

/** The cluster worker id in a session id's `w<id>.` prefix. */
function ownerOf(sid: string | null | undefined): number {
  const match = /^w(\d+)\./.exec(sid ?? "");
  if (match === null) throw new Error(`session id without a worker prefix: ${String(sid)}`);
  return Number(match[1]);
}

/** Opens a Socket and resolves once open; rejects with the close reason otherwise (bounded). */
function openSocket(url: string, transports: readonly TransportName[], timeoutMs = 20_000): Promise<Socket> {
  const socket = new Socket(url, { transports: [...transports] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no open within ${timeoutMs} ms (${transports.join("+")})`));
    }, timeoutMs);
    socket.once("open", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("close", (reason, details) => {
      clearTimeout(timer);
      reject(new Error(`closed before open: ${reason} ${String(details)}`));
    });
  });
}

/** Sends `text` and resolves with the next message, which must echo it (bounded). */
function echo(socket: Socket, text: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off("message", onMessage);
      reject(new Error(`no echo of ${text} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data: unknown): void => {
      if (data !== text) return;
      clearTimeout(timer);
      socket.off("message", onMessage);
      resolve();
    };
    socket.on("message", onMessage);
    socket.send(text);
  });
}

/** A raw exchange with the primary: writes `bytes`, resolves with everything read until it closes. */
function rawExchange(port: number, bytes: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(answer)}`));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answer);
    });
    if (bytes.length > 0) socket.write(bytes);
  });
}

/** True when an error, or anything it wraps, is a refused TCP connection. */
function isConnectionRefused(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== "object" || depth > 5) return false;
  const { code, cause, context } = error as { code?: unknown; cause?: unknown; context?: unknown };
  return code === "ECONNREFUSED" || isConnectionRefused(cause, depth + 1) || isConnectionRefused(context, depth + 1);
}

describe("cluster: sticky routing for Node's cluster", function () {
  this.timeout(120_000);

  it("50 polling-only, 50 upgrade-capable and 50 websocket-only clients on 3 workers all echo, spread over the workers", async () => {
    await using cluster = await startCluster({ workers: 3 });
    const clients: Array<{ kind: Kind; socket: Socket }> = [];
    try {
      await Promise.all(
        (Object.keys(KINDS) as Kind[]).flatMap((kind) =>
          Array.from({ length: PER_KIND }, async () => clients.push({ kind, socket: await openSocket(cluster.url, KINDS[kind]) })),
        ),
      );
      await Promise.all(clients.map(({ socket }, i) => echo(socket, `hello ${i}`)));
      // Upgrade-capable clients end on websocket, as without a cluster.
      await waitUntil(() => clients.every(({ kind, socket }) => kind === "polling" || socket.transport?.name === "websocket"), 10_000, "upgrades");
      // Every request after the handshake reached the session's owner, or the echoes above and this
      // second round (polling clients poll and post on fresh connections) would have failed.
      await Promise.all(clients.map(({ socket }, i) => echo(socket, `again ${i}`)));
      const workerIds = cluster.primary.workers.map((w) => w.id);
      const perWorker = new Map(workerIds.map((id) => [id, 0]));
      for (const { socket } of clients) perWorker.set(ownerOf(socket.id), (perWorker.get(ownerOf(socket.id)) ?? 0) + 1);
      expect([...perWorker.keys()].sort()).to.deep.equal([...workerIds].sort());
      // Least-loaded handshakes: 150 sessions over 3 workers, none far from 50 (loose, the counts
      // the primary sees lag the workers by an IPC message).
      for (const [id, count] of perWorker) expect(count, `sessions on worker ${id}`).to.be.within(25, 75);
      await waitUntil(() => cluster.primary.workers.reduce((sum, w) => sum + w.sessions, 0) === clients.length, 10_000, "load reports");
    } finally {
      for (const { socket } of clients) socket.close();
    }
  });

  it("answers what it cannot route: an unknown worker's sid, a malformed request line, an oversized or a slow head", async () => {
    await using cluster = await startCluster({ workers: 2, maxHeadSize: 1024, headTimeout: 300 });
    const unknown = await request(engineUrl(cluster.url, { EIO: "4", transport: "polling", sid: "w999.AAAAAAAAAAAAAAAAAAAA" }));
    expect(unknown.status).to.equal(400);
    expect(unknown.json()).to.deep.equal({ code: 1, message: "Session ID unknown" });
    const noPrefix = await request(engineUrl(cluster.url, { EIO: "4", transport: "polling", sid: "AAAAAAAAAAAAAAAAAAAA" }));
    expect(noPrefix.json()).to.deep.equal({ code: 1, message: "Session ID unknown" });

    const malformed = await rawExchange(cluster.port, "HELLO\r\n\r\n");
    expect(malformed.split("\r\n")[0]).to.equal("HTTP/1.1 400 Bad Request");
    const oversized = await rawExchange(cluster.port, `GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nX-Big: ${"a".repeat(2000)}\r\n\r\n`);
    expect(oversized.split("\r\n")[0]).to.equal("HTTP/1.1 431 Request Header Fields Too Large");
    const slow = await rawExchange(cluster.port, "GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n");
    expect(slow.split("\r\n")[0]).to.equal("HTTP/1.1 408 Request Timeout");

    // The primary is still serving.
    const socket = await openSocket(cluster.url, KINDS.upgrade);
    try {
      await echo(socket, "still here");
    } finally {
      socket.close();
    }
  });

  it("refuses bad options and use outside its role with stable error codes", async () => {
    const { setupPrimary, setupWorker } = await import("@heartwire/server/cluster");
    const { Server } = await import("@heartwire/server");
    const codeOf = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (error) {
        return (error as { code?: unknown }).code;
      }
      return "no error";
    };
    // Options are checked before anything is forked or bound.
    expect(codeOf(() => setupPrimary({}))).to.equal("HW_ERR_INVALID_OPTION");
    expect(codeOf(() => setupPrimary({ port: 0, workers: 0 }))).to.equal("HW_ERR_INVALID_OPTION");
    expect(codeOf(() => setupPrimary({ port: 0, drainTimeout: -1 }))).to.equal("HW_ERR_INVALID_OPTION");
    expect(codeOf(() => setupPrimary({ port: 0, restartSignal: "HUP" as NodeJS.Signals }))).to.equal("HW_ERR_INVALID_OPTION");
    // This test process is the cluster primary, not a worker.
    const engine = new Server();
    try {
      expect(codeOf(() => setupWorker(engine))).to.equal("HW_ERR_CLUSTER");
    } finally {
      engine.close();
    }
  });

  it("a worker that crashes is replaced; its clients start new sessions on the others", async () => {
    await using cluster = await startCluster({ workers: 2 });
    const clients = Array.from(
      { length: 12 },
      (_, i) => new ReconnectingSocket(cluster.url, { transports: [...Object.values(KINDS)[i % 3]!], reconnectionDelay: 100, reconnectionDelayMax: 500 }),
    );
    try {
      await waitUntil(() => clients.every((rs) => rs.readyState === "open"), 20_000, "every client open");
      const [victim] = cluster.primary.workers;
      process.kill(victim!.pid!, "SIGKILL");
      await waitUntil(() => cluster.primary.workers.length === 2 && !cluster.primary.workers.some((w) => w.id === victim!.id) && cluster.primary.workers.every((w) => w.state === "ready"), 20_000, "a replacement worker ready");
      const live = cluster.primary.workers.map((w) => w.id);
      const onLive = (rs: ReconnectingSocket): boolean => rs.readyState === "open" && live.includes(ownerOf(rs.socket?.id));
      await waitUntil(() => clients.every(onLive), 20_000, "every client on a live worker").catch((error: Error) => {
        const behind = clients.filter((rs) => !onLive(rs)).map((rs) => `${rs.readyState} ${String(rs.socket?.id)} ${String(rs.socket?.transport?.name)}`);
        throw new Error(`${error.message}; live workers ${live.join(",")}, victim ${victim!.id}; behind: ${behind.join("; ")}`);
      });
    } finally {
      for (const rs of clients) rs.close();
    }
  });

  it("a restart whose new worker never becomes ready fails after readyTimeout and keeps the old workers serving", async () => {
    const flagDir = mkdtempSync(join(tmpdir(), "heartwire-cluster-"));
    const flag = join(flagDir, "not-ready");
    try {
      await using cluster = await startCluster({ workers: 2, readyTimeout: 5000, env: { NOT_READY_IF_EXISTS: flag } });
      const before = cluster.primary.workers.map((w) => w.id);
      writeFileSync(flag, "");
      const error = await cluster.primary.restart().then(
        () => undefined,
        (e: unknown) => e as { code?: unknown; message?: unknown },
      );
      expect(error?.code).to.equal("HW_ERR_CLUSTER");
      expect(String(error?.message)).to.match(/did not call setupWorker\(\) within 5000 ms/);
      await waitUntil(() => cluster.primary.workers.length === 2, 10_000, "the unready worker gone");
      expect(cluster.primary.workers.map((w) => [w.id, w.state])).to.deep.equal(before.map((id) => [id, "ready"]));
      const socket = await openSocket(cluster.url, KINDS.upgrade);
      try {
        await echo(socket, "still served");
      } finally {
        socket.close();
      }
    } finally {
      rmSync(flagDir, { recursive: true, force: true });
    }
  });

  it("a rolling restart replaces every worker while 150 clients send every 50 ms; the listening socket never refuses, every client ends on a new worker", async () => {
    const run = await rollingRestartRun(0);
    expect(run.refused, "connections refused during the restart").to.equal(0);
    expect(run.newWorkers).to.have.length(2);
    for (const id of run.newWorkers) expect(run.oldWorkers).not.to.include(id);
    expect(run.clientsOnNewWorkers).to.equal(3 * PER_KIND);
    expect(run.duplicates, "messages delivered twice").to.deep.equal([]);
    expect(run.phantoms, "delivered messages that were never sent").to.deep.equal([]);
    expect(run.sent).to.be.greaterThan(3 * PER_KIND);
  });

  it("during a rolling restart every message sent is delivered exactly once or reported (drop)", async () => {
    const run = await rollingRestartRun(15_000);
    expect(run.lost, `acknowledged messages neither delivered nor reported\n${run.context}\n`).to.deep.equal([]);
    expect(run.vanished, `sent messages with no callback and no report\n${run.context}\n`).to.deep.equal([]);
    expect(run.duplicates, "messages delivered twice").to.deep.equal([]);
  });
});

interface RestartRun {
  readonly oldWorkers: number[];
  readonly newWorkers: number[];
  readonly refused: number;
  readonly clientsOnNewWorkers: number;
  readonly sent: number;
  readonly duplicates: string[];
  readonly phantoms: string[];
  /** Send callback ran, not delivered, not reported. */
  readonly lost: string[];
  /** No callback, not delivered, not reported. */
  readonly vanished: string[];
  /** What happened to the first clients with a lost or vanished message (open, close, error). */
  readonly context: string;
}

interface RestartClient {
  readonly tag: string;
  readonly rs: ReconnectingSocket;
  sent: number;
  readonly acked: Set<number>;
  readonly reported: Set<number>;
  readonly events: string[];
}

/**
 * 50 clients of each kind (ReconnectingSocket) on 2 workers; each sends `<tag>:<n>` every 50 ms
 * through a rolling restart, then waits up to `settleMs` for every send to be confirmed or
 * reported. Returns what the workers' logs and the clients' reports add up to.
 */
async function rollingRestartRun(settleMs: number): Promise<RestartRun> {
  const logDir = mkdtempSync(join(tmpdir(), "heartwire-cluster-"));
  let cluster: RunningCluster | undefined;
  const clients: RestartClient[] = [];
  let refused = 0;
  // Once the test closes the clients and the cluster, refusals are expected.
  let closing = false;
  let sender: NodeJS.Timeout | undefined;
  try {
    cluster = await startCluster({ workers: 2, drainTimeout: 3000, env: { RECEIVED_LOG_DIR: logDir } });
    const url = cluster.url;
    for (const kind of Object.keys(KINDS) as Kind[]) {
      for (let i = 0; i < PER_KIND; i++) {
        const rs = new ReconnectingSocket(url, { transports: [...KINDS[kind]], reconnectionDelay: 100, reconnectionDelayMax: 1000, queueSize: 10_000 });
        const client: RestartClient = { tag: `${kind}${i}`, rs, sent: 0, acked: new Set(), reported: new Set(), events: [] };
        rs.on("open", () => client.events.push(`open ${String(rs.socket?.id)} @${client.sent}`));
        rs.on("close", (reason, details) => {
          client.events.push(`close ${reason} ${details instanceof Error ? details.message + " " + String((details as { status?: unknown }).status) : JSON.stringify(details)?.slice(0, 120)} @${client.sent} acked ${client.acked.size}`);
          if (isConnectionRefused(details) && !closing) refused++;
        });
        rs.on("error", (error) => {
          const code = (error as { cause?: { cause?: { code?: unknown } } }).cause?.cause?.code;
          client.events.push(`error ${error instanceof Error ? error.message : String(error)} ${String(code)}`);
          if (isConnectionRefused(error) && !closing) refused++;
        });
        // What a closed session reports unsent, ReconnectingSocket sends again on the next one; what
        // it cannot keep, it reports with `drop`.
        rs.on("drop", (data) => client.reported.add(Number(String(data).split(":")[1])));
        clients.push(client);
      }
    }
    await waitUntil(() => clients.every((c) => c.rs.readyState === "open"), 30_000, "every client open");
    const oldWorkers = cluster.primary.workers.map((w) => w.id);
    sender = setInterval(() => {
      for (const client of clients) {
        const n = client.sent++;
        client.rs.send(`${client.tag}:${n}`, () => client.acked.add(n));
      }
    }, 50);
    await cluster.primary.restart();
    const newWorkers = cluster.primary.workers.map((w) => w.id);
    const onNew = (c: RestartClient): boolean => c.rs.readyState === "open" && newWorkers.includes(ownerOf(c.rs.socket?.id));
    await waitUntil(() => clients.every(onNew), 30_000, "every client open on a new worker").catch((error: Error) => {
      const behind = clients.filter((c) => !onNew(c)).map((c) => `${c.tag} ${c.rs.readyState} ${String(c.rs.socket?.id)}`);
      throw new Error(`${error.message}; new workers ${newWorkers.join(",")}; behind: ${behind.join("; ")}`);
    });
    clearInterval(sender);
    sender = undefined;
    // Every message sent should now be confirmed (callback) or reported; wait for that, bounded
    // (what is still missing after it counts as lost or vanished).
    if (settleMs > 0) {
      await waitUntil(
        () => clients.every((c) => c.acked.size + [...c.reported].filter((n) => !c.acked.has(n)).length >= c.sent),
        settleMs,
        "every send confirmed or reported",
      ).catch(() => {});
    }
    const clientsOnNewWorkers = clients.filter(onNew).length;
    closing = true;
    for (const client of clients) client.rs.close();
    await cluster.close();
    cluster = undefined;

    const delivered = new Map<string, number>();
    for (const file of readdirSync(logDir)) {
      for (const line of readFileSync(join(logDir, file), "utf8").split("\n")) {
        if (line.length > 0) delivered.set(line, (delivered.get(line) ?? 0) + 1);
      }
    }
    const sentKeys = new Set(clients.flatMap((c) => Array.from({ length: c.sent }, (_, n) => `${c.tag}:${n}`)));
    const lost: string[] = [];
    const vanished: string[] = [];
    const context: string[] = [];
    for (const client of clients) {
      for (let n = 0; n < client.sent; n++) {
        const key = `${client.tag}:${n}`;
        if (delivered.has(key) || client.reported.has(n)) continue;
        (client.acked.has(n) ? lost : vanished).push(key);
        if (context.length < 3 && !context.some((line) => line.startsWith(`${client.tag}:`))) context.push(`${client.tag}: ${client.events.join(" | ")}`);
      }
    }
    return {
      oldWorkers,
      newWorkers,
      refused,
      clientsOnNewWorkers,
      sent: sentKeys.size,
      duplicates: [...delivered].filter(([, count]) => count > 1).map(([key]) => key),
      phantoms: [...delivered.keys()].filter((key) => !sentKeys.has(key)),
      lost,
      vanished,
      context: context.join("\n"),
    };
  } finally {
    if (sender !== undefined) clearInterval(sender);
    for (const client of clients) client.rs.close();
    await cluster?.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}
