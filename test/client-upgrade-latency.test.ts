/**
 * The polling → websocket upgrade does not wait for a poll cycle: while the probe runs the client
 * makes no new GET, so when `3probe` arrives there is no idle poll for the server to release (the
 * official engine.io server releases one only on its 100 ms upgrade check, with a noop). Asserted
 * by order of events and requests, not by time, against the official server and ours.
 */

import { expect } from "chai";
import { Socket } from "@heartwire/client";
import { once } from "./helpers/events.js";
import { startOfficialServer, startServer } from "./helpers/servers.js";

type AnyRunning = Awaited<ReturnType<typeof startOfficialServer>> | Awaited<ReturnType<typeof startServer>>;

const servers: Array<[name: string, start: () => Promise<AnyRunning>]> = [
  ["official engine.io", () => startOfficialServer()],
  ["@heartwire/server", () => startServer()],
];

for (const [name, start] of servers) {
  describe(`upgrade without an idle poll (${name})`, () => {
    let running: AnyRunning;
    let socket: Socket | undefined;

    beforeEach(async () => {
      running = await start();
    });

    afterEach(async () => {
      socket?.close();
      await running[Symbol.asyncDispose]();
    });

    it("sends no GET between the handshake and the upgrade, and receives no noop", async () => {
      const gets: string[] = [];
      running.httpServer.on("request", (req: { method?: string; url?: string }) => {
        const url = new URL(req.url ?? "/", "http://x");
        if (req.method === "GET" && url.searchParams.get("transport") === "polling") gets.push(url.searchParams.get("sid") ?? "handshake");
      });
      // A message queued at connection time must still arrive, once, whichever way it travels.
      (running.server as { on(event: "connection", fn: (s: { send(d: string): void }) => void): void }).on("connection", (s) => s.send("hi"));
      socket = new Socket(running.url);
      const packets: string[] = [];
      const messages: unknown[] = [];
      socket.on("packet", ({ type }) => packets.push(type));
      socket.on("message", (m) => messages.push(m));
      await once(socket, "open", { timeoutMs: 10_000 });
      const [transport] = await once<[{ name: string }]>(socket, "upgrade", { timeoutMs: 10_000 });
      expect(transport.name).to.equal("websocket");
      expect(gets, "only the handshake GET").to.deep.equal(["handshake"]);
      expect(packets, "no noop to release a poll").to.not.include("noop");
      if (messages.length === 0) await once(socket, "message", { timeoutMs: 5000 });
      expect(messages).to.deep.equal(["hi"]);
    });

    it("polls on when the probe fails (websocket refused), and delivers what the server sends", async () => {
      // The probe is refused: the WebSocket upgrade request is answered 400 by a listener placed first.
      running.httpServer.prependListener("upgrade", (_req: unknown, s: { end(data: string): void; destroyed?: boolean }) => {
        s.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      });
      (running.server as { on(event: "connection", fn: (s: { send(d: string): void }) => void): void }).on("connection", (s) => s.send("hi"));
      socket = new Socket(running.url);
      const upgradeError = once(socket, "upgradeError", { timeoutMs: 10_000 });
      const [message] = await once<[unknown]>(socket, "message", { timeoutMs: 10_000 });
      expect(message).to.equal("hi");
      await upgradeError;
      expect(socket.transport.name).to.equal("polling");
    });
  });
}
