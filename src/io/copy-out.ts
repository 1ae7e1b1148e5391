/**
 * PostgreSQL's binary COPY output, read back: the 11-byte signature, int32 flags, int32 header-extension
 * length and the extension; per tuple an int16 field count and per field an int32 length (-1 for NULL) and
 * the bytes; then the int16 trailer -1. Tuples arrive in chunks of any size; a tuple may span chunks, and
 * is then gathered in a buffer kept from one tuple to the next.
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
  /** The start of a header or tuple that a chunk cut off: `#carry[0, #carried)`. */
  #carry = new Uint8Array(1024);
  #carryView = new DataView(this.#carry.buffer);
  #carried = 0;
  #started = false;
  #ended = false;

  /** Tuples must have `columns` fields. */
  constructor(columns: number) {
    this.#columns = columns;
  }

  /** Read a chunk, calling `field` for every field of every tuple it completes, in order. */
  push(chunk: Uint8Array, field: CopyFieldHandler): void {
    this.pushRange(chunk, new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength), 0, chunk.length, field);
  }

  /**
   * Read `bytes[start, end)` (`view` over the same memory as `bytes`), calling `field` for every field of
   * every tuple it completes, in order. The bytes are not kept: a tuple cut off at `end` is copied.
   */
  pushRange(bytes: Uint8Array, view: DataView, start: number, end: number, field: CopyFieldHandler): void {
    let p = start;
    if (this.#carried > 0 || !this.#started) {
      // Complete the header or tuple begun earlier from the head of this range, then go on in the range.
      for (;;) {
        const missing = this.#missing(this.#carry, this.#carryView, this.#carried);
        if (missing === 0 || p === end) break;
        const take = Math.min(missing, end - p);
        this.#append(bytes, p, take);
        p += take;
      }
      if (this.#missing(this.#carry, this.#carryView, this.#carried) > 0) return;
      const carried = this.#carried;
      this.#carried = 0;
      if (this.#read(this.#carry, this.#carryView, 0, carried, field) !== carried)
        throw invalid('a tuple that does not end where its lengths say');
    }
    const q = this.#read(bytes, view, p, end, field);
    if (q < end) this.#append(bytes, q, end - q);
  }

  #append(bytes: Uint8Array, start: number, length: number): void {
    if (this.#carried + length > this.#carry.length) {
      const grown = new Uint8Array(Math.max(2 * this.#carry.length, this.#carried + length));
      grown.set(this.#carry.subarray(0, this.#carried));
      this.#carry = grown;
      this.#carryView = new DataView(grown.buffer);
    }
    this.#carry.set(bytes.subarray(start, start + length), this.#carried);
    this.#carried += length;
  }

  /**
   * Bytes still needed to complete the header or the first tuple of `bytes[0, n)` (a lower bound while the
   * lengths are not all there yet; 0 when complete, or at the trailer).
   */
  #missing(bytes: Uint8Array, view: DataView, n: number): number {
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

  /** Read the header (if not yet) and the whole tuples of `bytes[p, n)`; returns where the rest begins. */
  #read(bytes: Uint8Array, view: DataView, p: number, n: number, field: CopyFieldHandler): number {
    if (this.#ended) {
      if (n > p) throw invalid('data after the trailer');
      return n;
    }
    if (!this.#started) {
      if (n - p < COPY_HEADER.length) return p;
      for (let i = 0; i < SIGNATURE_BYTES; i++)
        if (bytes[p + i] !== COPY_HEADER[i]) throw invalid('no PGCOPY signature');
      const extension = view.getUint32(p + 15);
      if (n - p < COPY_HEADER.length + extension) return p;
      p += COPY_HEADER.length + extension;
      this.#started = true;
    }
    const columns = this.#columns;
    for (;;) {
      if (n - p < 2) return p;
      const count = view.getInt16(p);
      if (count === -1) {
        this.#ended = true;
        if (n - p > 2) throw invalid('data after the trailer');
        return n;
      }
      if (count !== columns) throw invalid(`a tuple of ${count} fields, not ${columns}`);
      // The whole tuple must be here before any of its fields is handed out.
      let q = p + 2;
      for (let f = 0; f < columns; f++) {
        if (n - q < 4) return p;
        q += 4 + Math.max(view.getInt32(q), 0);
        if (q > n) return p;
      }
      q = p + 2;
      for (let f = 0; f < columns; f++) {
        const length = view.getInt32(q);
        field(bytes, view, q + 4, length);
        q += 4 + Math.max(length, 0);
      }
      p = q;
    }
  }

  /** At the end of the data: throws unless it ended with the trailer. */
  end(): void {
    if (!this.#ended) throw invalid('the data ended inside a tuple or without its trailer');
  }
}
