/**
 * What engine.io-client 6.6 users (and socket.io-client) rely on beyond the basic Socket API: the
 * extra exports (`parse`, `installTimerFunctions`, `nextTick`, `transports` and the transport class
 * names), transport classes in the `transports` option, the "No transports available" error, a
 * global `location` for defaults, `useNativeTimers`, the `data` event, `_hasPingExpired()` and
 * `writeBuffer` — through real sockets on 127.0.0.1 against the official engine.io server.
 */

import { expect } from "chai";
import * as client from "@heartwire/client";
import { Socket, type SocketOptions } from "@heartwire/client";
import { once } from "./helpers/events.js";
import { startOfficialServer } from "./helpers/servers.js";

type Running = Awaited<ReturnType<typeof startOfficialServer>>;

describe("engine.io-client compatibility of @heartwire/client", () => {
  let official: Running;
  const sockets: Socket[] = [];
  const open = (uri: string | SocketOptions, options?: SocketOptions): Socket => {
    const socket = typeof uri === "string" ? new Socket(uri, options) : new Socket(uri);
    sockets.push(socket);
    return socket;
  };

  beforeEach(async () => {
    official = await startOfficialServer({ echo: true });
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    await official[Symbol.asyncDispose]();
  });

  describe("exports", () => {
    it("has engine.io-client's names: protocol, parse, installTimerFunctions, nextTick, transports, Transport, TransportError", () => {
      expect(client.protocol).to.equal(4);
      for (const name of ["parse", "installTimerFunctions", "nextTick", "Transport", "TransportError", "XHR", "NodeXHR", "Fetch", "WebSocket", "NodeWebSocket"]) {
        expect((client as Record<string, unknown>)[name], name).to.be.a("function");
      }
      expect(client.transports.polling.prototype.name).to.equal("polling");
      expect(client.transports.websocket.prototype.name).to.equal("websocket");
      expect(new client.NodeXHR({} as never)).to.be.an.instanceOf(client.Transport);
    });

    it("parse splits URIs as socket.io-client expects, IPv6 with or without brackets", () => {
      const full = client.parse("wss://u:p@[2001:db8::1]:8443/a/b/index.html?x=1&y=&z#frag");
      expect(full).to.include({ protocol: "wss", user: "u", password: "p", host: "2001:db8::1", port: "8443", path: "/a/b/index.html" });
      expect(full).to.include({ directory: "/a/b/", file: "index.html", query: "x=1&y=&z", anchor: "frag", relative: "/a/b/index.html?x=1&y=&z#frag" });
      expect(full.queryKey).to.deep.equal({ x: "1", y: "", z: "" });
      expect(full.pathNames).to.deep.equal(["a", "b", "index.html"]);
      expect(client.parse("localhost:3000")).to.include({ protocol: "", host: "localhost", port: "3000" });
      expect(client.parse("2001:db8:85a3:42:1000:8a2e:370:7334:80")).to.include({ host: "2001:db8:85a3:42:1000:8a2e:370:7334", port: "80" });
      expect(client.parse("2001::7334:a:80")).to.include({ host: "2001::7334:a:80", port: "" });
      expect(client.parse("/foo?bar=@example.com")).to.include({ host: "", path: "/foo", query: "bar=@example.com" });
      expect(() => client.parse("a".repeat(8001))).to.throw("URI too long");
    });

    it("installTimerFunctions gives the current globals, or the load-time ones with useNativeTimers", () => {
      const original = globalThis.setTimeout;
      let intercepted = 0;
      const fake = ((fn: () => void, ms?: number) => {
        intercepted++;
        return original(fn, ms);
      }) as typeof setTimeout;
      globalThis.setTimeout = fake;
      try {
        const plain: Partial<client.TimerFunctions> = {};
        const native: Partial<client.TimerFunctions> = {};
        client.installTimerFunctions(plain, {});
        client.installTimerFunctions(native, { useNativeTimers: true });
        clearTimeout(plain.setTimeoutFn!(() => {}, 1));
        expect(intercepted).to.equal(1);
        clearTimeout(native.setTimeoutFn!(() => {}, 1));
        expect(intercepted).to.equal(1);
      } finally {
        globalThis.setTimeout = original;
      }
    });

    it("nextTick runs the callback after the current job", async () => {
      const order: string[] = [];
      const done = new Promise<void>((resolve) => client.nextTick(() => (order.push("tick"), resolve())));
      order.push("sync");
      await done;
      expect(order).to.deep.equal(["sync", "tick"]);
    });
  });

  describe("transports option", () => {
    for (const [label, transport, expected] of [
      ["NodeXHR", client.NodeXHR, "polling"],
      ["NodeWebSocket", client.NodeWebSocket, "websocket"],
    ] as const) {
      it(`takes a transport class (${label})`, async () => {
        const socket = open(official.url, { transports: [transport] });
        await once(socket, "open");
        expect(socket.transport.name).to.equal(expected);
        expect(socket.transport).to.be.an.instanceOf(transport);
      });
    }

    it("ignores WebTransport (not implemented), as a class or a name", async () => {
      const socket = open(official.url, { transports: [client.WebTransport as never, "webtransport", client.NodeWebSocket] });
      await once(socket, "open");
      expect(socket.transport.name).to.equal("websocket");
    });

    it('emits "No transports available" on a later tick for an empty list, and connects nowhere', async () => {
      let connections = 0;
      official.server.on("connection", () => connections++);
      const socket = open(official.url, { transports: [] });
      const errors: unknown[] = [];
      socket.on("error", (e) => errors.push(e));
      expect(errors).to.deep.equal([]);
      const [error] = await once<[unknown]>(socket, "error");
      expect(error).to.equal("No transports available");
      expect(connections).to.equal(0);
    });
  });

  describe("defaults from a global location (jsdom, happy-dom)", () => {
    const g = globalThis as { location?: unknown };
    afterEach(() => delete g.location);

    it("takes hostname and port from location when no URI is given, the scheme's port when a host is", async () => {
      g.location = { protocol: "http:", hostname: "127.0.0.1", port: String(official.port) };
      const socket = open({ transports: ["websocket"] });
      expect([socket.hostname, socket.port, socket.secure]).to.deep.equal(["127.0.0.1", String(official.port), false]);
      await once(socket, "open");
      const named = new Socket({ host: "[::1]", transports: ["websocket"], autoUnref: true });
      expect([named.hostname, named.port]).to.deep.equal(["::1", "80"]);
      named.close();
      g.location = { protocol: "https:", hostname: "example.test", port: "" };
      const secure = new Socket({ hostname: "example.test", transports: ["websocket"], autoUnref: true });
      expect([secure.secure, secure.port]).to.deep.equal([true, "443"]);
      secure.close();
    });
  });

  describe("socket members socket.io-client uses", () => {
    it("emits data before message, answers _hasPingExpired() and exposes writeBuffer", async () => {
      const socket = open(official.url, { transports: ["polling"], upgrade: false });
      expect(socket._hasPingExpired(), "before the handshake").to.equal(false);
      await once(socket, "open");
      expect(socket._hasPingExpired()).to.equal(false);
      const events: string[] = [];
      socket.on("data", (d) => events.push(`data:${String(d)}`));
      socket.on("message", (d) => events.push(`message:${String(d)}`));
      socket.send("one");
      socket.send("two");
      expect(socket.writeBuffer.map((p) => p.type === "message" && p.data)).to.deep.equal(["one", "two"]);
      await once(socket, "message", { filter: (d) => d === "two" });
      expect(events).to.deep.equal(["data:one", "message:one", "data:two", "message:two"]);
      if (socket.writeBuffer.length > 0) await once(socket, "drain");
      expect(socket.writeBuffer).to.deep.equal([]);
    });

    it("records send()'s compress option on the packet it creates (default true)", async () => {
      const socket = open(official.url, { transports: ["websocket"] });
      await once(socket, "open");
      const created: unknown[] = [];
      socket.on("packetCreate", (packet) => created.push("options" in packet ? packet.options : undefined));
      socket.send("a");
      socket.send("b", { compress: false });
      socket.send("c", () => {});
      expect(created).to.deep.equal([{ compress: true }, { compress: false }, { compress: true }]);
    });

    it("useNativeTimers: a timer library that replaces setTimeout later does not see the socket's timers", async () => {
      const original = globalThis.setTimeout;
      let intercepted = 0;
      globalThis.setTimeout = ((fn: () => void, ms?: number) => {
        intercepted++;
        return original(fn, ms);
      }) as typeof setTimeout;
      try {
        const native = new Socket(official.url, { transports: ["websocket"], useNativeTimers: true, openTimeout: 10_000 });
        sockets.push(native);
        expect(intercepted, "native").to.equal(0);
        const plain = new Socket(official.url, { transports: ["websocket"], openTimeout: 10_000 });
        sockets.push(plain);
        expect(intercepted, "plain").to.equal(1);
      } finally {
        globalThis.setTimeout = original;
      }
    });
  });
});
