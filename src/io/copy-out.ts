/**
 * PostgreSQL's binary COPY output, read back: the 11-byte signature, int32 flags, int32 header-extension
 * length and the extension; per tuple an int16 field count and per field an int32 length (-1 for NULL) and
 * the bytes; then the int16 trailer -1. Tuples arrive in chunks of any size; a tuple may span chunks.
 */
import { VecpgError } from '../errors.ts';
import { COPY_HEADER } from './copy.ts';

/** Called per field of each tuple: its bytes are `bytes[start, start + length)`; `length` -1 is NULL. */
export type CopyFieldHandler = (bytes: Uint8Array, view: DataView, start: number, length: number) => void;

const SIGNATURE_BYTES = 11;

function invalid(message: string): VecpgError {
  return new VecpgError('QUERY_FAILED', `unreadable binary COPY data from the server: ${message}`);
}

export class CopyOutReader {
  readonly #columns: number;
  #carry: Uint8Array = new Uint8Array(0);
  #started = false;
  #ended = false;

  /** Tuples must have `columns` fields. */
  constructor(columns: number) {
    this.#columns = columns;
  }

  /** Read a chunk, calling `field` for every field of every tuple it completes, in order. */
  push(chunk: Uint8Array, field: CopyFieldHandler): void {
    if (this.#ended) {
      if (chunk.length > 0) throw invalid('data after the trailer');
      return;
    }
    let bytes = chunk;
    if (this.#carry.length > 0) {
      // Complete the tuple begun in the previous chunk from the head of this one, then go on in this one.
      let used = 0;
      for (;;) {
        const missing = this.#missing(this.#carry);
        if (missing === 0 || used === chunk.length) break;
        const take = Math.min(missing, chunk.length - used);
        const joined = new Uint8Array(this.#carry.length + take);
        joined.set(this.#carry);
        joined.set(chunk.subarray(used, used + take), this.#carry.length);
        this.#carry = joined;
        used += take;
      }
      const carry = this.#carry;
      this.#carry = new Uint8Array(0);
      if (this.#missing(carry) > 0) {
        this.#carry = carry;
        return;
      }
      this.#push(carry, field);
      if (this.#carry.length > 0) throw invalid('a tuple that does not end where its lengths say');
      bytes = chunk.subarray(used);
    }
    this.#push(bytes, field);
  }

  /**
   * Bytes still needed to complete the header or the first tuple of `bytes` (a lower bound while the
   * lengths are not all there yet; 0 when complete, or at the trailer).
   */
  #missing(bytes: Uint8Array): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = bytes.length;
    if (!this.#started) {
      if (n < COPY_HEADER.length) return COPY_HEADER.length - n;
      return Math.max(0, COPY_HEADER.length + view.getUint32(15) - n);
    }
    if (n < 2) return 2 - n;
    const count = view.getInt16(0);
    if (count === -1) return 0;
    let q = 2;
    for (let f = 0; f < count; f++) {
      if (n - q < 4) return q + 4 - n;
      q += 4 + Math.max(view.getInt32(q), 0);
    }
    return Math.max(0, q - n);
  }

  #push(bytes: Uint8Array, field: CopyFieldHandler): void {
    if (this.#ended) {
      if (bytes.length > 0) throw invalid('data after the trailer');
      return;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = bytes.length;
    let p = 0;
    if (!this.#started) {
      if (n < COPY_HEADER.length) {
        this.#carry = bytes.slice();
        return;
      }
      for (let i = 0; i < SIGNATURE_BYTES; i++) if (bytes[i] !== COPY_HEADER[i]) throw invalid('no PGCOPY signature');
      const extension = view.getUint32(15);
      if (n < COPY_HEADER.length + extension) {
        this.#carry = bytes.slice();
        return;
      }
      p = COPY_HEADER.length + extension;
      this.#started = true;
    }
    const columns = this.#columns;
    for (;;) {
      if (n - p < 2) break;
      const count = view.getInt16(p);
      if (count === -1) {
        this.#ended = true;
        if (n - p > 2) throw invalid('data after the trailer');
        p = n;
        break;
      }
      if (count !== columns) throw invalid(`a tuple of ${count} fields, not ${columns}`);
      // The whole tuple must be here before any of its fields is handed out.
      let q = p + 2;
      let complete = true;
      for (let f = 0; f < columns; f++) {
        if (n - q < 4) {
          complete = false;
          break;
        }
        const length = view.getInt32(q);
        q += 4 + Math.max(length, 0);
        if (q > n) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      q = p + 2;
      for (let f = 0; f < columns; f++) {
        const length = view.getInt32(q);
        field(bytes, view, q + 4, length);
        q += 4 + Math.max(length, 0);
      }
      p = q;
    }
    // Keep the incomplete tuple (a copy: the chunk's buffer may be reused by its producer).
    this.#carry = p === n ? new Uint8Array(0) : bytes.slice(p);
  }

  /** At the end of the data: throws unless it ended with the trailer. */
  end(): void {
    if (!this.#ended) throw invalid('the data ended inside a tuple or without its trailer');
  }
}
