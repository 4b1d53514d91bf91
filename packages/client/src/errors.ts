/** @module The client's transport error: engine.io-client's `TransportError` shape on a HeartwireError. */

import { HeartwireError, type HeartwireErrorCode } from "@heartwire/shared";

/** Extra facts about a failed request, when known. */
export interface TransportErrorInit {
  /** HTTP status of a rejected request (polling reply, or a refused WebSocket handshake). */
  readonly status?: number | undefined;
  /** Engine.IO error code from a JSON error body (`{"code":4,"message":"Forbidden"}`). */
  readonly protocolCode?: number | undefined;
  /** The server's error message, when it sent one. */
  readonly serverMessage?: string | undefined;
  /** Lower-level context: the WebSocket event, the fetch error… */
  readonly context?: unknown;
  /** The error this one wraps. */
  readonly cause?: unknown;
  /** engine.io-client's `description`, when it is not the HTTP status (a WebSocket's error event). */
  readonly description?: unknown;
}

/**
 * A transport failure (engine.io-client's `TransportError`: `type`, `description`, `context`), with
 * a stable `code`, and the HTTP status / Engine.IO error code when the server refused a request.
 */
export class TransportError extends HeartwireError {
  /** Always `"TransportError"`, as in engine.io-client. */
  readonly type = "TransportError";
  /** engine.io-client's `description`: the HTTP status of a polling request, the error event of a WebSocket. */
  declare readonly description: unknown;
  /** engine.io-client's `context`. */
  declare readonly context: unknown;
  /** HTTP status, when the server answered with one. */
  declare readonly status: number | undefined;
  /** Engine.IO error code (0–5) from the server's JSON body, when present. */
  declare readonly protocolCode: number | undefined;
  /** The server's error message, when present. */
  declare readonly serverMessage: string | undefined;

  /** Creates a transport error; `message` follows engine.io-client ("xhr poll error", "websocket error"…). */
  constructor(message: string, init: TransportErrorInit = {}, code: HeartwireErrorCode = "HW_ERR_TRANSPORT") {
    const { status, protocolCode, serverMessage, context, cause, description = status ?? serverMessage } = init;
    super(code, message, cause === undefined ? undefined : { cause });
    this.name = "TransportError";
    Object.assign(this, { description, context, status, protocolCode, serverMessage });
  }
}

/** Reads `{"code":N,"message":"..."}` from an error body (or a short plain-text body), if that is what it is. */
export function parseErrorBody(body: string): { code?: number | undefined; message?: string | undefined } {
  try {
    const { code, message } = JSON.parse(body) ?? {};
    return { code: typeof code === "number" ? code : undefined, message: typeof message === "string" ? message : undefined };
  } catch {
    return { message: body.length > 0 && body.length <= 200 ? body : undefined };
  }
}
