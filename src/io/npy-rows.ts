/**
 * .npy rows from binary COPY data: pgvector's send format of a lone `vector` or `halfvec` column is the
 * .npy row in the other byte order, so the rows are copied out in blocks and byte-swapped, never decoded.
 */
import { VecpgError } from '../errors.ts';
import { type CopyFieldHandler, CopyOutReader } from './copy-out.ts';
import type { CopyOutSink } from './pg-copy-out.ts';

/** Bytes of .npy rows gathered before each write. */
const NPY_WRITE_BYTES = 1 << 20;

/**
 * The rows of a binary `COPY (SELECT vector) TO STDOUT` as little-endian .npy rows on `out`, read as they
 * come off the socket: each row's big-endian floats (or halves) are copied out of pgvector's send format
 * into a megabyte buffer, byte-swapped at once before it is written. The buffers are reused once `out` has
 * taken them; with two of them in `out`, the socket waits.
 *
 * @example
 * const writer = new NpyRowWriter('vector', 100, 'embedding', out);
 * await session.copyOut!('COPY (SELECT embedding FROM t) TO STDOUT (FORMAT binary)', writer);
 * const rows = await writer.finish();
 */
export class NpyRowWriter implements CopyOutSink {
  rows = 0;
  readonly #size: 2 | 4;
  readonly #rowBytes: number;
  readonly #capacity: number;
  readonly #out: NodeJS.WritableStream;
  readonly #reader = new CopyOutReader(1);
  readonly #free: Buffer[] = [];
  #buffer: Buffer;
  #o = 0;
  #writing = 0;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;
  readonly #field: CopyFieldHandler;

  constructor(type: 'vector' | 'halfvec', cols: number, column: string, out: NodeJS.WritableStream) {
    const size = type === 'vector' ? 4 : 2;
    this.#size = size;
    this.#rowBytes = cols * size;
    this.#capacity = Math.max(1, Math.floor(NPY_WRITE_BYTES / this.#rowBytes)) * this.#rowBytes;
    this.#out = out;
    this.#buffer = Buffer.allocUnsafeSlow(this.#capacity);
    const rowBytes = this.#rowBytes;
    this.#field = (bytes, view, start, length) => {
      if (length < 0)
        throw new VecpgError('UNSUPPORTED', `row ${this.rows + 1} has a NULL ${column}: npy cannot hold it`);
      const dims = view.getUint16(start);
      if (dims !== cols || length !== 4 + dims * size)
        throw new VecpgError(
          'DIMENSION_MISMATCH',
          `.npy export needs every row to have ${cols} dimensions, got ${dims}`,
        );
      if (this.#o + rowBytes > this.#capacity) this.#flush();
      // The big-endian values as they are; the whole buffer is byte-swapped before it is written.
      this.#buffer.set(bytes.subarray(start + 4, start + length), this.#o);
      this.#o += rowBytes;
      this.rows++;
    };
  }

  data(bytes: Uint8Array, view: DataView, start: number, end: number): void {
    this.#reader.pushRange(bytes, view, start, end, this.#field);
  }

  drain(): Promise<void> | undefined {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#writing < 2) return undefined;
    return new Promise<void>((resolve) => (this.#wake = resolve));
  }

  /** After the COPY: check it ended properly, write the last rows and wait for `out` to take them all. */
  async finish(): Promise<number> {
    this.#reader.end();
    this.#flush();
    while (this.#writing > 0) await new Promise<void>((resolve) => (this.#wake = resolve));
    if (this.#failure !== undefined) throw this.#failure;
    return this.rows;
  }

  #flush(): void {
    if (this.#o === 0) return;
    const buffer = this.#buffer;
    const data = buffer.subarray(0, this.#o);
    if (this.#size === 4) data.swap32();
    else data.swap16();
    this.#writing++;
    this.#out.write(data, (error?: Error | null) => {
      if (error) this.#failure ??= error;
      this.#writing--;
      this.#free.push(buffer);
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
    });
    this.#buffer = this.#free.pop() ?? Buffer.allocUnsafeSlow(this.#capacity);
    this.#o = 0;
  }
}
