/**
 * @module The detection suite, with real timers: for each pairing and transport, the live side
 * raises `close` with "ping timeout" within pingInterval + pingTimeout (+ an allowance) of its peer
 * going silent — frozen with SIGSTOP, or cut off by a black-holed network — and with a transport
 * reason, not by timeout, when the peer goes away cleanly. `npm test` runs it once per case with
 * allowances only a real bug can miss (`test/liveness.fault.test.ts`); `npm run test:load` runs it
 * with the tight allowance that measures the bound (`test/load/liveness-fault.load.ts`).
 */

import { expect } from "chai";
import http from "node:http";
import { performance } from "node:perf_hooks";
import { attach as attachOfficial } from "engine.io";
import { Socket as OfficialClient } from "engine.io-client";
import { attach as attachOurs } from "@heartwire/server";
import { Socket as OurClient } from "@heartwire/client";
import { fixturePath, startChildPeer } from "./child-peer.js";
import { once, waitUntil } from "./events.js";
import { startRelay } from "./relay.js";

const PING_INTERVAL = 200;
const PING_TIMEOUT = 200;
const BOUND = PING_INTERVAL + PING_TIMEOUT;

/** How strict one run of the suite is. */
export interface LivenessFaultOptions {
  /** Trials per case (each freezes at a random phase of the heartbeat). */
  readonly trials: number;
  /** ms past pingInterval + pingTimeout a detection may take. */
  readonly allowance: number;
  /** ms within which a peer that went away cleanly must be noticed. */
  readonly promptWithin: number;
}

type Transport = "websocket" | "polling";
type ServerImpl = "heartwire" | "engine.io";
type ClientImpl = "heartwire" | "engine.io-client";

interface Pairing {
  readonly client: ClientImpl;
  readonly server: ServerImpl;
}

const PAIRINGS: Pairing[] = [
  { client: "heartwire", server: "heartwire" },
  { client: "engine.io-client", server: "heartwire" },
  { client: "heartwire", server: "engine.io" },
];

/** Measured latencies per case, printed after the suite (and copied to the README by hand). */
const measured = new Map<string, number[]>();
function record(key: string, ms: number): void {
  const list = measured.get(key) ?? [];
  list.push(ms);
  measured.set(key, list);
}

/** What the fault tests read of a server-side socket (ours and engine.io's alike). */
interface ServerSocketView {
  readonly transport: { readonly writable: boolean };
  on(e: "close", fn: (reason: string) => void): void;
}

interface InProcessServer extends AsyncDisposable {
  readonly port: number;
  /** Resolves once the latest socket's transport can write: a polling client holds a GET. */
  transportWritable(): Promise<void>;
  /** Resolves with [reason, at] of the next socket close. */
  nextClose(timeoutMs: number): Promise<[string, number]>;
  readonly connected: Promise<void>;
}

async function startServer(impl: ServerImpl): Promise<InProcessServer> {
  const httpServer = http.createServer();
  const attach = impl === "engine.io" ? attachOfficial : attachOurs;
  const engine = attach(httpServer, { pingInterval: PING_INTERVAL, pingTimeout: PING_TIMEOUT }) as unknown as {
    on(event: "connection", fn: (socket: ServerSocketView) => void): void;
    close(): void;
  };
  const closes: Array<[string, number]> = [];
  const waiters: Array<() => void> = [];
  let resolveConnected!: () => void;
  const connected = new Promise<void>((r) => (resolveConnected = r));
  let latest: ServerSocketView | undefined;
  engine.on("connection", (socket) => {
    latest = socket;
    resolveConnected();
    socket.on("close", (reason) => {
      closes.push([reason, performance.now()]);
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
  const port = (httpServer.address() as { port: number }).port;
  return {
    port,
    connected,
    transportWritable: () => waitUntil(() => latest?.transport.writable === true, 2000, "a held poll"),
    nextClose: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const c = closes.shift();
          if (c) {
            clearTimeout(timer);
            resolve(c);
          } else waiters.push(check);
        };
        const timer = setTimeout(() => reject(new Error(`no server-side close within ${timeoutMs} ms`)), timeoutMs);
        check();
      }),
    async [Symbol.asyncDispose]() {
      engine.close();
      httpServer.closeAllConnections();
      await new Promise<void>((r) => httpServer.close(() => r()));
    },
  };
}

interface ClientHandle {
  readonly socket: { on(e: string, fn: (...a: any[]) => void): unknown; off(e: string, fn: (...a: any[]) => void): unknown; close(): void };
  close(): void;
}

function startClient(impl: ClientImpl, port: number, transport: Transport): ClientHandle {
  const url = `http://127.0.0.1:${port}`;
  const opts = { transports: [transport] };
  const socket = impl === "engine.io-client" ? new OfficialClient(url, opts) : new OurClient(url, opts as never);
  return { socket: socket as unknown as ClientHandle["socket"], close: () => socket.close() };
}

/** Declares the suite (see the module comment) with the given strictness. */
export function describeLivenessFaults(title: string, { trials: TRIALS, allowance: ALLOWANCE, promptWithin }: LivenessFaultOptions): void {
  describe(title, function () {
    this.timeout(60_000 + TRIALS * 6 * (BOUND + ALLOWANCE));

    after(() => {
      const lines = [...measured].map(([k, v]) => {
        const s = [...v].sort((a, b) => a - b);
        return `    ${k}: min ${s[0]!.toFixed(0)} / median ${s[s.length >> 1]!.toFixed(0)} / max ${s[s.length - 1]!.toFixed(0)} ms (n=${s.length})`;
      });
      if (lines.length) console.log(`\n  detection latency (bound ${BOUND} ms + ${ALLOWANCE} ms allowance):\n${lines.join("\n")}`);
    });

    for (const pairing of PAIRINGS) {
      for (const transport of ["websocket", "polling"] as const) {
        const label = `${pairing.client} → ${pairing.server} over ${transport}`;

        it(`${label}: client notices a frozen server (SIGSTOP) within the bound`, async () => {
          for (let trial = 0; trial < TRIALS; trial++) {
            await using server = await startChildPeer(fixturePath("server.mjs"), [pairing.server, String(PING_INTERVAL), String(PING_TIMEOUT)]);
            const client = startClient(pairing.client, server.ready["port"] as number, transport);
            try {
              await once(client.socket, "open", { timeoutMs: 5000 });
              // Freeze at a random phase of the heartbeat cycle.
              await new Promise((r) => setTimeout(r, Math.random() * PING_INTERVAL));
              const closed = once<[string]>(client.socket, "close", { timeoutMs: BOUND + ALLOWANCE + 2000 });
              const frozenAt = performance.now();
              server.freeze();
              const [reason] = await closed;
              const latency = performance.now() - frozenAt;
              record(`${label}: server frozen, client detects`, latency);
              expect(reason).to.equal("ping timeout");
              expect(latency).to.be.at.most(BOUND + ALLOWANCE);
            } finally {
              client.close();
            }
          }
        });

        it(`${label}: server notices a frozen client (SIGSTOP) within the bound`, async () => {
          for (let trial = 0; trial < TRIALS; trial++) {
            await using server = await startServer(pairing.server);
            await using client = await startChildPeer(fixturePath("client.mjs"), [pairing.client, `http://127.0.0.1:${server.port}`, transport]);
            await server.connected;
            await new Promise((r) => setTimeout(r, Math.random() * PING_INTERVAL));
            const closed = server.nextClose(BOUND + ALLOWANCE + 2000);
            const frozenAt = performance.now();
            client.freeze();
            const [reason, at] = await closed;
            const latency = at - frozenAt;
            record(`${label}: client frozen, server detects`, latency);
            expect(reason).to.equal("ping timeout");
            expect(latency).to.be.at.most(BOUND + ALLOWANCE);
          }
        });

        it(`${label}: both sides notice a black-holed network within the bound`, async () => {
          for (let trial = 0; trial < TRIALS; trial++) {
            await using server = await startServer(pairing.server);
            await using relay = await startRelay(server.port);
            const client = startClient(pairing.client, relay.port, transport);
            try {
              await once(client.socket, "open", { timeoutMs: 5000 });
              await server.connected;
              await new Promise((r) => setTimeout(r, Math.random() * PING_INTERVAL));
              const clientClosed = once<[string]>(client.socket, "close", { timeoutMs: BOUND + ALLOWANCE + 2000 });
              const serverClosed = server.nextClose(BOUND + ALLOWANCE + 2000);
              const cutAt = performance.now();
              relay.blackhole();
              const [[clientReason], [serverReason, serverAt]] = await Promise.all([
                clientClosed.then((r) => {
                  record(`${label}: black hole, client detects`, performance.now() - cutAt);
                  return r;
                }),
                serverClosed,
              ]);
              record(`${label}: black hole, server detects`, serverAt - cutAt);
              expect(clientReason).to.equal("ping timeout");
              expect(serverReason).to.equal("ping timeout");
              for (const [key, values] of measured) if (key.startsWith(`${label}: black hole`)) expect(values.at(-1)!).to.be.at.most(BOUND + ALLOWANCE);
            } finally {
              client.close();
            }
          }
        });

        it(`${label}: a server that goes away cleanly is noticed at once, not by timeout`, async () => {
          const server = await startChildPeer(fixturePath("server.mjs"), [pairing.server, String(PING_INTERVAL), String(PING_TIMEOUT)]);
          const client = startClient(pairing.client, server.ready["port"] as number, transport);
          try {
            await once(client.socket, "open", { timeoutMs: 5000 });
            const closed = once<[string]>(client.socket, "close", { timeoutMs: promptWithin + 2000 });
            const killedAt = performance.now();
            await server.kill();
            const [reason] = await closed;
            const latency = performance.now() - killedAt;
            record(`${label}: server killed, client detects`, latency);
            expect(reason).to.be.oneOf(["transport close", "transport error"]);
            expect(latency).to.be.below(promptWithin);
          } finally {
            client.close();
            await server.kill();
          }
        });

        it(`${label}: a client that goes away cleanly is noticed at once, not by timeout`, async () => {
          await using server = await startServer(pairing.server);
          const client = await startChildPeer(fixturePath("client.mjs"), [pairing.client, `http://127.0.0.1:${server.port}`, transport]);
          try {
            await server.connected;
            // A polling client is between requests for a moment after each response; kill it while
            // it holds a GET, as it does nearly all the time.
            await server.transportWritable();
            const closed = server.nextClose(promptWithin + 2000);
            const killedAt = performance.now();
            await client.kill();
            const [reason, at] = await closed;
            record(`${label}: client killed, server detects`, at - killedAt);
            expect(reason).to.be.oneOf(["transport close", "transport error"]);
            expect(at - killedAt).to.be.below(promptWithin);
          } finally {
            await client.kill();
          }
        });
      }
    }
  });
}
