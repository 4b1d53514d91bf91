/** @module Calling the user's `allowRequest` gate in either style (callback or Promise), exactly once. */

import type { IncomingMessage } from "node:http";
import type { AllowRequest } from "./options.js";

/** The gate's decision; `message` is the refusal text sent to the client. */
export type AllowDecision = { readonly allowed: true } | { readonly allowed: false; readonly message?: string | undefined };

/**
 * Asks `allowRequest`. The first answer wins, whether it comes from the callback or from a returned
 * Promise resolving to a boolean; a throw or a rejection refuses (with the error's message).
 */
export function askAllowRequest(allowRequest: AllowRequest, req: IncomingMessage): Promise<AllowDecision> {
  return new Promise((resolve) => {
    let settled = false;
    const decide = (decision: AllowDecision): void => {
      if (settled) return;
      settled = true;
      resolve(decision);
    };
    const refuse = (error: unknown): void =>
      decide({ allowed: false, message: error instanceof Error && error.message ? error.message : undefined });
    try {
      const result = allowRequest(req, (err, success) => {
        if (success) decide({ allowed: true });
        else decide({ allowed: false, message: typeof err === "string" && err.length > 0 ? err : undefined });
      });
      if (result !== undefined && result !== null && typeof (result as PromiseLike<unknown>).then === "function") {
        (result as Promise<boolean | void>).then((value) => {
          if (value === true) decide({ allowed: true });
          else if (value === false) decide({ allowed: false });
        }, refuse);
      }
    } catch (error) {
      refuse(error);
    }
  });
}
