/**
 * @module Hostile handshakes and queries: prototype-named parameters, oversized URLs and headers,
 * header floods, malformed request lines, and the session/handshake capacity limits. Every case
 * checks the exact answer, a bounded answer time, and an undisturbed control session.
 */

import { expect } from "chai";
import { request as httpRequest } from "node:http";
import type { ServerOptions } from "@heartwire/server";
import { engineUrl, request, type RawResponse } from "./helpers/http.js";
import { WsPeer, wsRefusal } from "./helpers/ws.js";
import { ANSWER_WITHIN, arena, heapReturnsToBaseline, httpHead, rawExchange, upgradeRequest, type Arena } from "./hostile/harness.js";

function expectError(res: RawResponse, status: number, code: number, message: string): void {
  expect(res.status).to.equal(status);
  expect(res.headers["content-type"]).to.equal("application/json");
  expect(res.json()).to.deep.equal({ code, message });
}

describe("hostile input: handshake and query", () => {
  heapReturnsToBaseline();
  let a: Arena;
  const withArena = (options: ServerOptions = {}) => {
    beforeEach(async () => {
      a = await arena(options);
    });
    afterEach(async () => a.done());
  };

  describe("parameters", () => {
    withArena();

    it("prototype-named EIO values get code 5", async () => {
      for (const eio of ["__proto__", "constructor", "toString", "prototype"]) {
        expectError(await request(engineUrl(a.srv.url, { EIO: eio, transport: "polling" })), 400, 5, "Unsupported protocol version");
      }
    });

    it("prototype-named transports get code 0, over HTTP and as an upgrade", async () => {
      for (const transport of ["valueOf", "__defineGetter__", "hasOwnProperty"]) {
        expectError(await request(engineUrl(a.srv.url, { EIO: "4", transport })), 400, 0, "Transport unknown");
        const refusal = await wsRefusal(engineUrl(a.srv.wsUrl, { EIO: "4", transport }));
        expect(refusal).to.deep.equal({ status: 400, body: "Transport unknown" });
      }
    });

    it("a prototype-named sid on an upgrade gets a raw 400 'Session ID unknown'", async () => {
      for (const sid of ["__proto__", "constructor"]) {
        const refusal = await wsRefusal(engineUrl(a.srv.wsUrl, { EIO: "4", transport: "websocket", sid }));
        expect(refusal).to.deep.equal({ status: 400, body: "Session ID unknown" });
      }
      expect(a.srv.server.clientsCount).to.equal(1);
    });

    it("broken percent-encoding and stray separators are read leniently: code 0", async () => {
      const res = await request(`${a.srv.url}/engine.io/?EIO=4&transport=%E0%A4%A&&&=&%`);
      expectError(res, 400, 0, "Transport unknown");
    });

    it("an empty sid is a handshake (a new session), as in engine.io", async () => {
      const res = await request(engineUrl(a.srv.url, { EIO: "4", transport: "polling", sid: "" }));
      expect(res.status).to.equal(200);
      expect(res.body.startsWith('0{"sid":')).to.equal(true);
    });

    it("a HEAD or DELETE handshake gets code 2", async () => {
      const head = await request(engineUrl(a.srv.url, { EIO: "4", transport: "polling" }), { method: "HEAD" });
      expect(head.status).to.equal(400);
      expectError(await request(engineUrl(a.srv.url, { EIO: "4", transport: "polling" }), { method: "DELETE" }), 400, 2, "Bad handshake method");
    });

    it("an Upgrade header without Connection: Upgrade is a plain request: code 3", async () => {
      const res = await request(engineUrl(a.srv.url, { EIO: "4", transport: "websocket" }), { headers: { Upgrade: "websocket" } });
      expectError(res, 400, 3, "Bad request");
    });
  });

  describe("sizes and malformed requests (answered by the HTTP layer, connection closed)", () => {
    withArena();

    it("a 64 KB URL gets 431 and the connection is closed", async () => {
      const res = await rawExchange(a.srv.port, [httpHead("GET", `/engine.io/?EIO=4&transport=polling&x=${"a".repeat(65536)}`)]);
      expect(res.status).to.equal(431);
      expect(res.closed).to.equal(true);
    });

    it("a 20 KB header gets 431", async () => {
      const res = await rawExchange(a.srv.port, [httpHead("GET", "/engine.io/?EIO=4&transport=polling", [["X-Big", "b".repeat(20_000)]])]);
      expect(res.status).to.equal(431);
      expect(res.closed).to.equal(true);
    });

    it("5,000 headers get 431; 1,000 small headers are served", async () => {
      const many = Array.from({ length: 5000 }, (_, i) => [`h${i}`, "v"] as const);
      const refused = await rawExchange(a.srv.port, [httpHead("GET", "/engine.io/?EIO=4&transport=polling", many)]);
      expect(refused.status).to.equal(431);
      const some = Array.from({ length: 1000 }, (_, i) => [`h${i}`, "v"] as const);
      const served = await rawExchange(a.srv.port, [httpHead("GET", "/engine.io/?EIO=4&transport=polling", [...some, ["Connection", "close"]])]);
      expect(served.status).to.equal(200);
      expect(served.text).to.include('0{"sid":');
    });

    it("control characters in the request line get 400", async () => {
      const res = await rawExchange(a.srv.port, ["GET /engine.io/?EIO=4&transport=polling&x=\x01 HTTP/1.1\r\nHost: x\r\n\r\n"]);
      expect(res.status).to.equal(400);
      expect(res.closed).to.equal(true);
    });

    it("a control character in the Origin header gets 400", async () => {
      const res = await rawExchange(a.srv.port, ["GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nOrigin: a\x01b\r\n\r\n"]);
      expect(res.status).to.equal(400);
    });

    it("garbage instead of HTTP gets 400 and a closed connection", async () => {
      const res = await rawExchange(a.srv.port, [Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00, 0x00, 0x00, 0x0d, 0x0a, 0x0d, 0x0a])]);
      expect(res.status).to.equal(400);
      expect(res.closed).to.equal(true);
    });

    it("a huge URL on an upgrade gets 431", async () => {
      const res = await rawExchange(a.srv.port, [upgradeRequest(`EIO=4&transport=websocket&x=${"u".repeat(65536)}`)]);
      expect(res.status).to.equal(431);
      expect(res.closed).to.equal(true);
    });
  });

  describe("capacity limits", () => {
    it("maxSessions: handshakes beyond it get 503 code 3 (polling and websocket) until a session closes", async () => {
      a = await arena({ maxSessions: 3 });
      try {
        const first = await request(engineUrl(a.srv.url, { EIO: "4", transport: "polling" }));
        expect(first.status).to.equal(200);
        const peer = await WsPeer.open(engineUrl(a.srv.wsUrl, { EIO: "4", transport: "websocket" }));
        expect(a.srv.server.clientsCount).to.equal(3);
        const started = Date.now();
        const refused = await request(engineUrl(a.srv.url, { EIO: "4", transport: "polling" }));
        expectError(refused, 503, 3, "Server at capacity");
        const raw = await rawExchange(a.srv.port, [upgradeRequest("EIO=4&transport=websocket")]);
        expect(raw.text.startsWith("HTTP/1.1 503 Service Unavailable\r\n")).to.equal(true);
        expect(raw.text.endsWith("\r\n\r\nServer at capacity")).to.equal(true);
        expect(raw.closed).to.equal(true);
        expect(Date.now() - started).to.be.below(ANSWER_WITHIN);
        await peer[Symbol.asyncDispose]();
        const deadline = Date.now() + ANSWER_WITHIN;
        while (a.srv.server.clientsCount > 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        expect((await request(engineUrl(a.srv.url, { EIO: "4", transport: "polling" }))).status).to.equal(200);
      } finally {
        await a.done();
      }
    });

    it("maxPendingHandshakes: concurrent handshakes stuck in allowRequest beyond it get 503", async () => {
      const held: (() => void)[] = [];
      let holding = false;
      a = await arena({
        maxPendingHandshakes: 2,
        allowRequest: (_req, callback) => {
          if (holding) held.push(() => callback(null, true));
          else callback(null, true);
        },
      });
      try {
        holding = true;
        const slow = [0, 1].map(() => request(engineUrl(a.srv.url, { EIO: "4", transport: "polling" })));
        const deadline = Date.now() + ANSWER_WITHIN;
        while (held.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        expect(held).to.have.length(2);
        expectError(await request(engineUrl(a.srv.url, { EIO: "4", transport: "polling" })), 503, 3, "Server at capacity");
        for (const release of held) release();
        for (const res of await Promise.all(slow)) expect(res.status).to.equal(200);
        holding = false;
        expect((await request(engineUrl(a.srv.url, { EIO: "4", transport: "polling" }))).status).to.equal(200);
      } finally {
        for (const release of held) release();
        await a.done();
      }
    });

    it("a flood of 300 concurrent handshakes is answered, and the sessions are reclaimed", async () => {
      a = await arena({ pingInterval: 100, pingTimeout: 100 });
      try {
        const statuses = await Promise.all(
          Array.from({ length: 300 }, () =>
            new Promise<number>((resolve, reject) => {
              const req = httpRequest(engineUrl(a.srv.url, { EIO: "4", transport: "polling" }), { agent: false }, (res) => {
                res.resume();
                res.on("end", () => resolve(res.statusCode ?? 0));
              });
              req.on("error", reject);
              req.end();
            }),
          ),
        );
        expect(statuses.every((s) => s === 200)).to.equal(true);
        // Nobody polls: every flood session dies by ping timeout, the control session stays.
        const deadline = Date.now() + ANSWER_WITHIN;
        while (a.srv.server.clientsCount > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        expect(a.srv.server.clientsCount).to.equal(1);
      } finally {
        await a.done();
      }
    });
  });
});
