/** @module The official engine.io-client against our server: every transport set, every kind of message. */

import { expect } from "chai";
import { Socket as ClientSocket } from "engine.io-client";
import type { Socket } from "@heartwire/server";
import { collect, once as onceAny, waitUntil, type Listenable } from "./helpers/events.js";
import { startServer, type RunningServer } from "./helpers/servers.js";
import type { Server } from "@heartwire/server";

/** `once` for any emitter (engine.io-client's typed emitter included). */
const once = <T extends unknown[] = unknown[]>(emitter: unknown, event: string, timeoutMs = 5000): Promise<T> =>
  onceAny<T>(emitter as Listenable, event, { timeoutMs });

const TRANSPORT_SETS: readonly (readonly string[])[] = [["websocket"], ["polling"], ["polling", "websocket"]];

async function connect(srv: RunningServer<Server>, transports: readonly string[]): Promise<{ client: ClientSocket; socket: Socket }> {
  const serverSide = once<[Socket]>(srv.server, "connection");
  const client = new ClientSocket(srv.url, { transports: [...transports] });
  client.on("error", () => {});
  await once(client, "open");
  const [socket] = await serverSide;
  if (transports.length > 1) {
    if (!socket.upgraded) await once(socket, "upgrade");
    await waitUntil(() => client.transport.name === "websocket", 5000, "client upgrade");
  }
  return { client, socket };
}

describe("server interop with the official engine.io-client", () => {
  let srv: RunningServer<Server>;
  const clients: ClientSocket[] = [];
  beforeEach(async () => {
    srv = await startServer({ echo: true });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await srv.close();
  });

  for (const transports of TRANSPORT_SETS) {
    describe(`transports ${JSON.stringify(transports)}`, () => {
      it("opens on the expected transport and reports it on both sides", async () => {
        const { client, socket } = await connect(srv, transports);
        clients.push(client);
        const expected = transports[transports.length - 1];
        expect(client.transport.name).to.equal(expected);
        expect(socket.transport.name).to.equal(expected);
        expect(socket.upgraded).to.equal(transports.length > 1);
        expect(srv.server.clientsCount).to.equal(1);
        expect(srv.server.clients[socket.id]).to.equal(socket);
      });

      it("echoes text, binary (Buffer and ArrayBuffer) and astral Unicode", async () => {
        const { client } = await connect(srv, transports);
        clients.push(client);
        const received = collect<unknown>(client as unknown as Listenable, "message", 4);
        client.send("hello");
        client.send(Buffer.from([1, 2, 3, 255]));
        client.send(new Uint8Array([9, 8, 7]).buffer);
        client.send("𝄞 héllo 😀 中文");
        const [text, bin1, bin2, unicode] = await received;
        expect(text).to.equal("hello");
        expect(Buffer.from(bin1 as Uint8Array)).to.deep.equal(Buffer.from([1, 2, 3, 255]));
        expect(Buffer.from(bin2 as Uint8Array)).to.deep.equal(Buffer.from([9, 8, 7]));
        expect(unicode).to.equal("𝄞 héllo 😀 中文");
      });

      it("delivers binary to the server as a Buffer", async () => {
        const { client, socket } = await connect(srv, transports);
        clients.push(client);
        const got = once<[unknown]>(socket, "message");
        client.send(new Uint8Array([0, 1, 2]));
        const [data] = await got;
        expect(Buffer.isBuffer(data)).to.equal(true);
        expect([...(data as Buffer)]).to.deep.equal([0, 1, 2]);
      });

      it("keeps the order of 300 messages each way, nothing lost or duplicated", async () => {
        const { client } = await connect(srv, transports);
        clients.push(client);
        const received = collect<string>(client as unknown as Listenable, "message", 300, 10_000);
        for (let i = 0; i < 300; i++) client.send(`m${i}`);
        const got = await received;
        expect(got).to.deep.equal(Array.from({ length: 300 }, (_, i) => `m${i}`));
      });

      it("closes with 'transport close' on the server when the client closes", async () => {
        const { client, socket } = await connect(srv, transports);
        const closed = once<[string]>(socket, "close");
        client.close();
        const [reason] = await closed;
        expect(reason).to.equal("transport close");
        expect(srv.server.clientsCount).to.equal(0);
      });

      it("server socket.close() reaches the client, which closes", async () => {
        const { client, socket } = await connect(srv, transports);
        const clientClosed = once<[string]>(client, "close");
        const serverClosed = once<[string]>(socket, "close");
        socket.send("bye");
        socket.close();
        const [reason] = await serverClosed;
        expect(reason).to.equal("forced close");
        await clientClosed;
      });
    });
  }

  it("loses and duplicates nothing in either direction while upgrading", async () => {
    const serverSide = once<[Socket]>(srv.server, "connection");
    const client = new ClientSocket(srv.url, { transports: ["polling", "websocket"] });
    clients.push(client);
    client.on("error", () => {});
    const fromServer: string[] = [];
    client.on("message", (m) => {
      if (typeof m === "string" && m.startsWith("s")) fromServer.push(m);
    });
    const [socket] = await serverSide;
    const fromClient: string[] = [];
    socket.removeAllListeners("message");
    socket.on("message", (m) => fromClient.push(String(m)));
    await once(client, "open");
    const upgraded = once(client, "upgrade");
    // Interleave sends with the upgrade: a burst before, during and after the probe.
    let i = 0;
    let j = 0;
    const pump = setInterval(() => {
      for (let k = 0; k < 20 && i < 400; k++) client.send(`c${i++}`);
      for (let k = 0; k < 20 && j < 400; k++) socket.send(`s${j++}`);
    }, 2);
    await upgraded;
    await waitUntil(() => i >= 400 && j >= 400, 5000, "all sent");
    clearInterval(pump);
    await waitUntil(() => fromClient.length >= 400 && fromServer.length >= 400, 5000, "all received");
    expect(fromClient).to.deep.equal(Array.from({ length: 400 }, (_, k) => `c${k}`));
    expect(fromServer).to.deep.equal(Array.from({ length: 400 }, (_, k) => `s${k}`));
    expect(socket.transport.name).to.equal("websocket");
  });
});
