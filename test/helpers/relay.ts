/**
 * @module A TCP relay on loopback that can turn into a black hole: it keeps every connection open
 * but stops forwarding in both directions, the way a dead network path looks to both ends.
 */

import net from "node:net";

/** A running relay; dispose it (or call `close`) to tear everything down. */
export interface Relay extends AsyncDisposable {
  /** Port the relay listens on (127.0.0.1). */
  readonly port: number;
  /** Stops forwarding in both directions without closing anything. */
  blackhole(): void;
  /** Forwards again (bytes dropped meanwhile stay lost, as on a real network that dropped them). */
  restore(): void;
  /** Connections currently open through the relay. */
  readonly connectionCount: number;
  /** Closes every relayed connection cleanly (FIN), keeping the listener. */
  endAll(): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

/** Starts a relay on 127.0.0.1:0 that forwards to `targetPort` on 127.0.0.1. */
export async function startRelay(targetPort: number, targetHost = "127.0.0.1"): Promise<Relay> {
  let blackholed = false;
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();

  const server = net.createServer((inbound) => {
    const outbound = net.connect(targetPort, targetHost);
    const pair: [net.Socket, net.Socket] = [inbound, outbound];
    pairs.add(pair);
    for (const s of pair) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on("error", () => {});
    }
    const forward = (from: net.Socket, to: net.Socket): void => {
      from.on("data", (chunk: Buffer) => {
        if (!blackholed && !to.destroyed) to.write(chunk);
      });
      from.on("close", () => {
        sockets.delete(from);
        pairs.delete(pair);
        // A peer that really closed is passed on, unless the network is "down".
        if (!blackholed) to.end();
      });
    };
    forward(inbound, outbound);
    forward(outbound, inbound);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    port,
    blackhole: () => {
      blackholed = true;
    },
    restore: () => {
      blackholed = false;
    },
    get connectionCount() {
      return pairs.size;
    },
    endAll: () => {
      for (const [a, b] of pairs) {
        a.end();
        b.end();
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
