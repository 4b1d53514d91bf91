/**
 * @module socket.io 4.8 on Heartwire (issue 12 §3): a socket.io server bound to our engine with
 * `io.bind(engine)`, and socket.io-client — the official one, and one whose `engine.io-client` is
 * aliased to `@heartwire/client` (test/helpers/socketio-alias.ts) — on every transport set, with
 * acknowledgements, rooms and reconnection after a server restart. The README's
 * "socket.io on Heartwire" section shows the same setup.
 */

import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { Server as SocketIOServer } from "socket.io";
import * as officialClient from "socket.io-client";
import type { Socket as ClientSocket } from "socket.io-client";
import { attach, Socket as EngineSocket, type Server as Engine } from "@heartwire/server";
import { Socket as HeartwireClientSocket } from "@heartwire/client";
import { once as onceOn, type Listenable, type WaitOptions } from "./helpers/events.js";
import { requireSocketIoClient } from "./helpers/socketio-alias.js";

/** {@link onceOn} for socket.io's typed emitters, whose `on`/`off` take only their own event names. */
const once = (emitter: object, event: string, options?: WaitOptions): Promise<any[]> => onceOn(emitter as Listenable, event, options);

/** A socket.io server on our engine, listening on 127.0.0.1. */
interface SocketIOOnHeartwire {
  readonly io: SocketIOServer;
  readonly engine: Engine;
  readonly httpServer: HttpServer;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts socket.io on a Heartwire engine at `port` (0: any free port). */
async function startSocketIO(port = 0): Promise<SocketIOOnHeartwire> {
  const httpServer = createServer();
  const engine = attach(httpServer, { path: "/socket.io/", pingInterval: 2000, pingTimeout: 2000 });
  const io = new SocketIOServer();
  io.bind(engine);
  io.on("connection", (socket) => {
    socket.on("echo", (value: unknown, ack: (v: unknown) => void) => ack(value));
    socket.on("join", (room: string, ack: () => void) => {
      void socket.join(room);
      ack();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, "127.0.0.1", () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    io,
    engine,
    httpServer,
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        void io.close();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      })),
  };
}

const TRANSPORT_SETS: readonly (readonly ("polling" | "websocket")[])[] = [["polling"], ["websocket"], ["polling", "websocket"]];

type SocketIOClient = typeof officialClient;
/** [name, loader, whether its engine is our client] */
const CLIENTS: ReadonlyArray<[string, () => Promise<SocketIOClient>, boolean]> = [
  ["the official socket.io-client", () => Promise.resolve(officialClient), false],
  // The helper's own types cover only what its tests use; the package is socket.io-client itself.
  ["socket.io-client on @heartwire/client (engine.io-client aliased)", async () => requireSocketIoClient() as unknown as SocketIOClient, true],
];

for (const [clientName, loadClient, onHeartwireClient] of CLIENTS) {
  describe(`socket.io 4.8 on Heartwire (io.bind(engine)) with ${clientName}`, () => {
    let server: SocketIOOnHeartwire;
    let sio: SocketIOClient;
    const clients: ClientSocket[] = [];

    const client = (options: Parameters<SocketIOClient["io"]>[1] = {}): ClientSocket => {
      const socket = sio.io(server.url, { forceNew: true, reconnection: false, ...options });
      clients.push(socket);
      return socket;
    };

    before(async () => {
      sio = await loadClient();
    });

    beforeEach(async () => {
      server = await startSocketIO();
    });

    afterEach(async () => {
      for (const socket of clients.splice(0)) socket.disconnect();
      await server.close();
    });

    for (const transports of TRANSPORT_SETS) {
      it(`connects and acknowledges emits over ${transports.join(" + ")}`, async () => {
        const socket = client({ transports: [...transports] });
        await once(socket, "connect");
        if (transports.length === 2) {
          // The client starts on polling and upgrades; wait for the upgrade to finish.
          if (socket.io.engine.transport.name !== "websocket") await once(socket.io.engine, "upgrade");
        }
        expect(socket.io.engine.transport.name).to.equal(transports[transports.length - 1]);
      expect(socket.io.engine instanceof HeartwireClientSocket, "the client's engine is @heartwire/client").to.equal(onHeartwireClient);

        // Client → server with acknowledgement, text and binary.
        expect(await socket.timeout(5000).emitWithAck("echo", { n: 1, s: "héllo" })).to.deep.equal({ n: 1, s: "héllo" });
        const bytes = await socket.timeout(5000).emitWithAck("echo", Buffer.from([1, 2, 3]));
        expect([...new Uint8Array(bytes as ArrayBuffer)]).to.deep.equal([1, 2, 3]);

        // Server → client with acknowledgement.
        const [serverSide] = [...server.io.sockets.sockets.values()];
        expect(serverSide!.conn, "socket.io's connection is a Heartwire socket").to.be.instanceOf(EngineSocket);
        expect(serverSide!.conn.transport.name).to.equal(transports[transports.length - 1]);
        socket.on("ask", (question: number, ack: (answer: number) => void) => ack(question * 2));
        expect(await serverSide!.timeout(5000).emitWithAck("ask", 21)).to.equal(42);
      });
    }

    it("broadcasts to a room only to the sockets in it", async () => {
      const [a, b, c] = [client(), client({ transports: ["websocket"] }), client({ transports: ["polling"] })];
      await Promise.all([a, b, c].map((s) => once(s, "connect")));
      await Promise.all([a, b].map((s) => s.timeout(5000).emitWithAck("join", "room-1")));

      const received = new Map<ClientSocket, unknown[]>([a, b, c].map((s) => [s, []]));
      for (const s of [a, b, c]) s.on("news", (value: unknown) => received.get(s)!.push(value));
      const everyoneDone = Promise.all([a, b, c].map((s) => once(s, "done")));
      server.io.to("room-1").emit("news", "for room-1");
      // Per-connection order: whoever gets "done" has already got any "news" sent before it.
      server.io.emit("done");
      await everyoneDone;

      expect(received.get(a)).to.deep.equal(["for room-1"]);
      expect(received.get(b)).to.deep.equal(["for room-1"]);
      expect(received.get(c)).to.deep.equal([]);
    });

    it("reconnects after the server restarts on the same port", async () => {
      const socket = client({ reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 200 });
      await once(socket, "connect");
      const firstId = socket.id;
      const port = Number(new URL(server.url).port);

      const disconnected = once(socket, "disconnect");
      await server.close();
      await disconnected;

      const reconnected = once(socket.io, "reconnect", { timeoutMs: 10_000 });
      const connectedAgain = once(socket, "connect", { timeoutMs: 10_000 });
      server = await startSocketIO(port);
      await reconnected;
      await connectedAgain;
      expect(socket.id).to.not.equal(firstId);
      expect(await socket.timeout(5000).emitWithAck("echo", "again")).to.equal("again");
    });
  });
}
