/** @module The upgrade dance on the fake clock: noop cadence, upgradeTimeout, abort on a stray packet. */

import { expect } from "chai";
import type { ServerOptions, Socket } from "@heartwire/server";
import { FakeScheduler } from "@heartwire/shared/testing";
import { harness, http, next, Peer, until } from "./helpers.js";

describe("upgrade (fake clock)", () => {
  let clock: FakeScheduler;
  beforeEach(() => {
    clock = new FakeScheduler();
  });
  afterEach(() => clock[Symbol.dispose]());

  async function pollingSession(h: Awaited<ReturnType<typeof harness>>): Promise<{ sid: string; socket: Socket; url: string }> {
    const connection = next<[Socket]>(h.server, "connection");
    const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
    const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
    const [socket] = await connection;
    return { sid, socket, url: `${h.base}/engine.io/?EIO=4&transport=polling&sid=${sid}` };
  }

  it("releases the held GET with a noop at once, then every 100 ms while upgrading", async () => {
    await using h = await harness({ scheduler: clock, upgradeTimeout: 10_000 });
    const { sid, socket, url } = await pollingSession(h);
    const first = http(url);
    await until(() => socket.transport.writable, "GET held");
    await using peer = await Peer.open(`${h.wsBase}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    const upgrading = next(socket, "upgrading");
    peer.ws.send("2probe");
    expect(await peer.next()).to.equal("3probe");
    await upgrading;
    expect((await first).body).to.equal("6");
    const second = http(url);
    await until(() => socket.transport.writable, "second GET held");
    clock.advance(99);
    await new Promise((r) => setImmediate(r));
    expect(socket.transport.writable).to.equal(true);
    clock.advance(1);
    expect((await second).body).to.equal("6");
    const upgraded = next(socket, "upgrade");
    peer.ws.send("5");
    await upgraded;
    expect(socket.upgraded).to.equal(true);
    expect(socket.upgrading).to.equal(false);
    expect(clock.pendingCount()).to.equal(1); // only the heartbeat wheel: noop and upgrade timers are gone
  });

  it("closes the probe after upgradeTimeout and stays on polling", async () => {
    await using h = await harness({ scheduler: clock, upgradeTimeout: 5000 });
    const { sid, socket } = await pollingSession(h);
    await using peer = await Peer.open(`${h.wsBase}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    peer.ws.send("2probe");
    expect(await peer.next()).to.equal("3probe");
    await until(() => socket.upgrading, "upgrading");
    clock.advance(4999);
    await new Promise((r) => setImmediate(r));
    expect(socket.upgrading).to.equal(true);
    clock.advance(1);
    await peer.waitClose();
    expect(socket.upgrading).to.equal(false);
    expect(socket.readyState).to.equal("open");
    expect(socket.transport.name).to.equal("polling");
  });

  it("a socket closing after 3probe keeps the probe (the client may be switching) until upgradeTimeout", async () => {
    await using h = await harness({ scheduler: clock, upgradeTimeout: 5000 });
    const { sid, socket } = await pollingSession(h);
    await using peer = await Peer.open(`${h.wsBase}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    peer.ws.send("2probe");
    expect(await peer.next()).to.equal("3probe");
    socket.close();
    expect(socket.upgrading).to.equal(true);
    clock.advance(5000);
    await peer.waitClose();
    expect(socket.upgrading).to.equal(false);
  });

  it("a socket closed without grace during the upgrade closes the probe at once", async () => {
    await using h = await harness({ scheduler: clock });
    const { sid, socket } = await pollingSession(h);
    await using peer = await Peer.open(`${h.wsBase}/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    peer.ws.send("2probe");
    expect(await peer.next()).to.equal("3probe");
    socket.close(true);
    await peer.waitClose();
  });
});

describe("POST body deadline (fake clock)", () => {
  async function tricklesUntil408(options: ServerOptions, query: string, expectedMs: number): Promise<void> {
    using clock = new FakeScheduler();
    await using h = await harness({ scheduler: clock, ...options });
    const connection = next<[Socket]>(h.server, "connection");
    const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling${query}`);
    const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
    const [socket] = await connection;
    const closed = next<[string]>(socket, "close");
    const { request } = await import("node:http");
    const before = clock.pendingCount();
    const status = new Promise<number>((resolve, reject) => {
      const req = request(`${h.base}/engine.io/?EIO=4&transport=polling&sid=${sid}`, { method: "POST", agent: false, headers: { "content-length": 50 } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", reject);
      req.write("4slow");
    });
    await until(() => clock.pendingCount() > before, "body timer armed");
    clock.advance(expectedMs - 1);
    await new Promise((r) => setImmediate(r));
    expect(socket.readyState).to.equal("open");
    clock.advance(1);
    expect(await status).to.equal(408);
    expect((await closed)[0]).to.equal("transport error");
  }

  it("by default, answers a trickling body 408 at the session's pingTimeout", async () => {
    await tricklesUntil408({ pingInterval: 5000, pingTimeout: 700 }, "", 700);
  });

  it("by default, uses the negotiated pingTimeout of the session", async () => {
    await tricklesUntil408({ pingTimeout: 5000, pingTimeoutRange: [100, 3000] }, "&pingTimeout=1200", 1200);
  });

  it("by default, caps the body time at 10000 ms however long pingTimeout is", async () => {
    await tricklesUntil408({ pingInterval: 5000, pingTimeout: 60_000 }, "", 10_000);
  });

  it("an explicit httpBodyTimeout wins over pingTimeout", async () => {
    await tricklesUntil408({ pingInterval: 5000, pingTimeout: 700, httpBodyTimeout: 2000 }, "", 2000);
  });

  it("answers a trickling body 408 exactly at httpBodyTimeout", async () => {
    using clock = new FakeScheduler();
    await using h = await harness({ scheduler: clock, httpBodyTimeout: 2000 });
    const connection = next<[Socket]>(h.server, "connection");
    const hs = await http(`${h.base}/engine.io/?EIO=4&transport=polling`);
    const sid = (JSON.parse(hs.body.slice(1)) as { sid: string }).sid;
    const [socket] = await connection;
    const closed = next<[string]>(socket, "close");
    const { request } = await import("node:http");
    const before = clock.pendingCount();
    const status = new Promise<number>((resolve, reject) => {
      const req = request(`${h.base}/engine.io/?EIO=4&transport=polling&sid=${sid}`, { method: "POST", agent: false, headers: { "content-length": 50 } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", reject);
      req.write("4slow");
    });
    await until(() => clock.pendingCount() > before, "body timer armed");
    clock.advance(1999);
    await new Promise((r) => setImmediate(r));
    expect(socket.readyState).to.equal("open");
    clock.advance(1);
    expect(await status).to.equal(408);
    expect((await closed)[0]).to.equal("transport error");
  });
});
