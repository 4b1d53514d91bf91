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
}

/**
 * A transport failure (engine.io-client's `TransportError`: `type`, `description`, `context`), with
 * a stable `code`, and the HTTP status / Engine.IO error code when the server refused a request.
 */
export class TransportError extends HeartwireError {
  /** Always `"TransportError"`, as in engine.io-client. */
  readonly type = "TransportError";
  /** engine.io-client's `description`: the HTTP status when there is one. */
  readonly description: number | string | undefined;
  /** engine.io-client's `context`. */
  readonly context: unknown;
  /** HTTP status, when the server answered with one. */
  readonly status: number | undefined;
  /** Engine.IO error code (0–5) from the server's JSON body, when present. */
  readonly protocolCode: number | undefined;
  /** The server's error message, when present. */
  readonly serverMessage: string | undefined;

  /** Creates a transport error; `message` follows engine.io-client ("xhr poll error", "websocket error"…). */
  constructor(message: string, init: TransportErrorInit = {}, code: HeartwireErrorCode = "HW_ERR_TRANSPORT") {
    super(code, message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "TransportError";
    this.status = init.status;
    this.protocolCode = init.protocolCode;
    this.serverMessage = init.serverMessage;
    this.description = init.status ?? init.serverMessage;
    this.context = init.context;
  }
}

/** Reads `{"code":N,"message":"..."}` from an error body, if that is what it is. */
export function parseErrorBody(body: string): { code?: number; message?: string } {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null) return {};
    const { code, message } = parsed as { code?: unknown; message?: unknown };
    return {
      ...(typeof code === "number" ? { code } : {}),
      ...(typeof message === "string" ? { message } : {}),
    };
  } catch {
    return body.length > 0 && body.length <= 200 ? { message: body } : {};
  }
}
