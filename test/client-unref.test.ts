/** @module `unref()` / `autoUnref` in Node: a child process holding an open socket exits on its own. */

import { expect } from "chai";
import { once as onceEvent } from "node:events";
import { createServer, type Socket as NetSocket } from "node:net";
import type { AddressInfo } from "node:net";
import { fixturePath, startChildPeer } from "./helpers/child-peer.js";
import { waitUntil } from "./helpers/events.js";
import { startOfficialServer } from "./helpers/servers.js";

async function exitWithin(child: import("node:child_process").ChildProcess, ms: number): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  let timer: NodeJS.Timeout | undefined;
  try {
    const [code] = await Promise.race([
      onceEvent(child, "exit") as Promise<[number | null]>,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`child still running after ${ms} ms`)), ms);
      }),
    ]);
    return code;
  } finally {
    clearTimeout(timer);
  }
}

describe("@heartwire/client unref (child process)", () => {
  const cases: Array<[string, string]> = [
    ["websocket", "unref"],
    ["polling", "unref"],
    ["polling,websocket", "unref"],
    ["websocket", "autoUnref"],
    ["polling", "autoUnref"],
  ];
  for (const [transports, mode] of cases) {
    it(`${mode} over ${transports}: the process exits while the socket is open`, async () => {
      // A short ping interval makes a long-poll issued before unref() (a ref'd fetch) return quickly.
      await using server = await startOfficialServer({ pingInterval: 300, pingTimeout: 2000 });
      const serverClosed = new Promise<string>((resolve) => {
        server.server.on("connection", (socket: { on(e: "close", l: (reason: string) => void): void }) => socket.on("close", resolve));
      });
      await using child = await startChildPeer(fixturePath("client-unref.mjs"), [server.url, transports, mode]);
      expect(child.ready).to.include({ event: "open" });
      const code = await exitWithin(child.process, 5000);
      expect(code).to.equal(0);
      expect(child.reports.map((r) => r["event"])).to.not.include("close");
      expect(child.reports.at(-1)).to.deep.equal({ event: "exit", readyState: "open" });
      const reason = await Promise.race([serverClosed, new Promise<string>((r) => setTimeout(() => r("none"), 5000).unref())]);
      expect(reason).to.be.oneOf(["transport close", "transport error", "ping timeout"]);
    });
  }

  for (const via of ["direct", "agent"]) {
    it(`autoUnref, ${via}: a websocket still connecting to a server that never answers does not hold the process`, async () => {
      // Accepts TCP and never answers the handshake: the connection stays open, the socket "opening".
      const held: NetSocket[] = [];
      const blackHole = createServer((socket) => held.push(socket));
      await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
      try {
        const { port } = blackHole.address() as AddressInfo;
        await using child = await startChildPeer(fixturePath("client-unref-connecting.mjs"), [`http://127.0.0.1:${port}`, via]);
        expect(child.ready).to.deep.equal({ event: "connecting" });
        await waitUntil(() => held.length === 1, 5000, "the handshake's connection");
        child.process.stdin!.write("release\n"); // the child's stdin was all that held it
        expect(await exitWithin(child.process, 5000)).to.equal(0);
        expect(child.reports.at(-1)).to.deep.equal({ event: "exit", readyState: "opening" });
      } finally {
        for (const socket of held) socket.destroy();
        await new Promise((resolve) => blackHole.close(resolve));
      }
    });
  }
});
