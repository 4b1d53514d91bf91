/** @module URI parsing, defaults and request URLs. */

import { expect } from "chai";
import { Socket } from "@heartwire/client";
import { FakeScheduler } from "@heartwire/shared/testing";
import { FakeIO, settle } from "./helpers/fake-io.js";

async function firstUrl(uri: string | undefined, options: ConstructorParameters<typeof Socket>[1] = {}): Promise<URL> {
  const io = new FakeIO();
  const socket = uri === undefined
    ? new Socket({ io, scheduler: new FakeScheduler(), ...options })
    : new Socket(uri, { io, scheduler: new FakeScheduler(), ...options });
  await settle();
  const url = socket.transport.name === "websocket" ? new URL(io.lastSocket.url) : io.only("GET").url;
  socket.close();
  await settle();
  return url;
}

describe("options and URLs", () => {
  const cases: Array<[string, string, string]> = [
    ["http://example.com", "polling", "http://example.com/engine.io/"],
    ["https://example.com:8443/ignored/path", "polling", "https://example.com:8443/engine.io/"],
    ["ws://example.com:80", "websocket", "ws://example.com/engine.io/"],
    ["wss://example.com", "websocket", "wss://example.com/engine.io/"],
    ["https://example.com", "websocket", "wss://example.com/engine.io/"],
    ["localhost:3000", "polling", "http://localhost:3000/engine.io/"],
    ["http://[::1]:3000", "websocket", "ws://[::1]:3000/engine.io/"],
  ];
  for (const [uri, transport, expected] of cases) {
    it(`${uri} over ${transport} → ${expected}`, async () => {
      const url = await firstUrl(uri, { transports: [transport] });
      expect(url.origin + url.pathname).to.equal(new URL(expected).origin + new URL(expected).pathname);
      expect(url.searchParams.get("transport")).to.equal(transport);
    });
  }

  it("without a URI uses hostname/port/secure options (Node has no page location)", async () => {
    const url = await firstUrl(undefined, { hostname: "h.test", port: 9000, secure: true, transports: ["polling"] });
    expect(url.origin).to.equal("https://h.test:9000");
    const local = await firstUrl(undefined, { transports: ["polling"] });
    expect(local.origin).to.equal("http://localhost");
  });

  it("websocket URLs carry no timestamp unless timestampRequests is true; timestampParam renames it", async () => {
    expect((await firstUrl("http://h", { transports: ["websocket"] })).searchParams.has("t")).to.equal(false);
    const stamped = await firstUrl("http://h", { transports: ["websocket"], timestampRequests: true, timestampParam: "ts" });
    expect(stamped.searchParams.get("ts")).to.be.a("string");
  });

  it("rejects bad URIs and schemes with a message naming the value", () => {
    expect(() => new Socket("ftp://h", { io: new FakeIO() })).to.throw(/ftp/);
    expect(() => new Socket("http://", { io: new FakeIO() })).to.throw(/invalid URI/);
  });

  it("transportOptions: a transport's own path, query and timestamp settings win for that transport only", async () => {
    const transportOptions = {
      websocket: { path: "/ws-proxy", addTrailingSlash: false, query: { lane: "ws" }, timestampRequests: true },
      polling: { timestampParam: "ts" },
    };
    const options = { query: { token: "abc" }, transportOptions };
    const ws = await firstUrl("http://h", { ...options, transports: ["websocket"] });
    expect(ws.pathname).to.equal("/ws-proxy");
    expect([ws.searchParams.get("lane"), ws.searchParams.get("token"), ws.searchParams.has("t")]).to.deep.equal(["ws", null, true]);
    const polling = await firstUrl("http://h", { ...options, transports: ["polling"] });
    expect(polling.pathname).to.equal("/engine.io/");
    expect([polling.searchParams.get("token"), polling.searchParams.has("ts"), polling.searchParams.has("t")]).to.deep.equal(["abc", true, false]);
  });

  it("transportOptions: not an object, or an invalid value inside, throws HW_ERR_INVALID_OPTION naming it", () => {
    const bad = [{ transportOptions: 5 }, { transportOptions: { polling: { requestTimeout: -1 } } }];
    for (const options of bad) {
      expect(() => new Socket("http://h", { io: new FakeIO(), ...(options as object) }))
        .to.throw(/transportOptions|requestTimeout/)
        .with.property("code", "HW_ERR_INVALID_OPTION");
    }
  });

  it("Socket.protocol is 4", () => {
    expect(Socket.protocol).to.equal(4);
  });
});
