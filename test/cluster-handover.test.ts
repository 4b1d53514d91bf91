/**
 * @module The cluster primary's handover loses no byte: it reads a connection up to the end of its
 * first request head, then hands the connection to a worker. Bytes the client sends right behind
 * the head (WebSocket frames before the 101, a POST body in pieces) must all reach the worker, in
 * order, even while handovers queue behind one another on the IPC channel.
 */

import { expect } from "chai";
import { connect, type Socket as NetSocket } from "node:net";
import { startCluster } from "./helpers/cluster.js";
import { pollingHandshake, request, engineUrl } from "./helpers/http.js";

const CONNECTIONS = 20;
const FRAMES = 30;

/** A masked client text frame (payload under 126 bytes). */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/** Collects the text frames a server sends after its 101, in order. */
function serverFrames(socket: NetSocket): { texts: string[]; status: () => string } {
  const texts: string[] = [];
  let buffered = Buffer.alloc(0);
  let head: string | undefined;
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (head === undefined) {
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) return;
      head = buffered.subarray(0, end).toString("latin1");
      buffered = buffered.subarray(end + 4);
    }
    while (buffered.length >= 2) {
      let length = buffered[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) return;
        length = buffered.readUInt16BE(2);
        offset = 4;
      }
      if (buffered.length < offset + length) return;
      if ((buffered[0]! & 0x0f) === 1) texts.push(buffered.subarray(offset, offset + length).toString("utf8"));
      buffered = buffered.subarray(offset + length);
    }
  });
  return { texts, status: () => head?.split("\r\n")[0] ?? "" };
}

/** Writes `pieces` one per turn of the event loop, so they reach the primary as separate reads. */
async function writeSpread(socket: NetSocket, pieces: Buffer[]): Promise<void> {
  for (const piece of pieces) {
    socket.write(piece);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("cluster handover (no byte lost between primary and worker)", function () {
  this.timeout(60_000);

  it("WebSocket frames sent right behind the upgrade head all reach the worker, in order", async () => {
    await using cluster = await startCluster({ workers: 2 });
    const sockets: NetSocket[] = [];
    try {
      const peers = await Promise.all(
        Array.from({ length: CONNECTIONS }, async (_, c) => {
          const socket = connect(cluster.port, "127.0.0.1");
          sockets.push(socket);
          socket.on("error", () => {});
          await new Promise((resolve) => socket.once("connect", resolve));
          const frames = serverFrames(socket);
          const head = Buffer.from(
            "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
              "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
          );
          // The head in two reads, then one frame per read: some land in the primary's read of the
          // head, most arrive while this connection (or another) is being handed over.
          const pieces: Buffer[] = [head.subarray(0, 40), Buffer.concat([head.subarray(40), clientFrame(`4c${c}-0`)])];
          for (let i = 1; i < FRAMES; i++) pieces.push(clientFrame(`4c${c}-${i}`));
          await writeSpread(socket, pieces);
          return frames;
        }),
      );
      const expected = (c: number): string[] => Array.from({ length: FRAMES }, (_, i) => `4c${c}-${i}`);
      await waitFor(
        () => peers.every((p, c) => p.texts.filter((t) => t.startsWith("4")).length >= expected(c).length),
        20_000,
        () => `echoes per connection: ${peers.map((p) => p.texts.filter((t) => t.startsWith("4")).length).join(",")}`,
      );
      peers.forEach((peer, c) => {
        expect(peer.status(), `connection ${c}`).to.equal("HTTP/1.1 101 Switching Protocols");
        expect(peer.texts[0], `connection ${c} open packet`).to.match(/^0\{"sid":"w\d+\./);
        expect(peer.texts.filter((t) => t.startsWith("4")), `connection ${c}`).to.deep.equal(expected(c));
      });
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  it("a POST body sent in pieces behind its head reaches the session's worker whole", async () => {
    // The polling session is left open: a short drain ends it at close.
    await using cluster = await startCluster({ workers: 2, drainTimeout: 200 });
    const { sid } = await pollingHandshake(cluster.url);
    const packets = Array.from({ length: FRAMES }, (_, i) => `4m${i}`);
    const body = Buffer.from(packets.join("\x1e"));
    const url = new URL(engineUrl(cluster.url, { EIO: "4", transport: "polling", sid }));
    const socket = connect(cluster.port, "127.0.0.1");
    socket.on("error", () => {});
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    try {
      await new Promise((resolve) => socket.once("connect", resolve));
      const head = Buffer.from(
        `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\n` +
          `Content-Length: ${body.length}\r\n\r\n`,
      );
      const pieces = [head];
      for (let i = 0; i < body.length; i += 7) pieces.push(body.subarray(i, i + 7));
      await writeSpread(socket, pieces);
      await waitFor(() => answer.includes("\r\n\r\nok"), 10_000, () => `answer: ${JSON.stringify(answer)}`);
      expect(answer.split("\r\n")[0]).to.equal("HTTP/1.1 200 OK");
      // One request per handed-over connection: the worker closes it after answering.
      expect(answer.toLowerCase()).to.include("connection: close");
      const poll = await request(engineUrl(cluster.url, { EIO: "4", transport: "polling", sid }));
      expect(poll.body.split("\x1e")).to.deep.equal(packets);
    } finally {
      socket.destroy();
    }
  });
});
