/**
 * @module `@heartwire/server/cluster`: sticky routing for Node's `cluster`. The primary owns the
 * listening socket and hands each connection to the worker that owns its session (named in the
 * session id's prefix), or to the least-loaded worker for a handshake; rolling restarts replace
 * workers one at a time without closing the listening socket.
 */

export { setupPrimary, ClusterPrimary } from "./primary.js";
export type { PrimaryEvents, WorkerInfo, WorkerState } from "./primary.js";
export { primaryDefaults } from "./primary-options.js";
export type { PrimaryOptions } from "./primary-options.js";
export { setupWorker } from "./worker.js";
export type { WorkerOptions, ClusterWorker } from "./worker.js";
