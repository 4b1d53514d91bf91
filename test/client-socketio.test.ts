/**
 * socket.io-client 4.8.3 running on `@heartwire/client` (engine.io-client aliased to it) against an
 * official socket.io 4.8.3 server: what socket.io-client needs from its engine — `parse`, the timer
 * helpers, `nextTick`, one `data` event per message, `_hasPingExpired()` — exercised through real
 * sockets on 127.0.0.1.
 */

import { expect } from "chai";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server as SocketIoServer } from "socket.io";
import { Socket as HeartwireSocket } from "@heartwire/client";
import { once } from "./helpers/events.js";
import { requireSocketIoClient, type SocketIoClientSocket } from "./helpers/socketio-alias.js";

const { io } = requireSocketIoClient();

describe("socket.io-client on @heartwire/client (official socket.io server)", function () {
  let http: HttpServer;
  let server: SocketIoServer;
  let url: string;
  const clients: SocketIoClientSocket[] = [];

  const connect = async (options: Record<string, unknown> = {}): Promise<SocketIoClientSocket> => {
    const client = io(url, { forceNew: true, reconnection: false, ...options });
    clients.push(client);
    await once(client, "connect", { timeoutMs: 10_000 });
    return client;
  };

  beforeEach(async () => {
    http = createServer();
    server = new SocketIoServer(http, { pingInterval: 2000, pingTimeout: 5000 });
    server.on("connection", (socket) => {
      socket.on("echo", (value: unknown, ack: (value: unknown) => void) => ack(value));
      socket.on("join", (room: string, ack: () => void) => {
        void socket.join(room);
        ack();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  for (const transports of [["polling", "websocket"], ["websocket"], ["polling"]]) {
    it(`connects and gets acknowledgements over ${transports.join(" + ")}`, async () => {
      const client = await connect({ transports });
      expect(client.io.engine, "the engine is our Socket").to.be.an.instanceOf(HeartwireSocket);
      expect(await client.timeout(5000).emitWithAck("echo", { text: "héllo", n: 1 })).to.deep.equal({ text: "héllo", n: 1 });
      if (transports.length === 2 && client.io.engine.transport.name !== "websocket") {
        await once(client.io.engine, "upgrade", { timeoutMs: 10_000 });
      }
      expect(client.io.engine.transport.name).to.equal(transports.at(-1));
      // After the upgrade, acknowledgements still flow.
      expect(await client.timeout(5000).emitWithAck("echo", [1, 2, 3])).to.deep.equal([1, 2, 3]);
    });
  }

  it("delivers binary attachments (one engine `data` event per part)", async () => {
    const client = await connect({ transports: ["polling"] });
    const reply = (await client.timeout(5000).emitWithAck("echo", { bytes: Buffer.from([1, 2, 3, 250]) })) as { bytes: Buffer };
    expect([...new Uint8Array(reply.bytes)]).to.deep.equal([1, 2, 3, 250]);
  });

  it("receives a room broadcast and leaves on disconnect", async () => {
    const [a, b, c] = await Promise.all([connect(), connect({ transports: ["websocket"] }), connect({ transports: ["polling"] })]);
    await Promise.all([a!, b!].map((client) => client.timeout(5000).emitWithAck("join", "room-1")));
    const got = [a!, b!].map((client) => once<[string]>(client, "news", { timeoutMs: 5000 }));
    const toC: string[] = [];
    c!.on("news", (text: string) => toC.push(text));
    server.to("room-1").emit("news", "for the room");
    expect((await Promise.all(got)).map(([text]) => text)).to.deep.equal(["for the room", "for the room"]);
    // c is not in the room: a message sent to c after the broadcast arrives, the broadcast never did.
    const direct = once<[string]>(c!, "news", { timeoutMs: 5000 });
    server.to(c!.id!).emit("news", "for c");
    await direct;
    expect(toC).to.deep.equal(["for c"]);
    const [reason] = await Promise.all([once<[string]>(a!, "disconnect", { timeoutMs: 5000 }), Promise.resolve(server.in(a!.id!).disconnectSockets())]);
    expect(reason[0]).to.equal("io server disconnect");
  });

  it("reconnects after the server went away and came back on the same port", async () => {
    const client = await connect({ reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });
    const firstId = client.id;
    const port = (http.address() as AddressInfo).port;
    const disconnected = once<[string]>(client, "disconnect", { timeoutMs: 10_000 });
    // The server goes away without a socket.io goodbye: the client sees its transport close.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect((await disconnected)[0]).to.equal("transport close");
    http = createServer();
    server = new SocketIoServer(http);
    server.on("connection", (socket) => socket.on("echo", (value: unknown, ack: (value: unknown) => void) => ack(value)));
    await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
    await once(client, "connect", { timeoutMs: 10_000 });
    expect(client.id).to.not.equal(firstId);
    expect(await client.timeout(5000).emitWithAck("echo", "back")).to.equal("back");
  });
});
