/** @module Base64 ⇄ bytes without Buffer or atob, so it runs the same in Node and browsers. */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 255 marks a character outside the alphabet; built once.
const LOOKUP = (() => {
  const table = new Uint8Array(256).fill(255);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/** Encodes bytes as standard, padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  const chunk: string[] = [];
  const len = bytes.length;
  let i = 0;
  for (; i + 2 < len; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk.push(ALPHABET[n >> 18]!, ALPHABET[(n >> 12) & 63]!, ALPHABET[(n >> 6) & 63]!, ALPHABET[n & 63]!);
    // Joining in slices keeps memory flat for multi-megabyte inputs.
    if (chunk.length >= 8192) {
      out += chunk.join("");
      chunk.length = 0;
    }
  }
  const rest = len - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    chunk.push(ALPHABET[n >> 18]!, ALPHABET[(n >> 12) & 63]!, "==");
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    chunk.push(ALPHABET[n >> 18]!, ALPHABET[(n >> 12) & 63]!, ALPHABET[(n >> 6) & 63]!, "=");
  }
  return out + chunk.join("");
}

/**
 * Decodes standard base64 (padding optional). Returns `undefined` for any character outside the
 * alphabet, misplaced padding or an impossible length, instead of guessing like `Buffer.from`.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  if (text.length % 4 !== 0 && end !== text.length) return undefined; // padded but wrong length
  const remainder = end % 4;
  if (remainder === 1) return undefined;
  const out = new Uint8Array(Math.floor(end / 4) * 3 + (remainder === 0 ? 0 : remainder - 1));
  let o = 0;
  let i = 0;
  for (; i + 3 < end; i += 4) {
    const a = LOOKUP[text.charCodeAt(i)] ?? 255;
    const b = LOOKUP[text.charCodeAt(i + 1)] ?? 255;
    const c = LOOKUP[text.charCodeAt(i + 2)] ?? 255;
    const d = LOOKUP[text.charCodeAt(i + 3)] ?? 255;
    if (a === 255 || b === 255 || c === 255 || d === 255) return undefined;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (remainder >= 2) {
    const a = LOOKUP[text.charCodeAt(i)] ?? 255;
    const b = LOOKUP[text.charCodeAt(i + 1)] ?? 255;
    const c = remainder === 3 ? (LOOKUP[text.charCodeAt(i + 2)] ?? 255) : 0;
    if (a === 255 || b === 255 || c === 255) return undefined;
    const n = (a << 18) | (b << 12) | (c << 6);
    out[o++] = n >> 16;
    if (remainder === 3) out[o++] = (n >> 8) & 255;
  }
  return out;
}
