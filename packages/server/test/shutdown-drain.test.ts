/**
 * @module A graceful close loses nothing the client already sent: the WebSocket keeps reading until
 * the client's close frame, and an upgrade the client already finished completes.
 */

import { request as httpRequest, type ClientRequest } from "node:http";
import { expect } from "chai";
import type { Socket } from "@heartwire/server";
import { FakeScheduler } from "@heartwire/shared/testing";
import { harness, http, next, Peer, until } from "./helpers.js";

const wsUrl = (base: string, sid?: string): string => `${base}/engine.io/?EIO=4&transport=websocket${sid === undefined ? "" : `&sid=${sid}`}`;

/** Opens a websocket session and returns the peer (open packet read) and the server's socket. */
async function wsSession(h: Awaited<ReturnType<typeof harness>>): Promise<{ peer: Peer; socket: Socket }> {
  const connection = next<[Socket]>(h.server, "connection");
  const peer = await Peer.open(wsUrl(h.wsBase));
  const [socket] = await connection;
  expect(String(await peer.next())).to.match(/^0\{/);
  return { peer, socket };
}

/** Opens a polling session and returns its URL and the server's socket. */
async function pollingSession(h: Awaited<ReturnType<typeof harness>>): Promise<{ sid: string; url: string; socket: Socket }> {
  const connection = next<[Socket]>(h.server, "connection");
  const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
  const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
  const [socket] = await connection;
  return { sid, url: `${h.base}/engine.io/?EIO=4&transport=polling&sid=${sid}`, socket };
}

/** A POST whose body is written in two parts; `response` settles with status and body. */
function splitPost(h: Awaited<ReturnType<typeof harness>>, url: string, body: string): { req: ClientRequest; arrived: Promise<void>; rest: () => void; response: Promise<{ status: number; body: string }> } {
  const half = Math.floor(body.length / 2);
  const arrived = new Promise<void>((resolve) => {
    const onRequest = (req: { method?: string }): void => {
      if (req.method !== "POST") return;
      h.http.off("request", onRequest);
      resolve();
    };
    h.http.on("request", onRequest);
  });
  let req!: ClientRequest;
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = httpRequest(url, { method: "POST", agent: false, headers: { "content-type": "text/plain;charset=UTF-8", "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
  });
  req.write(body.slice(0, half));
  return { req, arrived, rest: () => req.end(body.slice(half)), response };
}

describe("graceful close drains what the client sent", () => {
  let clock: FakeScheduler;
  beforeEach(() => {
    clock = new FakeScheduler();
  });
  afterEach(() => clock[Symbol.dispose]());

  describe("websocket", () => {
    it("delivers frames the client wrote before it saw the close frame, then closes", async () => {
      await using h = await harness({ scheduler: clock });
      const { peer, socket } = await wsSession(h);
      await using _peer = peer;
      const received: string[] = [];
      socket.on("message", (data) => received.push(String(data)));
      const closed = next<[string]>(socket, "close");
      // The client does not read, so it cannot see the server's close frame yet.
      peer.ws.pause();
      h.server.close({ graceful: true });
      expect(socket.readyState).to.equal("closing");
      expect(socket.transport.writable, "no more writes once closing").to.equal(false);
      for (let i = 0; i < 50; i++) peer.ws.send(`4m${i}`);
      // Now it reads the close frame and answers it, after the 50 frames.
      peer.ws.resume();
      const [reason] = await closed;
      expect(reason).to.equal("forced close");
      expect(received).to.deep.equal(Array.from({ length: 50 }, (_, i) => `m${i}`));
      expect(await peer.waitClose()).to.equal(1000);
    });

    it("a client that never answers the close frame is dropped after closeTimeout", async () => {
      await using h = await harness({ scheduler: clock, closeTimeout: 1000 });
      const { peer, socket } = await wsSession(h);
      await using _peer = peer;
      peer.ws.pause();
      const received: string[] = [];
      socket.on("message", (data) => received.push(String(data)));
      socket.close();
      peer.ws.send("4late");
      await until(() => received.length === 1, "the frame sent after the close frame was delivered");
      clock.advance(999);
      await new Promise((r) => setImmediate(r));
      expect(socket.readyState).to.equal("closing");
      const closed = next<[string]>(socket, "close");
      clock.advance(1);
      expect((await closed)[0]).to.equal("forced close");
      expect(received).to.deep.equal(["late"]);
    });

    it("close without grace after a graceful one drops the lingering connection at once", async () => {
      await using h = await harness({ scheduler: clock });
      const { peer, socket } = await wsSession(h);
      await using _peer = peer;
      peer.ws.pause();
      const closed = next<[string]>(socket, "close");
      h.server.close({ graceful: true });
      h.server.close();
      expect((await closed)[0]).to.equal("server shutting down");
      peer.ws.resume();
      await peer.waitClose();
    });
  });

  describe("upgrade under way", () => {
    it("a client that sent 5 after 3probe finishes the upgrade; its messages on the new WebSocket are delivered", async () => {
      await using h = await harness({ scheduler: clock, upgradeTimeout: 10_000 });
      const connection = next<[Socket]>(h.server, "connection");
      const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
      const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
      const [socket] = await connection;
      const poll = http(`${h.base}/engine.io/?EIO=4&transport=polling&sid=${sid}`);
      await until(() => socket.transport.writable, "GET held");
      await using peer = await Peer.open(wsUrl(h.wsBase, sid));
      peer.ws.send("2probe");
      expect(await peer.next()).to.equal("3probe");
      // The held GET is released; the client is paused and about to switch.
      expect((await poll).body).to.equal("6");
      const received: string[] = [];
      socket.on("message", (data) => received.push(String(data)));
      h.server.close({ graceful: true });
      expect(socket.upgrading, "the probe goes on").to.equal(true);
      const closed = next<[string]>(socket, "close");
      peer.ws.send("5");
      peer.ws.send("4after the switch");
      expect((await closed)[0]).to.equal("forced close");
      expect(socket.upgraded).to.equal(true);
      expect(received).to.deep.equal(["after the switch"]);
    });

    it("before 3probe, the probe is cancelled and the close goes out on polling", async () => {
      await using h = await harness({ scheduler: clock });
      const connection = next<[Socket]>(h.server, "connection");
      const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
      const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
      const [socket] = await connection;
      await using peer = await Peer.open(wsUrl(h.wsBase, sid));
      await until(() => socket.upgrading, "probe registered");
      h.server.close({ graceful: true });
      expect(socket.upgrading).to.equal(false);
      await peer.waitClose();
      // A GET that fetches a pending close gets a noop before it, as engine.io sends it.
      expect((await http(`${h.base}/engine.io/?EIO=4&transport=polling&sid=${sid}`)).body).to.equal("6\x1e1");
    });
  });

  describe("polling", () => {
    it("a POST in flight when the close starts finishes: 200, its packets delivered, then the session ends", async () => {
      await using h = await harness({ scheduler: clock });
      const { url, socket } = await pollingSession(h);
      const poll = http(url);
      await until(() => socket.transport.writable, "GET held");
      const received: string[] = [];
      socket.on("message", (data) => received.push(String(data)));
      const post = splitPost(h, url, "4one\x1e4two\x1e4three");
      await post.arrived;
      const closed = next<[string]>(socket, "close");
      h.server.close({ graceful: true });
      expect((await poll).body).to.equal("1");
      await new Promise((r) => setImmediate(r));
      expect(socket.readyState, "the session waits for the POST in flight").to.equal("closing");
      post.rest();
      expect(await post.response).to.deep.equal({ status: 200, body: "ok" });
      expect((await closed)[0]).to.equal("forced close");
      expect(received).to.deep.equal(["one", "two", "three"]);
    });

    it("a POST that comes while closing, before the close packet went out, is delivered", async () => {
      await using h = await harness({ scheduler: clock });
      const { url, socket } = await pollingSession(h);
      const received: string[] = [];
      socket.on("message", (data) => received.push(String(data)));
      socket.close();
      expect(await http(url, "POST", "4still counted")).to.deep.equal({ status: 200, body: "ok" });
      expect(received).to.deep.equal(["still counted"]);
      const closed = next<[string]>(socket, "close");
      expect((await http(url)).body).to.equal("6\x1e1");
      expect((await closed)[0]).to.equal("forced close");
    });

    it("a POST after the close packet went out is answered 400 and not delivered", async () => {
      await using h = await harness({ scheduler: clock });
      const { url, socket } = await pollingSession(h);
      const received: string[] = [];
      socket.on("message", (data) => received.push(String(data)));
      const poll = http(url);
      await until(() => socket.transport.writable, "GET held");
      h.server.close({ graceful: true });
      expect((await poll).body).to.equal("1");
      expect((await http(url, "POST", "4too late")).status).to.equal(400);
      expect(received).to.deep.equal([]);
    });

    it("a close without grace aborts the POST in flight", async () => {
      await using h = await harness({ scheduler: clock });
      const { url, socket } = await pollingSession(h);
      const received: string[] = [];
      socket.on("message", (data) => received.push(String(data)));
      const post = splitPost(h, url, "4never\x1e4delivered");
      await post.arrived;
      const closed = next<[string]>(socket, "close");
      h.server.close({ graceful: true });
      h.server.close();
      expect((await closed)[0]).to.equal("server shutting down");
      post.rest();
      await post.response.then(
        (res) => expect(res.status).to.not.equal(200),
        () => undefined,
      );
      expect(received).to.deep.equal([]);
    });
  });

  describe("spread", () => {
    async function sessions(h: Awaited<ReturnType<typeof harness>>, count: number): Promise<Socket[]> {
      const sockets: Socket[] = [];
      for (let i = 0; i < count; i++) sockets.push((await pollingSession(h)).socket);
      return sockets;
    }
    const closing = (sockets: readonly Socket[]): number => sockets.filter((s) => s.readyState !== "open").length;

    it("closes the sessions in random order, a share every 10 ms, over timeout / 2 by default", async () => {
      await using h = await harness({ scheduler: clock });
      const sockets = await sessions(h, 20);
      const order: Socket[] = [];
      for (const socket of sockets) socket.on("close", () => order.push(socket));
      const asked: Socket[] = [];
      const seen = new Set<Socket>();
      const note = (): void => {
        for (const socket of sockets) if (socket.readyState !== "open" && !seen.has(socket)) (seen.add(socket), asked.push(socket));
      };
      h.server.close({ graceful: true, timeout: 1000 });
      note();
      // 500 ms in 50 steps of 10 ms: after step k, ceil(k * 20 / 50) sessions were asked to close.
      expect(closing(sockets)).to.equal(1);
      clock.advance(240);
      note();
      expect(closing(sockets)).to.equal(10);
      clock.advance(240);
      note();
      expect(closing(sockets)).to.equal(20);
      expect(asked.map((s) => sockets.indexOf(s)), "not in the order they connected").to.not.deep.equal(sockets.map((_, i) => i));
      // Nobody came back for the close packet: the deadline drops them all.
      clock.advance(520);
      await until(() => order.length === 20, "every session closed");
    });

    it("spread: 0 closes every session at once; a close without grace cuts a spread short", async () => {
      await using h = await harness({ scheduler: clock });
      const first = await sessions(h, 5);
      h.server.close({ graceful: true, timeout: 1000, spread: 0 });
      expect(closing(first)).to.equal(5);
      await using h2 = await harness({ scheduler: clock });
      const second = await sessions(h2, 5);
      h2.server.close({ graceful: true, spread: 1000 });
      expect(closing(second)).to.equal(1);
      h2.server.close();
      expect(second.every((s) => s.readyState === "closed")).to.equal(true);
      expect(() => h2.server.close({ graceful: true, spread: -1 })).to.throw(/spread must be a finite number/);
    });
  });
});
