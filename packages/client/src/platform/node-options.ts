/**
 * @module Checks of the Node-only connection options (TLS, `agent`, `socketPath`, `perMessageDeflate`) when a
 * socket is made, so a wrong type is an `HW_ERR_INVALID_OPTION` naming the option instead of a
 * "transport error" from deep inside Node once the socket connects. Node-only: browsers ignore these.
 */

import { HeartwireError } from "@heartwire/shared";
import type { HostIOOptions } from "./platform.js";

const isPem = (value: unknown): boolean => typeof value === "string" || value instanceof Uint8Array;

/** Throws `HW_ERR_INVALID_OPTION` naming `name` unless `valid`. */
function expectOption(valid: boolean, name: string, value: unknown, expected: string): void {
  if (!valid) throw new HeartwireError("HW_ERR_INVALID_OPTION", `${name} must be ${expected}, got ${typeof value}`);
}

/** Validates the Node connection options a socket was given (absent ones are fine). */
export function checkNodeOptions(options: HostIOOptions): void {
  for (const name of ["ca", "cert", "key", "pfx"] as const) {
    const value = options[name];
    if (value === undefined) continue;
    expectOption(isPem(value) || (Array.isArray(value) && value.every(isPem)), name, value, "a string, a Uint8Array or an array of them");
  }
  for (const name of ["passphrase", "ciphers"] as const) {
    const value = options[name];
    if (value !== undefined) expectOption(typeof value === "string", name, value, "a string");
  }
  const { rejectUnauthorized, agent, perMessageDeflate, socketPath } = options;
  if (socketPath !== undefined) expectOption(typeof socketPath === "string" && socketPath.length > 0, "socketPath", socketPath, "a non-empty string");
  if (rejectUnauthorized !== undefined) expectOption(typeof rejectUnauthorized === "boolean", "rejectUnauthorized", rejectUnauthorized, "a boolean");
  if (agent !== undefined && agent !== false) {
    // Node's http client calls addRequest on every agent; anything without it is not an agent.
    const addRequest = (agent as { addRequest?: unknown } | null)?.addRequest;
    expectOption(typeof addRequest === "function", "agent", agent, "an http.Agent (or https.Agent) or false");
  }
  if (perMessageDeflate !== undefined) {
    const valid = typeof perMessageDeflate === "boolean" || (typeof perMessageDeflate === "object" && perMessageDeflate !== null);
    expectOption(valid, "perMessageDeflate", perMessageDeflate, "a boolean or ws' options object");
  }
}
