/** @module `deploy/cluster.mjs` runs as documented: echo on every transport set, SIGHUP rolling restart, SIGTERM drains and exits 0. */

import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { ReconnectingSocket, type TransportName } from "@heartwire/client";
import { startChildPeer } from "./helpers/child-peer.js";
import { waitUntil } from "./helpers/events.js";

const SCRIPT = fileURLToPath(new URL("../../deploy/cluster.mjs", import.meta.url));
const TRANSPORT_SETS: TransportName[][] = [["polling"], ["polling", "websocket"], ["websocket"]];

/** The worker id in a `w<id>.` session id. */
const ownerOf = (sid: string | null | undefined): number => Number(/^w(\d+)\./.exec(sid ?? "")?.[1] ?? NaN);

describe("deploy/cluster.mjs", function () {
  this.timeout(60_000);

  it("echoes on every transport set, replaces both workers on SIGHUP with every client back on a new one, drains and exits 0 on SIGTERM", async () => {
    const child = await startChildPeer(SCRIPT, [], 10_000, { PORT: "0", WORKERS: "2", DRAIN_TIMEOUT_MS: "1000" });
    const clients: ReconnectingSocket[] = [];
    try {
      expect(child.ready["event"]).to.equal("listening");
      const url = `http://127.0.0.1:${String(child.ready["port"])}`;
      const { workers: first } = (await child.waitForReport((r) => r["event"] === "ready", 20_000)) as { workers: number[] };
      const echoes = new Map<ReconnectingSocket, string[]>();
      for (let i = 0; i < 30; i++) {
        const rs = new ReconnectingSocket(url, { transports: TRANSPORT_SETS[i % 3]!, reconnectionDelay: 100, reconnectionDelayMax: 500 });
        echoes.set(rs, []);
        rs.on("message", (data) => echoes.get(rs)!.push(String(data)));
        clients.push(rs);
      }
      const allEcho = async (round: string): Promise<void> => {
        for (const rs of clients) rs.send(`${round}`);
        await waitUntil(() => clients.every((rs) => echoes.get(rs)!.includes(round)), 15_000, `every client echoes ${round}`);
      };
      await waitUntil(() => clients.every((rs) => rs.readyState === "open"), 20_000, "every client open");
      await allEcho("before");
      // Upgrade-capable clients end on websocket, as without a cluster.
      await waitUntil(() => clients.every((rs, i) => i % 3 !== 1 || rs.socket?.transport?.name === "websocket"), 10_000, "upgrades");

      child.process.kill("SIGHUP");
      const { workers: second } = (await child.waitForReport((r) => r["event"] === "restarted", 30_000)) as { workers: number[] };
      expect(second).to.have.length(2);
      for (const id of second) expect(first).not.to.include(id);
      await waitUntil(() => clients.every((rs) => rs.readyState === "open" && second.includes(ownerOf(rs.socket?.id))), 20_000, "every client on a new worker");
      await allEcho("after");

      for (const rs of clients) rs.close();
      const exited = new Promise<number | null>((resolve) => child.process.once("exit", (code) => resolve(code)));
      child.process.kill("SIGTERM");
      expect(await exited).to.equal(0);
      await child.waitForReport((r) => r["event"] === "stopped", 1000);
    } finally {
      for (const rs of clients) rs.close();
      await child.kill();
    }
  });
});
