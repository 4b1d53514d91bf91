/**
 * @module A drain that loses nothing, end to end: clients of every transport set send numbered
 * messages every few ms through one address while the server behind it drains and a second server
 * takes over; then every number is accounted for: delivered exactly once to a server `message`
 * handler, or reported to the client by a `drop` event. Verdicts count messages, never time.
 *
 * The address is a TCP front (as a load balancer is): new connections go to the second server once
 * the drain begins, and the first keeps listening until its drain is over. Closing a listening
 * socket resets the connections still in its accept queue, and a request already written on one is
 * lost without a signal to either side: a restart on the same port needs the listening socket handed
 * over (cluster, systemd), not closed and re-bound. The front does not route by `sid` (nginx's
 * `map $arg_sid` and the cluster primary do): a draining session's request that opens a new
 * connection reaches the second server, gets 400 and is reported unsent; the first server ends that
 * session at its ping timeout, which bounds the drain here. DRAIN_DEBUG=1 prints the phases, the
 * server-side closes and each client's events.
 */

import { expect } from "chai";
import net from "node:net";
import { ReconnectingSocket } from "@heartwire/client";
import type { Server } from "@heartwire/server";
import { once, waitUntil } from "./helpers/events.js";
import { startServer, type RunningServer } from "./helpers/servers.js";

/** A TCP front on 127.0.0.1:0: each new connection goes to the current target; old ones stay where they are. */
async function startSwitch(target: number): Promise<{ port: number; target: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const state = { target };
  const server = net.createServer((inbound) => {
    const outbound = net.connect(state.target, "127.0.0.1");
    for (const [s, other] of [[inbound, outbound], [outbound, inbound]] as const) {
      sockets.add(s);
      // An error is a reset: pass it on. A clean end is passed on by pipe(), after the data.
      s.on("error", () => other.destroy());
      s.on("close", () => sockets.delete(s));
      s.pipe(other);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    get target() {
      return state.target;
    },
    set target(value: number) {
      state.target = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const TRANSPORT_SETS = [["polling"], ["websocket"], ["polling", "websocket"]] as const;

describe("drain that loses nothing (end to end)", function () {
  this.timeout(60_000);

  it("a server drains while another takes over: every numbered message is delivered once or reported by 'drop'", async () => {
    const delivered = new Map<string, number>();
    /** Per message: where it was sent and which server saw it (printed for unaccounted ones). */
    const trace = new Map<string, string[]>();
    /** Per session id: how it closed on the server. */
    const closes = new Map<string, string[]>();
    /** Per server: the clients (by name) that delivered at least one message there. */
    const seenOn = new Map<Server, Set<string>>();
    const count = (server: Server) => (socket: { on(e: "message", l: (d: string | Buffer) => void): unknown }) =>
      socket.on("message", (data) => {
        const key = String(data);
        delivered.set(key, (delivered.get(key) ?? 0) + 1);
        seenOn.get(server)!.add(key.split(":")[0]!);
      });
    const servers: RunningServer<Server>[] = [];
    const start = async (): Promise<RunningServer<Server>> => {
      const running = await startServer({ pingInterval: 2000, pingTimeout: 5000 });
      seenOn.set(running.server, new Set());
      running.server.on("connection", count(running.server));
      running.server.on("connection", (socket) => {
        socket.on("packet", (p) => p.type === "message" && trace.get(String(p.data))?.push(`server ${servers.indexOf(running)} ${socket.id} ${socket.readyState}`));
        socket.on("close", (reason) => {
          (closes.get(socket.id) ?? closes.set(socket.id, []).get(socket.id)!).push(`server close ${reason}`);
          if (process.env["DRAIN_DEBUG"]) console.log("server", servers.indexOf(running), socket.id, socket.transport.name, socket.upgraded, reason, Math.round(performance.now()));
        });
      });
      servers.push(running);
      return running;
    };
    const first = await start();
    const second = await start();
    const front = await startSwitch(first.port);

    const PER_SET = 4;
    const clients: Array<{ name: string; rs: ReconnectingSocket; sent: number; dropped: string[]; written: Set<string>; log: string[] }> = [];
    let ticker: NodeJS.Timeout | undefined;
    try {
      for (const transports of TRANSPORT_SETS) {
        for (let i = 0; i < PER_SET; i++) {
          const rs = new ReconnectingSocket(`http://127.0.0.1:${front.port}`, {
            transports: [...transports],
            reconnectionDelay: 100,
            reconnectionDelayMax: 300,
          });
          const client = { name: `${transports.join("+")}#${i}`, rs, sent: 0, dropped: [] as string[], written: new Set<string>(), log: [] as string[] };
          rs.on("drop", (data) => client.dropped.push(String(data)));
          rs.on("error", (e) => {
            const { status, cause } = e as { status?: number; cause?: { cause?: unknown } };
            client.log.push(`error ${typeof e === "string" ? e : e.message} status ${String(status)} ${String((e as { serverMessage?: string }).serverMessage)} cause ${String(cause)} ${String(cause?.cause)} at ${client.sent}`);
          });
          rs.on("close", (reason, details) => client.log.push(`close ${reason} ${details instanceof Error ? details.message : JSON.stringify(details)} at ${client.sent}`));
          rs.on("open", () => {
            client.log.push(`open ${rs.socket?.id} at ${client.sent}`);
            const socket = rs.socket!;
            socket.on("upgrading", () => client.log.push(`upgrading at ${client.sent}`));
            socket.on("upgrade", () => client.log.push(`upgrade at ${client.sent}`));
            socket.on("upgradeError", (e) => client.log.push(`upgradeError ${e.message} at ${client.sent}`));
          });
          clients.push(client);
        }
      }
      await Promise.all(clients.map((c) => once(c.rs, "open", { timeoutMs: 15_000 })));

      // Every client sends a numbered message every 5 ms from now until told to stop.
      ticker = setInterval(() => {
        for (const c of clients) {
          const key = `${c.name}:${c.sent++}`;
          trace.set(key, [`sent rs=${c.rs.readyState} sock=${c.rs.socket?.id}/${c.rs.socket?.readyState}/${c.rs.socket?.transport.name}/${c.rs.socket?.transport.writable}`]);
          c.rs.send(key, () => c.written.add(key));
        }
      }, 5);
      const t0 = performance.now();
      const lap = (what: string): void => void (process.env["DRAIN_DEBUG"] && console.log(what, Math.round(performance.now() - t0)));
      const onFirst = seenOn.get(first.server)!;
      await waitUntil(() => onFirst.size === clients.length, 15_000, "every client delivering to the first server");

      lap("first");
      // The switch: new connections reach the second server; the first drains its sessions.
      front.target = second.port;
      const drained = new Promise<void>((resolve) => first.server.close({ graceful: true, timeout: 20_000, spread: 500 }, resolve));
      let deadline: NodeJS.Timeout | undefined;
      await Promise.race([drained, new Promise((_, reject) => (deadline = setTimeout(() => reject(new Error("drain did not end within 25 s")), 25_000)))]);
      clearTimeout(deadline);
      lap("drained");
      const onSecond = seenOn.get(second.server)!;
      await waitUntil(() => onSecond.size === clients.length, 15_000, "every client delivering to the second server");
      lap("second");
      clearInterval(ticker);
      ticker = undefined;

      // Quiet: every number is delivered or dropped, within a bound (what is still queued goes out).
      const unaccounted = (): string[] => {
        const missing: string[] = [];
        for (const c of clients) {
          const dropped = new Set(c.dropped);
          for (let n = 0; n < c.sent; n++) {
            const key = `${c.name}:${n}`;
            if (!delivered.has(key) && !dropped.has(key)) missing.push(key);
          }
        }
        return missing;
      };
      await waitUntil(() => unaccounted().length === 0, 15_000, "every message delivered or dropped").catch((error: Error) => {
        const missing = unaccounted();
        const limbo = missing.filter((key) => clients.some((c) => c.written.has(key)));
        for (const c of clients) if (missing.some((k) => k.startsWith(`${c.name}:`))) console.log(c.name, c.rs.readyState, c.rs.queued, c.rs.socket?.readyState, c.log.join("\n"));
        for (const key of missing) console.log(key, trace.get(key), [...closes].filter(([sid]) => trace.get(key)!.join().includes(sid)));
        throw new Error(`${error.message}: ${missing.length} unaccounted (${limbo.length} whose callback ran): ${missing.slice(0, 20).join(", ")}`);
      });

      lap("accounted");
      if (process.env["DRAIN_DEBUG"]) for (const c of clients) console.log(c.name, c.log.join(" | "));
      const duplicates = [...delivered].filter(([, times]) => times > 1).map(([key]) => key);
      expect(duplicates, "delivered more than once").to.deep.equal([]);
      for (const c of clients) {
        for (const key of c.dropped) expect(delivered.has(key), `${key} dropped and delivered`).to.equal(false);
      }
      const sent = clients.reduce((sum, c) => sum + c.sent, 0);
      const dropped = clients.reduce((sum, c) => sum + c.dropped.length, 0);
      // Not a verdict on speed: only that the run was not trivially short.
      expect(sent, "messages sent").to.be.above(clients.length * 20);
      console.log(`      ${sent} messages from ${clients.length} clients: ${delivered.size} delivered once, ${dropped} dropped`);
    } finally {
      if (ticker !== undefined) clearInterval(ticker);
      for (const c of clients) c.rs.close();
      await front.close();
      for (const s of servers) await s.close();
    }
  });
});
