/** @module The messages a cluster primary and its workers exchange over the IPC channel. */

/** Every message carries this key, so the user's own IPC messages are left alone. */
export const TAG = "heartwire:cluster";

/** Primary → worker. */
export type ToWorker =
  /** A connection (sent as the message's handle) and the bytes the primary read from it. */
  | { readonly [TAG]: "connection"; readonly head: string; readonly handshake: boolean }
  /** Stop taking sessions and close every session gracefully within `timeout` ms; then report `drained`. */
  | { readonly [TAG]: "drain"; readonly timeout: number };

/** Worker → primary. */
export type ToPrimary =
  /** `setupWorker` ran: the worker takes connections. */
  | { readonly [TAG]: "ready" }
  /** Open sessions, and how many handed-over handshakes have ended (opened a session or not). */
  | { readonly [TAG]: "load"; readonly sessions: number; readonly handshakesDone: number }
  /** The drain is over, no session left: the primary sends nothing more and disconnects the worker. */
  | { readonly [TAG]: "drained" };

/** The kind of a Heartwire cluster message, or undefined for anything else. */
export function kindOf(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const kind = (message as Record<string, unknown>)[TAG];
  return typeof kind === "string" ? kind : undefined;
}
