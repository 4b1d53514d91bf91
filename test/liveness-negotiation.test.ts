/**
 * @module Heartbeat negotiation in the handshake: a client may propose pingInterval/pingTimeout,
 * the server accepts them only inside its configured ranges, the chosen values travel in the open
 * packet and both sides run on them. Nonsense is ignored, never an error.
 */

import { expect } from "chai";
import { Socket as OurClient } from "@heartwire/client";
import { Socket as OfficialClient } from "engine.io-client";
import type { Socket as ServerSocket } from "@heartwire/server";
import { startOfficialServer, startServer } from "./helpers/servers.js";
import { once, type Listenable } from "./helpers/events.js";

const RANGES = { pingInterval: 25000, pingTimeout: 20000, pingIntervalRange: [100, 60000] as const, pingTimeoutRange: [100, 30000] as const };

/** GETs a polling handshake with extra query text and returns the parsed open packet. */
async function handshake(url: string, extraQuery: string): Promise<{ status: number; open?: Record<string, unknown> }> {
  const res = await fetch(`${url}/engine.io/?EIO=4&transport=polling&${extraQuery}`);
  const body = await res.text();
  return { status: res.status, open: body.startsWith("0") ? (JSON.parse(body.slice(1)) as Record<string, unknown>) : undefined };
}

describe("liveness: heartbeat negotiation", () => {
  for (const transport of ["websocket", "polling"] as const) {
    it(`${transport}: our client's proposal inside the ranges is adopted by both sides`, async () => {
      await using srv = await startServer(RANGES);
      const connection = once<[ServerSocket]>(srv.server, "connection");
      const client = new OurClient(srv.url, { transports: [transport], pingInterval: 300, pingTimeout: 250 });
      try {
        const [[serverSocket]] = await Promise.all([connection, once(client, "open")]);
        expect([client.pingInterval, client.pingTimeout]).to.deep.equal([300, 250]);
        expect([serverSocket.pingInterval, serverSocket.pingTimeout]).to.deep.equal([300, 250]);
        // And the server really pings on the negotiated interval, not its default of 25 s.
        await once(client, "ping", { timeoutMs: 2000 });
      } finally {
        client.close();
      }
    });
  }

  it("proposals outside the ranges are clamped into them", async () => {
    await using srv = await startServer(RANGES);
    const client = new OurClient(srv.url, { transports: ["websocket"], pingInterval: 5, pingTimeout: 99_999_999 });
    try {
      await once(client, "open");
      expect([client.pingInterval, client.pingTimeout]).to.deep.equal([100, 30000]);
    } finally {
      client.close();
    }
  });

  it("without ranges the server keeps its own values, so a client cannot make it ping faster", async () => {
    await using srv = await startServer({ pingInterval: 1000, pingTimeout: 900 });
    const client = new OurClient(srv.url, { transports: ["websocket"], pingInterval: 100, pingTimeout: 100 });
    try {
      await once(client, "open");
      expect([client.pingInterval, client.pingTimeout]).to.deep.equal([1000, 900]);
    } finally {
      client.close();
    }
  });

  const nonsense = ["abc", "-5", "0", "1.5", "1e3", "0x20", "%00", "NaN", "Infinity", "9".repeat(30), "", "__proto__"];
  for (const value of nonsense) {
    it(`a nonsense proposal (${JSON.stringify(value)}) is ignored, not an error`, async () => {
      await using srv = await startServer(RANGES);
      const q = encodeURIComponent(value);
      const { status, open } = await handshake(srv.url, `pingInterval=${q}&pingTimeout=${q}`);
      expect(status).to.equal(200);
      expect(open?.["pingInterval"]).to.equal(25000);
      expect(open?.["pingTimeout"]).to.equal(20000);
    });
  }

  it("a repeated parameter does not crash the server and yields valid values", async () => {
    await using srv = await startServer(RANGES);
    const { status, open } = await handshake(srv.url, "pingInterval=500&pingInterval=700&pingTimeout=300");
    expect(status).to.equal(200);
    expect(open?.["pingInterval"]).to.be.within(100, 60000);
    expect(open?.["pingTimeout"]).to.equal(300);
  });

  it("the official client proposes nothing and gets the server's values", async () => {
    await using srv = await startServer(RANGES);
    const connection = once<[ServerSocket]>(srv.server, "connection");
    const client = new OfficialClient(srv.url, { transports: ["websocket"] });
    try {
      const [serverSocket] = await connection;
      await once(client as unknown as Listenable, "open");
      expect([serverSocket.pingInterval, serverSocket.pingTimeout]).to.deep.equal([25000, 20000]);
    } finally {
      client.close();
    }
  });

  it("against the official server our client adopts what its open packet says", async () => {
    await using srv = await startOfficialServer({ pingInterval: 400, pingTimeout: 350 });
    const client = new OurClient(srv.url, { transports: ["websocket"], pingInterval: 100, pingTimeout: 100 });
    try {
      await once(client, "open");
      expect([client.pingInterval, client.pingTimeout]).to.deep.equal([400, 350]);
    } finally {
      client.close();
    }
  });
});
