/**
 * @module N processes behind nginx (`deploy/nginx/heartwire.conf`): sticky routing by the sid's
 * node prefix without ip_hash, handshakes to the least-connected node, and what clients do when a
 * node dies or freezes. nginx runs as a child of the test; the suite is skipped only when nginx
 * is not installed (`.ci/run` installs Debian's nginx-light).
 */

import { expect } from "chai";
import { ReconnectingSocket, type TransportName } from "@heartwire/client";
import { waitUntil } from "./helpers/events.js";
import { NGINX, startNginxStack, type NginxStack } from "./helpers/nginx.js";

const PING_INTERVAL = 1000;
const PING_TIMEOUT = 1000;
const TRANSPORT_SETS: Record<string, TransportName[]> = { polling: ["polling"], upgrade: ["polling", "websocket"], websocket: ["websocket"] };
const CLIENTS = 60;

interface Client {
  readonly kind: string;
  readonly rs: ReconnectingSocket;
  readonly received: string[];
  /** performance.now() of every socket close. */
  readonly closes: number[];
  /** Why each socket closed. */
  readonly reasons: string[];
}

const nodeOf = (client: Client): string | undefined => (client.rs.readyState === "open" ? /^([a-z])\./.exec(client.rs.socket?.id ?? "")?.[1] : undefined);

function startClients(stack: NginxStack): Client[] {
  const kinds = Object.keys(TRANSPORT_SETS);
  return Array.from({ length: CLIENTS }, (_, i) => {
    const kind = kinds[i % kinds.length]!;
    const rs = new ReconnectingSocket(stack.url, { transports: TRANSPORT_SETS[kind]!, reconnectionDelay: 100, reconnectionDelayMax: 500 });
    const client: Client = { kind, rs, received: [], closes: [], reasons: [] };
    rs.on("message", (data) => client.received.push(String(data)));
    rs.on("close", (reason, details) => {
      client.closes.push(performance.now());
      const code = (details as { protocolCode?: unknown } | undefined)?.protocolCode;
      client.reasons.push(`${reason} (${details instanceof Error ? details.message : JSON.stringify(details)}) protocolCode ${String(code)}`);
    });
    return client;
  });
}

/**
 * Every client in `clients` gets an echo of `text` back (bounded). A message in a session that
 * ends meanwhile (a ping timeout on a busy machine) may have been taken by the old session, whose
 * echo is then lost: a client with no echo yet sends again every 2 s.
 */
async function allEcho(clients: Client[], text: string, timeoutMs = 30_000): Promise<void> {
  const echoed = (c: Client): boolean => c.received.some((m) => m.startsWith(`${text}#`));
  let attempt = 0;
  const resend = (): void => {
    attempt++;
    for (const client of clients) if (!echoed(client)) client.rs.send(`${text}#${attempt}`);
  };
  resend();
  const timer = setInterval(resend, 2000);
  try {
    await waitUntil(() => clients.every(echoed), timeoutMs, `every client echoes ${text}`);
  } catch (error) {
    const missing = clients.filter((c) => !echoed(c)).map((c) => `${c.kind}:${c.rs.readyState}:${String(c.rs.socket?.id)}`);
    throw new Error(`${(error as Error).message}; missing: ${missing.join(" ")}`);
  } finally {
    clearInterval(timer);
  }
}

/** Closes caused by a request that reached a node which does not own its session. */
const misrouted = (clients: Client[]): string[] => clients.flatMap((c) => c.reasons.filter((r) => /Session ID unknown|protocolCode":1/.test(r)));

describe("nginx in front of three server processes (deploy/nginx/heartwire.conf)", function () {
  this.timeout(120_000);
  let stack: NginxStack | undefined;
  let clients: Client[] = [];

  before(function () {
    if (NGINX === undefined) {
      console.log("      nginx is not installed: skipped (apt-get install nginx-light; .ci/run does)");
      this.skip();
    }
  });

  beforeEach(async () => {
    // Proxy timeouts above pingInterval + pingTimeout, as the shipped config's 60 s are above the defaults.
    stack = await startNginxStack({
      backendEnv: { PING_INTERVAL_MS: String(PING_INTERVAL), PING_TIMEOUT_MS: String(PING_TIMEOUT) },
      proxyTimeoutSeconds: 5,
    });
    clients = startClients(stack);
    await waitUntil(() => clients.every((c) => nodeOf(c) !== undefined), 30_000, "every client open");
  });

  afterEach(async () => {
    for (const client of clients) client.rs.close();
    clients = [];
    await stack?.close();
    stack = undefined;
  });

  it("60 clients on every transport set echo, spread over all three nodes, upgrades included", async () => {
    await allEcho(clients, "hello");
    const nodes = new Set(clients.map(nodeOf));
    expect([...nodes].sort()).to.deep.equal(["a", "b", "c"]);
    // Upgrade-capable clients end on websocket through nginx.
    await waitUntil(() => clients.every((c) => c.kind !== "upgrade" || c.rs.socket?.transport?.name === "websocket"), 10_000, "upgrades");
    // Polling clients keep polling the node that owns their session (a wrong node would answer
    // "Session ID unknown" and the client would reconnect).
    await allEcho(clients, "again");
    // Sessions may end on a busy machine (ping timeouts), but none because a request reached a node
    // that does not own its session.
    expect(misrouted(clients)).to.deep.equal([]);
  });

  it("a killed node's clients reconnect to the other nodes and echo again", async () => {
    await allEcho(clients, "before");
    const victim = stack!.backends[0]!;
    const theirs = clients.filter((c) => nodeOf(c) === victim.id);
    expect(theirs.length, "clients on the node to kill").to.be.greaterThan(0);
    await victim.kill();
    await waitUntil(() => clients.every((c) => nodeOf(c) !== undefined && nodeOf(c) !== victim.id), 30_000, "every client on a live node");
    await allEcho(clients, "after");
    expect(misrouted(clients)).to.deep.equal([]);
  });

  it("a frozen node's clients notice within pingInterval + pingTimeout and move to the other nodes", async () => {
    await allEcho(clients, "before");
    const victim = stack!.backends[1]!;
    const theirs = clients.filter((c) => nodeOf(c) === victim.id);
    expect(theirs.length, "clients on the node to freeze").to.be.greaterThan(0);
    const frozenAt = performance.now();
    victim.freeze();
    // Each notices when its heartbeat deadline passes: at most pingInterval + pingTimeout after the
    // freeze, plus generous slack for a busy machine.
    const closeAfterFreeze = (c: Client): number | undefined => c.closes.find((at) => at >= frozenAt);
    await waitUntil(() => theirs.every((c) => closeAfterFreeze(c) !== undefined), 20_000, "every client of the frozen node closed");
    const noticed = theirs.map((c) => closeAfterFreeze(c)! - frozenAt);
    expect(Math.max(...noticed), "time to notice, ms").to.be.below(PING_INTERVAL + PING_TIMEOUT + 3000);
    await waitUntil(() => clients.every((c) => nodeOf(c) !== undefined && nodeOf(c) !== victim.id), 30_000, "every client on a live node");
    await allEcho(clients, "after");
  });
});
