/** @module `unref()` / `autoUnref` in Node: a child process holding an open socket exits on its own. */

import { expect } from "chai";
import { once as onceEvent } from "node:events";
import { fixturePath, startChildPeer } from "./helpers/child-peer.js";
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
});
