/** @module Session ids: the default generator and the call into a user's (sync or async) `generateId`. */

import { randomFillSync } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { GenerateId } from "./options.js";

const ID_BYTES = 15;
// One call into the CSPRNG per 256 ids instead of one per handshake: a sequential websocket
// handshake profile (bench/profile.mjs) spent about 18 µs per handshake generating the id with
// randomBytes(15), 2.6 µs from this pool. Every byte is used for one id only.
const pool = Buffer.alloc(ID_BYTES * 256);
let poolOffset = pool.length;

/** 15 random bytes as 20 url-safe base64 characters (120 bits; engine.io's base64id has the same length). */
export function defaultGenerateId(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = pool.toString("base64url", poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return id;
}

const MAX_ID_LENGTH = 256;

/**
 * Calls `generate`, puts `prefix` in front, and checks the result: a non-empty string of at most
 * 256 printable ASCII characters that is not yet in use. Rejects otherwise, so the handshake
 * answers code 3.
 */
export async function createSessionId(
  generate: GenerateId,
  req: IncomingMessage,
  inUse: (id: string) => boolean,
  prefix = "",
): Promise<string> {
  const generated: unknown = await generate(req);
  const id = typeof generated === "string" && generated.length > 0 ? prefix + generated : "";
  if (id.length === 0 || id.length > MAX_ID_LENGTH || !/^[\x21-\x7e]+$/.test(id)) {
    throw new TypeError(`generateId returned an unusable id ${JSON.stringify(generated)}`);
  }
  if (inUse(id)) throw new TypeError(`generateId returned an id already in use`);
  return id;
}
