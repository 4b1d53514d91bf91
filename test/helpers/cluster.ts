/** @module A Heartwire cluster (this process as primary, echo workers from a fixture) on 127.0.0.1:0. */

import type { AddressInfo } from "node:net";
import { setupPrimary, type ClusterPrimary, type PrimaryOptions } from "@heartwire/server/cluster";
import { fixturePath } from "./child-peer.js";

/** A running cluster; `close()` (or `await using`) drains and stops every worker. */
export interface RunningCluster extends AsyncDisposable {
  readonly primary: ClusterPrimary;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a primary on 127.0.0.1:0 whose workers run `test/fixtures/cluster-worker.mjs` (an echo engine). */
export async function startCluster(options: Omit<PrimaryOptions, "port" | "host" | "path" | "settings"> = {}): Promise<RunningCluster> {
  const primary = setupPrimary({
    workers: 2,
    drainTimeout: 2000,
    restartSignal: false,
    ...options,
    port: 0,
    host: "127.0.0.1",
    settings: { exec: fixturePath("cluster-worker.mjs"), silent: false },
  });
  try {
    await primary.ready;
  } catch (error) {
    await primary.close();
    throw error;
  }
  const { port } = primary.address() as AddressInfo;
  const close = (): Promise<void> => primary.close();
  return { primary, url: `http://127.0.0.1:${port}`, port, close, [Symbol.asyncDispose]: close };
}
