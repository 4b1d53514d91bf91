/**
 * @module Base64 ⇄ bytes for browsers, on the native `btoa`/`atob` (a few bytes instead of a
 * lookup table). Bundlers pick it through the `browser` field of package.json; it accepts and
 * rejects exactly what `base64.ts` does (both are tested against the same vectors).
 */

/** Encodes bytes as standard, padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunks keep the argument list of fromCharCode within engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Decodes standard base64 (padding optional). Returns `undefined` for any character outside the
 * alphabet, misplaced padding or an impossible length, instead of guessing like `Buffer.from`.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  // atob also skips whitespace and accepts padding on a short last group: refuse both first.
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || (text.endsWith("=") && text.length % 4 !== 0) || text.length % 4 === 1) {
    return undefined;
  }
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
