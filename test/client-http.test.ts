/** @module HTTP details of the Node client against the official server: cookie jar (sticky sessions), extraHeaders. */

import { expect } from "chai";
import type { IncomingMessage } from "node:http";
import { Socket } from "@heartwire/client";
import { once } from "./helpers/events.js";
import { startOfficialServer } from "./helpers/servers.js";

interface SeenRequest {
  readonly url: string;
  readonly cookie: string | undefined;
  readonly token: string | undefined;
  readonly upgrade: boolean;
}

async function recordingServer(options: Record<string, unknown> = {}) {
  const server = await startOfficialServer({ echo: true, ...options });
  const seen: SeenRequest[] = [];
  (server.server as unknown as { on(e: "headers", l: (h: unknown, req: IncomingMessage) => void): void }).on("headers", (_headers, req) => {
    seen.push({
      url: req.url ?? "",
      cookie: req.headers.cookie,
      token: req.headers["x-hw-token"] as string | undefined,
      upgrade: req.headers.upgrade === "websocket",
    });
  });
  return { server, seen };
}

async function openAndUpgrade(url: string, options: ConstructorParameters<typeof Socket>[1]): Promise<Socket> {
  const socket = new Socket(url, { transports: ["polling", "websocket"], ...options });
  // A message sent at open goes out as a POST with the sid: a later polling request (polling
  // makes no new GET while the upgrade probe runs).
  socket.once("open", () => socket.send("over-polling"));
  await once(socket, "open");
  await once(socket, "upgrade");
  socket.send("ping-pong");
  await once(socket, "message", { filter: (data) => data === "ping-pong" });
  return socket;
}

describe("@heartwire/client HTTP details (Node)", () => {
  it("withCredentials keeps the server's cookie and sends it on later polls and the websocket handshake", async () => {
    const { server, seen } = await recordingServer({ cookie: { name: "io", path: "/", httpOnly: true, sameSite: "lax" } });
    await using _ = server;
    const socket = await openAndUpgrade(server.url, { withCredentials: true });
    const sid = socket.id!;
    const withSid = seen.filter((r) => r.url.includes(`sid=${sid}`));
    expect(withSid.length).to.be.at.least(2);
    for (const r of withSid) expect(r.cookie, r.url).to.equal(`io=${sid}`);
    expect(withSid.some((r) => r.upgrade)).to.equal(true);
    expect(seen[0]!.cookie).to.equal(undefined); // the handshake had none yet
    const closed = once(socket, "close");
    socket.close();
    await closed;
  });

  it("without withCredentials no cookie is sent", async () => {
    const { server, seen } = await recordingServer({ cookie: true });
    await using _ = server;
    const socket = await openAndUpgrade(server.url, {});
    expect(seen.every((r) => r.cookie === undefined)).to.equal(true);
    const closed = once(socket, "close");
    socket.close();
    await closed;
  });

  it("extraHeaders go on every polling request and on the websocket handshake", async () => {
    const { server, seen } = await recordingServer();
    await using _ = server;
    const socket = await openAndUpgrade(server.url, { extraHeaders: { "x-hw-token": "secret" } });
    expect(seen.length).to.be.at.least(3);
    for (const r of seen) expect(r.token, r.url).to.equal("secret");
    expect(seen.some((r) => r.upgrade)).to.equal(true);
    const closed = once(socket, "close");
    socket.close();
    await closed;
  });
});
