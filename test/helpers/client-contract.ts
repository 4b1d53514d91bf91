/**
 * @module One behaviour suite for `@heartwire/client`, run against any server (the official engine.io
 * and ours) on every transport set: handshake, text/binary/Unicode, order across the upgrade,
 * close reasons, heartbeat.
 */

import { expect } from "chai";
import { Socket, type SocketOptions } from "@heartwire/client";
import { collect, once, waitUntil } from "./events.js";

/** What the suite needs from a server-side socket (engine.io's and ours have this shape). */
export interface PeerSocket {
  readonly id: string;
  readonly transport: { readonly name: string };
  on(event: "message", listener: (data: unknown) => void): unknown;
  on(event: "close", listener: (reason: string) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  send(data: unknown): unknown;
  close(): unknown;
}

/** A running server the suite can connect to. */
export interface ContractServer extends AsyncDisposable {
  readonly url: string;
  /** Next `connection` on the server. */
  nextConnection(timeoutMs?: number): Promise<PeerSocket>;
  close(): Promise<void>;
}

/** Starts a server with these options (`pingInterval`, `pingTimeout`, `maxHttpBufferSize`, `echo`). */
export type StartContractServer = (options: { pingInterval?: number; pingTimeout?: number; maxHttpBufferSize?: number; echo?: boolean }) => Promise<ContractServer>;

const TRANSPORT_SETS: ReadonlyArray<readonly string[]> = [["websocket"], ["polling"], ["polling", "websocket"]];

async function connect(server: ContractServer, transports: readonly string[], extra: SocketOptions = {}) {
  const peerPromise = server.nextConnection();
  const socket = new Socket(server.url, { transports, ...extra });
  const [peer] = await Promise.all([peerPromise, once(socket, "open")]);
  if (transports.length === 2) {
    await once(socket, "upgrade", { timeoutMs: 5000 });
    // The server swaps when our `5` arrives, a moment later. Closing it before that makes engine.io
    // keep a 30 s "orderly close" timer for the old polling transport (a server-side quirk).
    await waitUntil(() => peer.transport.name === "websocket", 5000, "the server-side upgrade");
  }
  return { socket, peer };
}

async function closeQuietly(socket: Socket): Promise<void> {
  if (socket.readyState === "closed") return;
  const closed = once(socket, "close");
  socket.close();
  await closed;
}

/** Registers the suite for one server implementation. */
export function clientContract(label: string, start: StartContractServer): void {
  describe(`@heartwire/client against ${label}`, () => {
    for (const transports of TRANSPORT_SETS) {
      describe(`transports ${JSON.stringify(transports)}`, () => {
        let server: ContractServer;
        const sockets: Socket[] = [];
        beforeEach(async () => {
          server = await start({ echo: true });
        });
        afterEach(async () => {
          await Promise.all(sockets.splice(0).map(closeQuietly));
          await server.close();
        });

        it("opens with the server's sid and the expected transport", async () => {
          const handshake = new Promise<{ sid: string }>((resolve) => {
            const s = new Socket(server.url, { transports });
            sockets.push(s);
            s.on("handshake", resolve);
          });
          const peer = await server.nextConnection();
          const open = await handshake;
          const socket = sockets[0]!;
          if (transports.length === 2) await once(socket, "upgrade");
          expect(socket.id).to.equal(peer.id).and.equal(open.sid);
          expect(socket.transport.name).to.equal(transports.at(-1));
          expect(socket.readyState).to.equal("open");
        });

        it("echoes text, binary (Buffer and ArrayBuffer) and astral Unicode", async () => {
          const { socket } = await connect(server, transports);
          sockets.push(socket);
          const texts = ["hello", "😀 𝄞 ünïcödé ✓", ""];
          const replies = collect<unknown>(socket, "message", 5);
          for (const t of texts) socket.send(t);
          socket.send(Buffer.from([0, 1, 2, 255]));
          socket.send(new Uint8Array([9, 8, 7]).buffer);
          const got = await replies;
          expect(got.slice(0, 3)).to.deep.equal(texts);
          expect(Buffer.isBuffer(got[3])).to.equal(true);
          expect([...(got[3] as Buffer)]).to.deep.equal([0, 1, 2, 255]);
          socket.binaryType = "arraybuffer";
          const ab = once<[ArrayBuffer]>(socket, "message");
          socket.send(new Uint8Array([42]));
          const [value] = await ab;
          expect(value).to.be.instanceOf(ArrayBuffer);
          expect([...new Uint8Array(value)]).to.deep.equal([42]);
        });

        it("keeps 300 messages each way in order, nothing lost or duplicated, across the upgrade", async () => {
          const socket = new Socket(server.url, { transports });
          sockets.push(socket);
          const peer = await server.nextConnection();
          const toClient = collect<string>(socket, "message", 600, 10_000);
          const fromServer: string[] = [];
          peer.on("message", (d) => fromServer.push(String(d)));
          for (let i = 0; i < 300; i++) peer.send(`s${i}`);
          const sentOn: string[] = [];
          await once(socket, "open");
          // Send in small slices across several ticks so the writes straddle the probe and the swap.
          await new Promise<void>((resolve) => {
            let i = 0;
            const step = (): void => {
              for (let k = 0; k < 10 && i < 300; k++, i++) {
                socket.send(`c${i}`);
                sentOn.push(socket.transport.name);
              }
              if (i < 300) setTimeout(step, 1);
              else resolve();
            };
            step();
          });
          const got = await toClient;
          const fromPeer = got.filter((m) => m.startsWith("s"));
          const echoes = got.filter((m) => m.startsWith("c"));
          expect(fromPeer).to.deep.equal(Array.from({ length: 300 }, (_, i) => `s${i}`));
          expect(echoes).to.deep.equal(Array.from({ length: 300 }, (_, i) => `c${i}`));
          expect(fromServer).to.deep.equal(Array.from({ length: 300 }, (_, i) => `c${i}`));
          if (transports.length === 2) {
            expect(socket.transport.name).to.equal("websocket");
            expect(sentOn[0]).to.equal("polling");
          }
        });

        it("a server-side close gives 'transport close'", async () => {
          const { socket, peer } = await connect(server, transports);
          sockets.push(socket);
          const closed = once<[string]>(socket, "close");
          peer.close();
          const [reason] = await closed;
          expect(reason).to.equal("transport close");
        });

        it("close() gives 'forced close' after the buffer drains; the server sees the client leave", async () => {
          const { socket, peer } = await connect(server, transports);
          const got: unknown[] = [];
          peer.on("message", (d) => got.push(d));
          const serverClosed = once<[string]>(peer, "close", { timeoutMs: 5000 });
          const closed = once<[string]>(socket, "close");
          socket.send("last words");
          socket.close();
          expect((await closed)[0]).to.equal("forced close");
          expect((await serverClosed)[0]).to.equal("transport close");
          expect(got).to.deep.equal(["last words"]);
        });

        it("answers pings: the session outlives many short ping intervals, with RTT samples", async () => {
          await server.close();
          server = await start({ echo: true, pingInterval: 100, pingTimeout: 100 });
          const { socket, peer } = await connect(server, transports);
          sockets.push(socket);
          let serverClose: string | undefined;
          peer.on("close", (r) => (serverClose = r));
          const pings = await collect(socket, "ping", 6, 5000);
          expect(pings).to.have.length(6);
          expect(socket.readyState).to.equal("open");
          expect(serverClose).to.equal(undefined);
          expect(socket.pingInterval).to.equal(100);
          expect(socket.rtt).to.be.a("number").and.be.at.least(0).and.below(100);
          expect(socket.smoothedRtt).to.be.a("number");
        });

        it("send callbacks run once written", async () => {
          const { socket } = await connect(server, transports);
          sockets.push(socket);
          const done = await new Promise<boolean>((resolve) => socket.send("cb", () => resolve(true)));
          expect(done).to.equal(true);
        });
      });
    }

    it("polling splits a burst into POSTs within the server's maxPayload (no 413)", async () => {
      await using server = await start({ echo: true, maxHttpBufferSize: 1000 });
      const { socket } = await connect(server, ["polling"]);
      const messages = Array.from({ length: 40 }, (_, i) => `${i}:${"x".repeat(100)}`);
      const echoes = collect<string>(socket, "message", 40, 10_000);
      for (const m of messages) socket.send(m);
      expect(await echoes).to.deep.equal(messages);
      await closeQuietly(socket);
    });

    it("forceBase64 over websocket still round-trips binary", async () => {
      await using server = await start({ echo: true });
      const { socket } = await connect(server, ["websocket"], { forceBase64: true });
      const reply = once<[Buffer]>(socket, "message");
      socket.send(new Uint8Array([1, 2, 3, 4]));
      expect([...(await reply)[0]]).to.deep.equal([1, 2, 3, 4]);
      await closeQuietly(socket);
    });
  });
}
