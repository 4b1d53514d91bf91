/** @module `@heartwire/client` interop: the same behaviour suite against the official engine.io server and ours. */

import { startOfficialServer, startServer } from "./helpers/servers.js";
import { clientContract, type ContractServer, type PeerSocket, type StartContractServer } from "./helpers/client-contract.js";

interface ConnectionSource {
  on(event: "connection", listener: (socket: PeerSocket) => void): unknown;
  off(event: "connection", listener: (socket: PeerSocket) => void): unknown;
}

function asContract(running: { url: string; server: unknown; close(): Promise<void> }): ContractServer {
  const source = running.server as ConnectionSource;
  return {
    url: running.url,
    nextConnection: (timeoutMs = 5000) =>
      new Promise<PeerSocket>((resolve, reject) => {
        const timer = setTimeout(() => {
          source.off("connection", onConnection);
          reject(new Error(`no connection within ${timeoutMs} ms`));
        }, timeoutMs);
        const onConnection = (socket: PeerSocket): void => {
          clearTimeout(timer);
          source.off("connection", onConnection);
          resolve(socket);
        };
        source.on("connection", onConnection);
      }),
    close: () => running.close(),
    [Symbol.asyncDispose]: () => running.close(),
  };
}

const official: StartContractServer = async (options) => asContract(await startOfficialServer(options));
const ours: StartContractServer = async (options) => asContract(await startServer(options));

clientContract("the official engine.io server", official);
clientContract("the Heartwire server", ours);
