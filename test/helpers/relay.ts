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

/** Options of {@link startRelay}. */
export interface RelayOptions {
  /** One-way delay added to every chunk in each direction, ms (so the round trip grows by twice it). @default 0 */
  readonly delayMs?: number;
}

/** Starts a relay on 127.0.0.1:0 that forwards to `targetPort` on 127.0.0.1. */
export async function startRelay(targetPort: number, targetHost = "127.0.0.1", options: RelayOptions = {}): Promise<Relay> {
  const delayMs = options.delayMs ?? 0;
  const timers = new Set<NodeJS.Timeout>();
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
        if (blackholed || to.destroyed) return;
        if (delayMs === 0) {
          to.write(chunk);
          return;
        }
        // Timers of equal delay fire in creation order, so chunks keep their order.
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!blackholed && !to.destroyed) to.write(chunk);
        }, delayMs);
        timers.add(timer);
      });
      from.on("close", () => {
        sockets.delete(from);
        pairs.delete(pair);
        // A peer that really closed is passed on (after the data in flight), unless the network is "down".
        if (blackholed) return;
        if (delayMs === 0) to.end();
        else {
          const timer = setTimeout(() => {
            timers.delete(timer);
            to.end();
          }, delayMs);
          timers.add(timer);
        }
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
    for (const t of timers) clearTimeout(t);
    timers.clear();
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
