/** @module Normalising the many shapes of binary data, and turning bytes back into the caller's type. */

/** Binary data accepted from callers: an ArrayBuffer or any view on one (Uint8Array, Buffer, DataView…). */
export type BinaryInput = ArrayBuffer | ArrayBufferView;

/** Turns decoded bytes into the binary type a caller wants (Buffer on servers, ArrayBuffer in browsers). */
export type BinaryDecoder<B> = (bytes: Uint8Array) => B;

/** True for an ArrayBuffer or any ArrayBufferView, across realms. */
export function isBinary(value: unknown): value is BinaryInput {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return true;
  return Object.prototype.toString.call(value) === "[object ArrayBuffer]";
}

/** A Uint8Array over the same memory as `data` (no copy). */
export function toUint8Array(data: BinaryInput): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** Decoder that keeps bytes as a Uint8Array. */
export const asUint8Array: BinaryDecoder<Uint8Array> = (bytes) => bytes;

/** Decoder that returns an ArrayBuffer holding exactly the bytes (copies only when the view is partial). */
export const asArrayBuffer: BinaryDecoder<ArrayBuffer> = (bytes) => {
  const { buffer, byteOffset, byteLength } = bytes;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) return buffer;
  return bytes.slice().buffer as ArrayBuffer;
};

/** Byte length of text once UTF-8 encoded, computed without allocating. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
