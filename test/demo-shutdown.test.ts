/** @module The demo server (`npm start`) stops on SIGTERM with a graceful drain and exits 0. */

import { expect } from "chai";
import { once as onceEvent } from "node:events";
import { fileURLToPath } from "node:url";
import { Socket } from "@heartwire/client";
import { startChildPeer } from "./helpers/child-peer.js";
import { once } from "./helpers/events.js";

const DEMO = fileURLToPath(new URL("../../demo/server.mjs", import.meta.url));

describe("demo server shutdown", () => {
  it("SIGTERM closes every session gracefully, then exits 0", async () => {
    await using demo = await startChildPeer(DEMO, ["--port", "0", "--json"]);
    const uri = `http://127.0.0.1:${String(demo.ready["port"])}`;
    const clients = [new Socket(uri, { transports: ["polling"] }), new Socket(uri, { transports: ["websocket"] })];
    const opens = clients.map((client) => once(client, "open", { timeoutMs: 10_000 }));
    try {
      await Promise.all(opens);
      for (const client of clients) {
        const echo = once<[string]>(client, "message", { filter: (data: unknown) => data === "still there?" });
        client.send("still there?");
        await echo;
      }
      const closes = clients.map((client) => once<[string, { description?: unknown }]>(client, "close", { timeoutMs: 15_000 }));
      const exit = onceEvent(demo.process, "exit") as Promise<[number | null, string | null]>;
      demo.process.kill("SIGTERM");
      const closed = (await Promise.all(closes)).map(([reason, details]) => `${reason}: ${String(details?.description)}`);
      // The polling client fetched the server's close packet: a drain, not a dropped connection.
      expect(closed[0]).to.equal("transport close: transport closed by the server");
      expect(closed[1], "a close frame (or the close packet before it)").to.be.oneOf(["transport close: transport closed by the server", "transport close: websocket connection closed"]);
      const [code, signal] = await Promise.race([
        exit,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the demo did not exit within 15 s of SIGTERM")), 15_000).unref()),
      ]);
      expect({ code, signal }).to.deep.equal({ code: 0, signal: null });
    } finally {
      for (const client of clients) client.close();
    }
  });
});
