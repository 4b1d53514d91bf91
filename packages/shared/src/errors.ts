/** @module The protocol's error table, close reasons, and Heartwire's own error class with stable codes. */

/** One row of the Engine.IO handshake/request error table. */
export interface ProtocolErrorInfo {
  /** Engine.IO error code sent in the JSON body. */
  readonly code: 0 | 1 | 2 | 3 | 4 | 5;
  /** Canonical message for the code. */
  readonly message: string;
  /** HTTP status used when the error answers a plain HTTP request (503: the server's capacity limits). */
  readonly status: 400 | 403 | 503;
}

/** The Engine.IO v4 request errors, keyed by name: code, canonical message and HTTP status in one place. */
export const ProtocolError = /* @__PURE__ */ Object.freeze({
  UNKNOWN_TRANSPORT: { code: 0, message: "Transport unknown", status: 400 },
  UNKNOWN_SID: { code: 1, message: "Session ID unknown", status: 400 },
  BAD_HANDSHAKE_METHOD: { code: 2, message: "Bad handshake method", status: 400 },
  BAD_REQUEST: { code: 3, message: "Bad request", status: 400 },
  FORBIDDEN: { code: 4, message: "Forbidden", status: 403 },
  UNSUPPORTED_PROTOCOL_VERSION: { code: 5, message: "Unsupported protocol version", status: 400 },
} as const satisfies Record<string, ProtocolErrorInfo>);

/** Name of a protocol error (`"UNKNOWN_SID"`, …). */
export type ProtocolErrorName = keyof typeof ProtocolError;

/** Looks up a protocol error row by its numeric code. */
export function protocolErrorByCode(code: number): ProtocolErrorInfo | undefined {
  for (const info of Object.values(ProtocolError) as ProtocolErrorInfo[]) if (info.code === code) return info;
  return undefined;
}

/**
 * Why a socket closed. The first five are engine.io's own strings and are what peers and users see;
 * `server shutting down` is used when the server closes every socket on `close()`.
 */
export type CloseReason =
  | "transport close"
  | "transport error"
  | "ping timeout"
  | "parse error"
  | "forced close"
  | "server shutting down";

/** Stable string codes for every error Heartwire throws or emits. */
export type HeartwireErrorCode =
  | "HW_ERR_INVALID_OPTION"
  | "HW_ERR_INVALID_PACKET"
  | "HW_ERR_INVALID_PAYLOAD"
  | "HW_ERR_INVALID_HANDSHAKE"
  | "HW_ERR_PAYLOAD_TOO_LARGE"
  | "HW_ERR_BUFFER_FULL"
  | "HW_ERR_TRANSPORT"
  | "HW_ERR_HTTP_STATUS"
  | "HW_ERR_TIMEOUT"
  | "HW_ERR_NOT_OPEN"
  | "HW_ERR_PROTOCOL"
  | "HW_ERR_CLUSTER";

/** Base class of every Heartwire error: a stable `code`, a message, and the wrapped `cause` if any. */
export class HeartwireError extends Error {
  /** Stable identifier to branch on; messages may change, codes do not. */
  readonly code: HeartwireErrorCode;

  /** Creates an error with a stable code; `cause` keeps the lower-level error it wraps. */
  constructor(code: HeartwireErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HeartwireError";
    this.code = code;
  }
}
