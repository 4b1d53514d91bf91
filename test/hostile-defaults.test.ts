/**
 * @module The bounds that hold with default options (issue 13): a polling client that POSTs pongs
 * but never polls, a POST body that trickles, a WebSocket reader that stops reading. Each is driven
 * through real sockets; verdicts wait on events with generous bounds, never on the machine's speed.
 */

import { expect } from "chai";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { Socket as ClientSocket } from "@heartwire/client";
import type { Socket } from "@heartwire/server";
import { once, waitUntil } from "./helpers/events.js";
import { PollingPeer } from "./helpers/polling.js";
import { startServer } from "./helpers/servers.js";
import { httpHead, rawExchange, rawWsSession } from "./hostile/harness.js";

/** The documented default of `maxBufferedBytes`. */
const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

describe("hostile peers against default limits", () => {
  it("a polling session that POSTs pongs but never polls dies by ping timeout", async () => {
    const pingInterval = 300;
    const pingTimeout = 400;
    await using srv = await startServer({ pingInterval, pingTimeout });
    const connection = once<[Socket]>(srv.server, "connection");
    const peer = await PollingPeer.connect(srv.url);
    const [socket] = await connection;
    let beats = 0;
    socket.on("heartbeat", () => beats++);
    // Generous: the session must end at pingInterval + pingTimeout; without the rule it never does.
    const closed = once<[string]>(socket, "close", { timeoutMs: 10 * (pingInterval + pingTimeout) });
    let stop = false;
    const pongs = (async () => {
      while (!stop && socket.readyState === "open") {
        const res = await peer.post("3").catch(() => undefined);
        if (res === undefined || res.status !== 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      const [reason] = await closed;
      expect(reason).to.equal("ping timeout");
      expect(beats, "pongs counted as heartbeats").to.equal(0);
    } finally {
      stop = true;
      await pongs;
    }
  });

  it("a POST body that trickles is answered 408 after the session's pingTimeout, not 10 s", async () => {
    const pingTimeout = 600;
    // httpBodyTimeout is left at its default: that is what is under test.
    await using srv = await startServer({ pingInterval: 20_000, pingTimeout });
    const connection = once<[Socket]>(srv.server, "connection");
    const peer = await PollingPeer.connect(srv.url);
    const [socket] = await connection;
    const closed = once<[string]>(socket, "close", { timeoutMs: 9000 });
    const path = peer.url().slice(srv.url.length);
    // One byte every 100 ms for up to 20 s: only the body deadline can end this request early.
    const drip = Array.from({ length: 200 }, () => "x");
    const res = await rawExchange(srv.port, [httpHead("POST", path, [["Content-Length", 1000]]), ...drip], {
      gapMs: 100,
      timeoutMs: 9000,
      until: (d) => d.includes("\r\n\r\n"),
    });
    expect(res.status).to.equal(408);
    // The old default (10 s) would not answer within 9 s; the new one answers after ~0.6 s.
    expect(res.ms).to.be.below(9000);
    expect((await closed)[0]).to.equal("transport error");
  });

  it("a WebSocket client that stops reading is closed as a slow consumer at the default bound", async () => {
    await using srv = await startServer();
    const raw = await rawWsSession(srv.port);
    try {
      raw.socket.pause(); // our end of the TCP connection stops reading: the window closes
      const socket = srv.server.clients[raw.sid]!;
      const closed = once<[string, Error | undefined]>(socket, "close", { timeoutMs: 15_000 });
      const chunk = "x".repeat(1000);
      let sent = 0;
      let most = 0;
      // The kernel's buffers take some megabytes first (tens at most); 100 MB is far more.
      while (socket.readyState === "open" && sent < 100_000) {
        socket.send(chunk);
        sent++;
        most = Math.max(most, socket.bufferedAmount);
        if (sent % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      const [reason, description] = await closed;
      expect(reason).to.equal("transport error");
      expect(description?.message).to.match(/^slow consumer/);
      expect((description as Error & { code?: string }).code).to.equal("HW_ERR_BUFFER_FULL");
      expect(socket.unsent.length, "refused messages handed back").to.be.greaterThan(0);
      expect(socket.unsent.every((m) => m === chunk)).to.equal(true);
      // Never more than the bound plus one message (and its frame header) was held unwritten.
      expect(most).to.be.at.most(DEFAULT_MAX_BUFFERED_BYTES + 2 * chunk.length);
      expect(most).to.be.greaterThan(DEFAULT_MAX_BUFFERED_BYTES - 2 * chunk.length);
    } finally {
      raw.socket.destroy();
    }
  });

  it("one message larger than the default bound still goes through when nothing else is buffered", async () => {
    await using srv = await startServer();
    const raw = await rawWsSession(srv.port);
    try {
      const socket = srv.server.clients[raw.sid]!;
      const big = "y".repeat(DEFAULT_MAX_BUFFERED_BYTES + 1000);
      const arrived = (): boolean => raw.frames().some((f) => f.payload.length === big.length + 1);
      socket.send(big);
      await waitUntil(arrived, 10_000, "the large message at the peer");
      expect(socket.readyState).to.equal("open");
      expect(raw.frames().find((f) => f.payload.length === big.length + 1)?.payload.toString()).to.equal(`4${big}`);
    } finally {
      raw.socket.destroy();
    }
  });

  it("our client, facing a server that stops reading its WebSocket, closes as a slow consumer", async () => {
    // The server opens the session, then its end of the TCP connection stops reading.
    const http = createServer();
    const wss = new WebSocketServer({ noServer: true });
    http.on("upgrade", (req, tcp, head) => {
      wss.handleUpgrade(req, tcp, head, (ws) => {
        ws.on("error", () => {});
        ws.send("0" + JSON.stringify({ sid: "frozen", upgrades: [], pingInterval: 60_000, pingTimeout: 60_000, maxPayload: 1e6 }));
        tcp.pause();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const client = new ClientSocket(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ["websocket"] });
    client.on("error", () => {});
    try {
      await once(client, "open");
      const closed = once<[string, Error | undefined]>(client, "close", { timeoutMs: 15_000 });
      const chunk = "x".repeat(1000);
      let sent = 0;
      let most = 0;
      while (client.readyState === "open" && sent < 100_000) {
        client.send(chunk);
        sent++;
        most = Math.max(most, client.bufferedAmount);
        if (sent % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      const [reason, details] = await closed;
      expect(reason).to.equal("transport error");
      expect(details?.message).to.match(/^slow consumer/);
      expect(client.unsent.length, "refused messages handed back").to.be.greaterThan(0);
      expect(most).to.be.at.most(DEFAULT_MAX_BUFFERED_BYTES + 2 * chunk.length);
    } finally {
      client.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });
});
