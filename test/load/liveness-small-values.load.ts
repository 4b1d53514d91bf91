/**
 * @module Load test (`npm run test:load`; needs an otherwise idle machine): moderately small
 * heartbeat values (pingInterval 50 ms / pingTimeout 50 ms) do not make a well-behaved client time
 * out on either side, over each transport, with our client and engine.io-client. With so little
 * slack, a busy machine can delay a pong past 50 ms: that is why this is not in `npm test`, where
 * tiny values are only checked to still time out a silent peer (test/server-heartbeat.test.ts).
 */

import { expect } from "chai";
import { Socket as OurClient } from "@heartwire/client";
import { Socket as OfficialClient } from "engine.io-client";
import type { Socket as ServerSocket } from "@heartwire/server";
import { startServer } from "../helpers/servers.js";
import { collect, once } from "../helpers/events.js";

const PINGS = 40;

describe("liveness (load): pingInterval 50 / pingTimeout 50 keeps well-behaved clients", function () {
  this.timeout(30_000);

  for (const [name, Client] of [["our client", OurClient], ["engine.io-client", OfficialClient]] as const) {
    for (const transport of ["websocket", "polling"] as const) {
      it(`${name} over ${transport}: ${PINGS} pings answered, nothing closes`, async () => {
        await using srv = await startServer({ pingInterval: 50, pingTimeout: 50 });
        const connection = once<[ServerSocket]>(srv.server, "connection");
        // Both clients' event methods, seen through the one shape this test uses.
        const client = new Client(srv.url, { transports: [transport] }) as unknown as { on(event: string, fn: (...args: never[]) => void): unknown; close(): void };
        client.on("error", () => {});
        const closes: string[] = [];
        client.on("close", (reason: string) => closes.push(`client: ${reason}`));
        try {
          const [socket] = await connection;
          socket.on("close", (reason) => closes.push(`server: ${reason}`));
          await collect(socket, "heartbeat", PINGS, 20_000).catch((error: Error) => Promise.reject(new Error(`${error.message}; closes: ${closes.join(", ")}`)));
          expect(closes).to.deep.equal([]);
          expect(socket.readyState).to.equal("open");
        } finally {
          client.close();
        }
      });
    }
  }
});
