/** @module The pure request check: transport, Origin, sid and method, in engine.io's order (PROTOCOL.md §1.8). */

import { ProtocolError, type ProtocolErrorInfo } from "@heartwire/shared";
import type { TransportName } from "./options.js";
import type { EngineQuery } from "./request-query.js";

/** What the check needs to know about an existing session. */
export interface SessionView {
  readonly transportName: TransportName;
  readonly upgraded: boolean;
  readonly upgrading: boolean;
}

/** The facts of one request. */
export interface RequestFacts {
  readonly method: string | undefined;
  readonly query: EngineQuery;
  readonly origin: string | string[] | undefined;
  /** True for an HTTP Upgrade (WebSocket) request. */
  readonly upgrade: boolean;
}

/** A passed check: a handshake for `transport`, or a request for session `sid`. */
export type Verdict =
  | { readonly ok: true; readonly kind: "handshake"; readonly transport: TransportName }
  | { readonly ok: true; readonly kind: "session"; readonly transport: TransportName; readonly sid: string }
  | { readonly ok: false; readonly error: ProtocolErrorInfo; readonly context: Readonly<Record<string, unknown>> };

// Characters allowed in a header value: TAB, visible ASCII, obs-text (RFC 7230).
const VALID_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function fail(error: ProtocolErrorInfo, context: Record<string, unknown>): Verdict {
  return { ok: false, error, context };
}

/**
 * Checks a request before any session work: transport known and allowed → Origin header valid →
 * sid known, on a matching transport (upgrades aside) and with `EIO=4` → handshakes are GET → a
 * websocket handshake must be an Upgrade. An upgrade the session cannot take (upgrading, upgraded,
 * not on polling) passes here; the server closes it once the WebSocket is open, as engine.io does.
 * `allowRequest` and the EIO version are checked later, at handshake.
 */
export function verifyRequest(
  facts: RequestFacts,
  allowed: readonly TransportName[],
  lookup: (sid: string) => SessionView | undefined,
): Verdict {
  const transport = facts.query.transport;
  if (transport === null || !(allowed as readonly string[]).includes(transport)) {
    return fail(ProtocolError.UNKNOWN_TRANSPORT, { transport });
  }
  const name = transport as TransportName;
  const origin = facts.origin;
  if (origin !== undefined && (typeof origin !== "string" || !VALID_HEADER_VALUE.test(origin))) {
    return fail(ProtocolError.BAD_REQUEST, { name: "INVALID_ORIGIN", origin });
  }
  if (facts.upgrade && name !== "websocket") {
    return fail(ProtocolError.BAD_REQUEST, { name: "TRANSPORT_MISMATCH", transport: name });
  }
  const sid = facts.query.sid;
  if (sid !== null) {
    const session = lookup(sid);
    if (session === undefined) return fail(ProtocolError.UNKNOWN_SID, { sid });
    // An upgrade for a session that cannot take one completes its handshake and is then closed (engine.io's order).
    if (!facts.upgrade && session.transportName !== name) {
      return fail(ProtocolError.BAD_REQUEST, { name: "TRANSPORT_MISMATCH", transport: name, previousTransport: session.transportName });
    }
    // Every session speaks revision 4; a request of the session that claims another is refused (engine.io 6.6.10+).
    if (facts.query.eio !== "4") return fail(ProtocolError.BAD_REQUEST, { name: "PROTOCOL_MISMATCH", protocol: 3, previousProtocol: 4 });
    return { ok: true, kind: "session", transport: name, sid };
  }
  if (facts.method !== "GET") return fail(ProtocolError.BAD_HANDSHAKE_METHOD, { method: facts.method });
  if (name === "websocket" && !facts.upgrade) return fail(ProtocolError.BAD_REQUEST, { name: "TRANSPORT_HANDSHAKE_ERROR" });
  return { ok: true, kind: "handshake", transport: name };
}
