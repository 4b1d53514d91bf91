/** @module ReconnectingSocket on the fake clock: backoff with jitter, attempts, minUptime, queue, refusal, close. */

import { expect } from "chai";
import { ReconnectingSocket, type ReconnectingSocketOptions } from "@heartwire/client";
import { FakeScheduler } from "@heartwire/shared/testing";
import { FakeIO, openPacket, settle } from "./helpers/fake-io.js";

function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

function reconnecting(options: ReconnectingSocketOptions = {}) {
  const io = new FakeIO();
  const scheduler = new FakeScheduler();
  const rs = new ReconnectingSocket("http://h", { transports: ["websocket"], io, scheduler, random: () => 0.5, ...options });
  const log: string[] = [];
  rs.on("open", () => log.push("open"));
  rs.on("close", (reason) => log.push(`close:${reason}`));
  rs.on("reconnect_scheduled", (attempt, delay) => log.push(`scheduled:${attempt}:${delay}`));
  rs.on("reconnect_attempt", (attempt) => log.push(`attempt:${attempt}`));
  rs.on("reconnect", (attempt) => log.push(`reconnect:${attempt}`));
  rs.on("reconnect_failed", () => log.push("failed"));
  return { io, scheduler, rs, log };
}

async function accept(io: FakeIO, sid: string): Promise<void> {
  await settle();
  io.lastSocket.accept();
  io.lastSocket.deliver(openPacket({ sid, pingInterval: 60_000 }));
}

describe("ReconnectingSocket (fake clock)", () => {
  it("reconnects with a new session after a loss, with full-jitter backoff delays", async () => {
    const { io, scheduler, rs, log } = reconnecting({ random: sequence([0.25, 0.5, 0.9]) });
    await accept(io, "one");
    expect(rs.socket?.id).to.equal("one");
    io.lastSocket.drop();
    expect(log).to.deep.equal(["open", "close:transport close", "scheduled:1:750"]);
    scheduler.advance(749);
    expect(io.sockets).to.have.length(1);
    scheduler.advance(1);
    await settle();
    expect(io.sockets).to.have.length(2);
    io.lastSocket.fail(); // attempt 1 fails: ceiling 2000, r = 0.5
    io.lastSocket.drop();
    expect(log.slice(-3)).to.deep.equal(["attempt:1", "close:transport error", "scheduled:2:1000"]);
    scheduler.advance(1000);
    await accept(io, "two");
    expect(log.slice(-2)).to.deep.equal(["reconnect:2", "open"]);
    expect(rs.socket?.id).to.equal("two");
    rs.close();
    await settle();
    expect(log.at(-1)).to.equal("close:forced close");
    expect(scheduler.pendingCount()).to.equal(0);
  });

  it("caps the ceiling at reconnectionDelayMax and gives up after reconnectionAttempts", async () => {
    const { io, scheduler, log } = reconnecting({ random: () => 0, reconnectionAttempts: 4 });
    await settle();
    for (let i = 0; i < 5; i++) {
      io.lastSocket.fail();
      scheduler.advance(10_000);
      await settle();
    }
    const delays = log.filter((l) => l.startsWith("scheduled")).map((l) => Number(l.split(":")[2]));
    expect(delays).to.deep.equal([1000, 2000, 4000, 5000]);
    expect(log.at(-1)).to.equal("failed");
    expect(io.sockets).to.have.length(5);
    expect(scheduler.pendingCount()).to.equal(0);
  });

  it("resets the attempt counter only after minUptime of healthy connection", async () => {
    const { io, scheduler, rs, log } = reconnecting({ random: () => 0, minUptime: 5000 });
    await accept(io, "a");
    io.lastSocket.drop(); // attempt 1 (1000)
    scheduler.advance(1000);
    await accept(io, "b");
    scheduler.advance(4999);
    io.lastSocket.drop(); // short-lived: attempt 2 (2000)
    scheduler.advance(2000);
    await accept(io, "c");
    scheduler.advance(5000); // healthy long enough
    expect(rs.attempts).to.equal(0);
    io.lastSocket.drop(); // back to attempt 1 (1000)
    const delays = log.filter((l) => l.startsWith("scheduled")).map((l) => l.split(":").slice(1).join(":"));
    expect(delays).to.deep.equal(["1:1000", "2:2000", "1:1000"]);
    rs.close();
    await settle();
  });

  it("draws a fresh random number per attempt (full jitter: delay in [0, ceiling])", async () => {
    const draws: number[] = [];
    const random = () => {
      const r = [0.99, 0.01, 0.5][draws.length % 3]!;
      draws.push(r);
      return r;
    };
    const { io, scheduler, rs, log } = reconnecting({ random, reconnectionDelay: 100, reconnectionDelayMax: 100 });
    await settle();
    for (let i = 0; i < 3; i++) {
      io.lastSocket.fail();
      scheduler.advance(100);
      await settle();
    }
    expect(log.filter((l) => l.startsWith("scheduled")).map((l) => Number(l.split(":")[2]))).to.deep.equal([1, 99, 50]);
    expect(draws).to.have.length(3);
    rs.close();
    await settle();
  });

  it("queues messages while disconnected (bounded, the newest refused with 'drop') and sends them first on open", async () => {
    const { io, scheduler, rs } = reconnecting({ queueSize: 2 });
    const dropped: unknown[] = [];
    rs.on("drop", (d) => dropped.push(d));
    rs.send("q1").send("q2").send("q3");
    expect(dropped).to.deep.equal(["q3"]);
    expect(rs.queued).to.equal(2);
    await accept(io, "s");
    await settle();
    expect(io.lastSocket.sent).to.deep.equal(["4q1", "4q2"]);
    rs.send("live");
    await settle();
    expect(io.lastSocket.sent.at(-1)).to.equal("4live");
    io.lastSocket.drop();
    rs.send("while-down");
    scheduler.advance(1000);
    await accept(io, "s2");
    await settle();
    expect(io.lastSocket.sent).to.deep.equal(["4while-down"]);
    rs.close();
    await settle();
  });

  it("queueBytes bounds the queue's size (text in code units, binary in bytes); defaults 1000 messages, 1 MiB", async () => {
    const { rs } = reconnecting({ queueBytes: 10 });
    const dropped: unknown[] = [];
    rs.on("drop", (d) => dropped.push(d));
    rs.send("12345").send(new Uint8Array(4)).send("xx").send("y");
    expect(dropped).to.deep.equal(["xx"]);
    expect(rs.queued).to.equal(3);
    expect(rs.queuedBytes).to.equal(10);
    rs.close();
    expect(dropped).to.have.length(4);
    const defaults = reconnecting();
    for (let i = 0; i < 1001; i++) defaults.rs.send("m");
    expect(defaults.rs.queued).to.equal(1000);
    defaults.rs.close();
    expect(() => reconnecting({ queueBytes: -1 })).to.throw(/queueBytes/);
    await settle();
  });

  it("with queueSize 0 messages sent while disconnected are dropped with 'drop'", async () => {
    const { rs } = reconnecting({ queueSize: 0 });
    const dropped: unknown[] = [];
    rs.on("drop", (d) => dropped.push(d));
    rs.send("nowhere");
    expect(dropped).to.deep.equal(["nowhere"]);
    rs.close();
    await settle();
  });

  it("requeues what the closed socket never wrote, callbacks kept, ahead of later sends", async () => {
    const { io, scheduler, rs } = reconnecting();
    await accept(io, "s");
    const first = io.lastSocket;
    const written: string[] = [];
    // The server's close frame arrived: the socket can no longer write.
    first.readyState = 2;
    rs.send("a", () => written.push("a"));
    rs.send("b", () => written.push("b"));
    await settle();
    first.drop(1006);
    rs.send("c", () => written.push("c"));
    expect(rs.queued).to.equal(3);
    scheduler.advance(1000);
    await accept(io, "s2");
    await settle();
    expect(io.lastSocket.sent).to.deep.equal(["4a", "4b", "4c"]);
    expect(written).to.deep.equal(["a", "b", "c"]);
    rs.close();
    await settle();
  });

  it("reconnects at once after an orderly close by the server, with backoff after a lost connection", async () => {
    const { io, scheduler, rs, log } = reconnecting();
    await accept(io, "s1");
    io.lastSocket.drop(1000);
    expect(log).to.deep.equal(["open", "close:transport close", "scheduled:1:0"]);
    scheduler.advance(0);
    await accept(io, "s2");
    expect(rs.socket?.id).to.equal("s2");
    io.lastSocket.drop(1006);
    expect(log.at(-1)).to.equal("scheduled:2:1000");
    scheduler.advance(1000);
    await accept(io, "s3");
    // A close frame without a code (a server closing everything at once) keeps the backoff too.
    io.lastSocket.drop(1005);
    expect(log.at(-1)).to.equal("scheduled:3:2000");
    rs.close();
    await settle();
  });

  it("a send after a sleep past the heartbeat deadline is queued for the next session, not written", async () => {
    const { io, scheduler, rs } = reconnecting({ queueSize: 10 });
    await accept(io, "s");
    const first = io.lastSocket;
    scheduler.jump(70_000);
    rs.send("after-sleep");
    await settle();
    expect(first.sent).to.deep.equal([]);
    expect(rs.readyState).to.equal("waiting");
    scheduler.advance(1000);
    await accept(io, "s2");
    await settle();
    expect(io.lastSocket.sent).to.deep.equal(["4after-sleep"]);
    rs.close();
    await settle();
  });

  for (const [what, status, body] of [
    ["403 Forbidden", 403, '{"code":4,"message":"Forbidden"}'],
    ["code 5 (unsupported protocol)", 400, '{"code":5,"message":"Unsupported protocol version"}'],
  ] as const) {
    it(`stops for good when the server refuses the handshake: ${what}`, async () => {
      const io = new FakeIO();
      const scheduler = new FakeScheduler();
      const rs = new ReconnectingSocket("http://h", { transports: ["polling"], io, scheduler });
      let failed: unknown = null;
      rs.on("reconnect_failed", (details) => (failed = details));
      await settle();
      io.only("GET").respond(status, body);
      await settle();
      expect(failed).to.have.property("status", status);
      expect(rs.readyState).to.equal("closed");
      expect(scheduler.pendingCount()).to.equal(0);
    });
  }

  it("shouldReconnect overrides the refusal rule; close() while waiting stops the retry", async () => {
    const { io, scheduler, rs, log } = reconnecting({ shouldReconnect: () => true });
    await settle();
    io.lastSocket.fail("Unexpected server response: 403");
    expect(rs.readyState).to.equal("waiting");
    rs.close();
    await settle();
    expect(log.at(-1)).to.equal("close:forced close");
    scheduler.advance(60_000);
    expect(io.sockets).to.have.length(1);
  });

  it("gives a server that accepts and never answers 20 s per attempt (openTimeout), then tries again", async () => {
    const { io, scheduler, rs, log } = reconnecting({ random: () => 0 });
    await settle();
    io.lastSocket.accept(); // connected, but no open packet ever comes
    scheduler.advance(19_999);
    await settle();
    expect(rs.readyState).to.equal("connecting");
    scheduler.advance(1);
    await settle();
    expect(io.sockets[0]!.terminated).to.equal(true);
    expect(log).to.deep.equal(["close:transport error", "scheduled:1:1000"]);
    scheduler.advance(1000);
    await accept(io, "late");
    expect(log.slice(-3)).to.deep.equal(["attempt:1", "reconnect:1", "open"]);
    expect(rs.socket?.id).to.equal("late");
    rs.close();
  });

  it("validates its options", () => {
    expect(() => new ReconnectingSocket("http://h", { io: new FakeIO(), jitter: 2 })).to.throw(/jitter/);
    expect(() => new ReconnectingSocket("http://h", { io: new FakeIO(), reconnectionDelay: 10, reconnectionDelayMax: 5 })).to.throw(/reconnectionDelayMax/);
  });
});
