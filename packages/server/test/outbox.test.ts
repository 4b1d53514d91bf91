/** @module Unit tests of the outbox bounds: queued bytes plus what the transport holds, packets in flight. */

import { expect } from "chai";
import { Outbox } from "../dist/outbox.js";
import type { QueuedPacket } from "../dist/transports/transport.js";

const message = (data: string | Uint8Array): QueuedPacket => ({ type: "message", data, options: { compress: true } });
const PING: QueuedPacket = { type: "ping", options: { compress: true } };

describe("outbox bounds", () => {
  it("refuses a message that would take queue plus transport past maxBytes, naming the bound", () => {
    const box = new Outbox<never>(1000, 100);
    expect(box.push(message("a".repeat(60)))).to.equal(undefined);
    expect(box.push(message("b".repeat(40)))).to.equal(undefined); // exactly 100
    expect(box.push(message("c"))).to.equal("bytes");
    expect(box.bytes).to.equal(100);
    expect(box.queued).to.equal(2);
  });

  it("counts what the transport has not written: a message fits only beside it", () => {
    const box = new Outbox<never>(1000, 100);
    expect(box.push(message("x".repeat(30)), undefined, 70)).to.equal(undefined);
    expect(box.push(message("y"), undefined, 70)).to.equal("bytes");
    // Handed over: the queue is empty; the transport now reports those bytes instead.
    expect(box.take()).to.have.length(1);
    expect(box.bytes).to.equal(0);
    expect(box.push(message("z".repeat(5)), undefined, 98)).to.equal("bytes");
    expect(box.push(message("z".repeat(5)), undefined, 95)).to.equal(undefined);
  });

  it("accepts one message larger than the bound when nothing else is buffered, then nothing more", () => {
    const box = new Outbox<never>(1000, 100);
    expect(box.push(message(new Uint8Array(5000)))).to.equal(undefined);
    expect(box.bytes).to.equal(5000);
    expect(box.push(message("a"))).to.equal("bytes");
    box.take();
    // Still in the transport: a second large one is refused, and so is a small one. A ping has no
    // data: only maxPackets bounds it, so the heartbeat goes on behind a large message.
    expect(box.push(message(new Uint8Array(5000)), undefined, 5000)).to.equal("bytes");
    expect(box.push(message("a"), undefined, 5000)).to.equal("bytes");
    expect(box.push(PING, undefined, 5000)).to.equal(undefined);
    // Written: the transport holds nothing, so the large message goes again.
    box.written();
    box.take();
    box.written();
    expect(box.push(message(new Uint8Array(5000)), undefined, 0)).to.equal(undefined);
  });

  it("the large-message exception does not apply while the transport still holds bytes", () => {
    const box = new Outbox<never>(1000, 100);
    expect(box.push(message(new Uint8Array(101)), undefined, 1)).to.equal("bytes");
  });

  it("counts packets queued and in flight against maxPackets until written", () => {
    const box = new Outbox<string>(3, 1_000_000);
    for (const m of ["1", "2"]) expect(box.push(message(m), m)).to.equal(undefined);
    box.take();
    expect(box.inFlight).to.equal(true);
    expect(box.push(message("3"), "3")).to.equal(undefined);
    expect(box.push(message("4"), "4")).to.equal("packets");
    expect(box.written()).to.deep.equal(["1", "2"]);
    expect(box.push(message("4"), "4")).to.equal(undefined);
    expect(box.clear().map((p) => p.data)).to.deep.equal(["3", "4"]);
    expect(box.bytes).to.equal(0);
  });
});
