/**
 * Building text as ASCII bytes: one shared scratch buffer, and one decode of the finished bytes into a
 * string (the vector and sparsevec text writers put every element into the buffer, then decode once).
 */

let scratch = new Uint8Array(1 << 16);
const decoder = new TextDecoder();
// Node's Buffer turns ASCII into a string several times faster than TextDecoder's UTF-8 decoding (the
// bytes are ASCII, so Latin-1 reads them the same): a Buffer view of the scratch buffer where there is one.
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
let scratchView = NodeBuffer?.from(scratch.buffer, 0, scratch.length);

/**
 * A shared byte buffer of at least `bytes` bytes for building one text value (reused: decode it with
 * {@link asciiText} before building the next).
 *
 * @example
 * const buf = textScratch(100);
 */
export function textScratch(bytes: number): Uint8Array {
  if (scratch.length < bytes) {
    scratch = new Uint8Array(Math.max(bytes, scratch.length * 2));
    scratchView = NodeBuffer?.from(scratch.buffer, 0, scratch.length);
  }
  return scratch;
}

/**
 * The ASCII bytes `buf[0..end)` as a string.
 *
 * @example
 * asciiText(new Uint8Array([91, 93]), 2); // '[]'
 */
export function asciiText(buf: Uint8Array, end: number): string {
  if (buf === scratch && scratchView !== undefined) return scratchView.toString('latin1', 0, end);
  return decoder.decode(buf.subarray(0, end));
}
