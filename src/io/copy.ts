/**
 * PostgreSQL's binary COPY format, written by hand (no dependency): the 11-byte `PGCOPY\n\377\r\n\0`
 * signature, an int32 flags field (0), an int32 header-extension length (0); per tuple an int16
 * field count and per field an int32 length (-1 for NULL) and the type's binary send format;
 * finally the int16 trailer -1. Vectors use their own `toBinary()` (pgvector's send format).
 */
import { VecpgError, describeValue, isVecpgError } from '../errors.ts';
import { isBit } from '../types/bit.ts';
import { halfBitsToNumber } from '../types/float.ts';
import { isHalfVector } from '../types/halfvec.ts';
import { isSparseVector } from '../types/sparsevec.ts';
import { isVector, writeVectorBinary } from '../types/vector.ts';
import type { VectorType } from '../sql/operators.ts';
import type { DenseBlock } from './readers/dense-block.ts';

/** Column types the encoder writes. */
export type CopyType =
  VectorType | 'text' | 'int2' | 'int4' | 'int8' | 'float4' | 'float8' | 'bool' | 'json' | 'jsonb' | 'uuid' | 'bytea';

/** PostgreSQL type names (`pg_type.typname`) and the encoding each uses. */
const TYPNAMES: Readonly<Record<string, CopyType>> = {
  vector: 'vector',
  halfvec: 'halfvec',
  sparsevec: 'sparsevec',
  bit: 'bit',
  varbit: 'bit',
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  name: 'text',
  citext: 'text',
  int2: 'int2',
  int4: 'int4',
  int8: 'int8',
  float4: 'float4',
  float8: 'float8',
  bool: 'bool',
  json: 'json',
  jsonb: 'jsonb',
  uuid: 'uuid',
  bytea: 'bytea',
};

/**
 * The encoding for a column of PostgreSQL type `typname`, or undefined when the encoder has none.
 *
 * @example
 * copyTypeOf('int4'); // 'int4'
 */
export function copyTypeOf(typname: string): CopyType | undefined {
  return TYPNAMES[typname];
}

/** `PGCOPY\n\377\r\n\0`, flags 0, header extension length 0. */
export const COPY_HEADER: Uint8Array = Uint8Array.of(
  0x50,
  0x47,
  0x43,
  0x4f,
  0x50,
  0x59,
  0x0a,
  0xff,
  0x0d,
  0x0a,
  0x00,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
);
/** The int16 -1 that ends the data. */
export const COPY_TRAILER: Uint8Array = Uint8Array.of(0xff, 0xff);

const encoder = new TextEncoder();

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function bad(type: CopyType, value: unknown, why = ''): VecpgError {
  return new VecpgError('INVALID_VALUE', `${describeValue(value)} is not a valid ${type}${why}`, {
    details: { value },
  });
}

function integer(type: 'int2' | 'int4' | 'int8', value: unknown): bigint {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^\s*[+-]?[0-9]+\s*$/.test(value)) n = BigInt(value.trim());
  else throw bad(type, value);
  const bits = type === 'int2' ? 16n : type === 'int4' ? 32n : 64n;
  const limit = 1n << (bits - 1n);
  if (n < -limit || n >= limit) throw bad(type, value, ' (out of range)');
  return n;
}

function float(type: 'float4' | 'float8', value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === 'nan') return NaN;
    if (t === 'infinity' || t === 'inf' || t === '+infinity') return Infinity;
    if (t === '-infinity' || t === '-inf') return -Infinity;
    const n = Number(t);
    if (t.length > 0 && !Number.isNaN(n)) return n;
  }
  throw bad(type, value);
}

function bool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (['t', 'true', 'yes', 'y', 'on', '1'].includes(t)) return true;
    if (['f', 'false', 'no', 'n', 'off', '0'].includes(t)) return false;
  }
  throw bad('bool', value);
}

/**
 * The binary form of one field, or null for SQL NULL. `textual` says that strings are the
 * column's text representation (values from CSV), rather than JSON strings.
 *
 * @example
 * encodeField('int4', 42); // Uint8Array [0, 0, 0, 42]
 */
export function encodeField(type: CopyType, value: unknown, textual = false): Uint8Array | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'vector':
    case 'halfvec':
    case 'sparsevec':
    case 'bit': {
      const ok =
        type === 'vector'
          ? isVector(value)
          : type === 'halfvec'
            ? isHalfVector(value)
            : type === 'sparsevec'
              ? isSparseVector(value)
              : isBit(value);
      if (!ok) throw bad(type, value);
      return (value as { toBinary(): Uint8Array }).toBinary();
    }
    case 'text':
      return encoder.encode(
        typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value),
      );
    case 'int2':
    case 'int4':
    case 'int8': {
      const n = integer(type, value);
      const out = new Uint8Array(type === 'int2' ? 2 : type === 'int4' ? 4 : 8);
      const view = new DataView(out.buffer);
      if (type === 'int2') view.setInt16(0, Number(n));
      else if (type === 'int4') view.setInt32(0, Number(n));
      else view.setBigInt64(0, n);
      return out;
    }
    case 'float4':
    case 'float8': {
      const out = new Uint8Array(type === 'float4' ? 4 : 8);
      const view = new DataView(out.buffer);
      if (type === 'float4') view.setFloat32(0, float(type, value));
      else view.setFloat64(0, float(type, value));
      return out;
    }
    case 'bool':
      return Uint8Array.of(bool(value) ? 1 : 0);
    case 'json':
    case 'jsonb': {
      const json = textual && typeof value === 'string' ? value : JSON.stringify(value);
      const body = encoder.encode(json);
      if (type === 'json') return body;
      const out = new Uint8Array(body.length + 1);
      out[0] = 1; // jsonb binary format version
      out.set(body, 1);
      return out;
    }
    case 'uuid': {
      const hex = typeof value === 'string' ? value.replace(/^\{|\}$/g, '').replaceAll('-', '') : '';
      if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw bad('uuid', value);
      const out = new Uint8Array(16);
      for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      return out;
    }
    case 'bytea': {
      if (value instanceof Uint8Array) return value;
      if (typeof value === 'string' && /^\\x([0-9a-fA-F]{2})*$/.test(value))
        return Uint8Array.from(Buffer.from(value.slice(2), 'hex'));
      throw bad('bytea', value);
    }
  }
}

/**
 * Accumulates tuples in PostgreSQL's binary COPY format. `take()` hands out the pending tuples;
 * a complete COPY stream is `COPY_HEADER`, the tuples, `COPY_TRAILER`.
 *
 * @example
 * const enc = new CopyEncoder(['int4', 'vector']);
 * enc.addRow([1, new Vector([1, 2])]);
 * const data = Buffer.concat([COPY_HEADER, enc.take(), COPY_TRAILER]);
 */
export class CopyEncoder {
  readonly #types: readonly CopyType[];
  readonly #textual: boolean;
  #buf: Buffer;
  #view: DataView;
  #len = 0;
  /** The buffer of the last `take()`. */
  #lent: Buffer | undefined;
  /** Rows added so far. */
  rows = 0;

  constructor(types: readonly CopyType[], options: { textual?: boolean; initialBytes?: number } = {}) {
    if (types.length < 1 || types.length > 1664)
      throw new VecpgError('INVALID_OPTION', `a COPY needs 1 to 1664 columns, got ${types.length}`);
    this.#types = types;
    this.#textual = options.textual ?? false;
    this.#buf = Buffer.allocUnsafe(options.initialBytes ?? 1 << 20);
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.length);
  }

  #ensure(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + extra));
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
    this.#view = new DataView(next.buffer, next.byteOffset, next.length);
  }

  /**
   * Encode one tuple (values in column order). On a bad value nothing of the tuple is kept and the
   * error (INVALID_VALUE, with `details.column`) is thrown.
   */
  addRow(values: readonly unknown[]): void {
    if (values.length !== this.#types.length) {
      throw new VecpgError('INVALID_VALUE', `a row needs ${this.#types.length} values, got ${values.length}`);
    }
    const start = this.#len;
    try {
      this.#ensure(2);
      this.#buf.writeInt16BE(values.length, this.#len);
      this.#len += 2;
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        if (this.#types[i] === 'vector' && isVector(value)) {
          // The common bulk-load field, written straight into the buffer: no per-row array to collect.
          const size = 4 + 4 * value.dimensions;
          this.#ensure(4 + size);
          this.#buf.writeInt32BE(size, this.#len);
          this.#len += 4 + writeVectorBinary(value, this.#view, this.#len + 4);
          continue;
        }
        let field: Uint8Array | null;
        try {
          field = encodeField(this.#types[i]!, value, this.#textual);
        } catch (error) {
          throw isVecpgError(error)
            ? new VecpgError(error.code, `column ${i + 1}: ${error.message}`, {
                cause: error,
                details: { ...error.details, column: i },
              })
            : error;
        }
        this.#ensure(4 + (field?.length ?? 0));
        this.#buf.writeInt32BE(field === null ? -1 : field.length, this.#len);
        this.#len += 4;
        if (field !== null) {
          this.#buf.set(field, this.#len);
          this.#len += field.length;
        }
      }
      this.rows++;
    } catch (error) {
      this.#len = start;
      throw error;
    }
  }

  /**
   * Encode rows `from` (inclusive) to `to` (exclusive) of a block (float32, float64 / float16 rounded to
   * float32 as the server stores them, or .bvecs bytes, exact) as tuples of one `vector` field (an encoder of `['vector']`),
   * straight from the file's bytes: no record, array or Vector per row. Stops before the first row holding
   * NaN or ±Infinity (or a float64 beyond float32's range), which the caller hands to the general path for
   * its error; returns the rows encoded. The bytes equal what `addRow([new Vector(values)])` writes for each
   * row.
   */
  addFloat32Rows(block: DenseBlock, from: number, to: number): number {
    if (this.#types.length !== 1 || this.#types[0] !== 'vector')
      throw new VecpgError('INVALID_OPTION', 'addFloat32Rows needs a single vector column');
    const dims = block.dims;
    const size = 10 + 4 * dims;
    this.#ensure((to - from) * size);
    const bytes = block.bytes;
    const { stride, skip } = block;
    const out = this.#view;
    let o = this.#len;
    let r = from;
    if (block.element === 'u1') {
      // .bvecs bytes: 0..255, every one a float32 exactly, never NaN.
      for (; r < to; r++) {
        const p = r * stride + skip;
        const q = o + 10;
        for (let i = 0; i < dims; i++) out.setFloat32(q + 4 * i, bytes[p + i]!);
        out.setInt16(o, 1);
        out.setInt32(o + 2, 4 + 4 * dims);
        out.setUint16(o + 6, dims);
        out.setUint16(o + 8, 0);
        o += size;
      }
    } else if (block.element !== 'f4') {
      // float64 and float16: each value through a float (Math.fround, as new Vector() rounds; a half is exact).
      const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const le = block.littleEndian;
      const wide = block.element === 'f8';
      rows: for (; r < to; r++) {
        const p = r * stride + skip;
        const q = o + 10;
        for (let i = 0; i < dims; i++) {
          const x = wide ? Math.fround(src.getFloat64(p + 8 * i, le)) : halfBitsToNumber(src.getUint16(p + 2 * i, le));
          if (!Number.isFinite(x)) break rows;
          out.setFloat32(q + 4 * i, x);
        }
        out.setInt16(o, 1);
        out.setInt32(o + 2, 4 + 4 * dims);
        out.setUint16(o + 6, dims);
        out.setUint16(o + 8, 0);
        o += size;
      }
    } else if (block.littleEndian === HOST_LITTLE_ENDIAN && ((bytes.byteOffset | stride | skip) & 3) === 0) {
      // The usual case (a little-endian file on a little-endian host, aligned): read the floats' bits as int32.
      const src = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
      const step = stride >> 2;
      rows: for (; r < to; r++) {
        const p = r * step + (skip >> 2);
        const q = o + 10;
        for (let i = 0; i < dims; i++) {
          const bits = src[p + i]!;
          // All exponent bits set: NaN or ±Infinity, which pgvector refuses.
          if ((bits & 0x7f800000) === 0x7f800000) break rows;
          out.setInt32(q + 4 * i, bits);
        }
        out.setInt16(o, 1);
        out.setInt32(o + 2, 4 + 4 * dims);
        out.setUint16(o + 6, dims);
        out.setUint16(o + 8, 0);
        o += size;
      }
    } else {
      const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const le = block.littleEndian;
      rows: for (; r < to; r++) {
        const p = r * stride + skip;
        const q = o + 10;
        for (let i = 0; i < dims; i++) {
          const bits = src.getInt32(p + 4 * i, le);
          if ((bits & 0x7f800000) === 0x7f800000) break rows;
          out.setInt32(q + 4 * i, bits);
        }
        out.setInt16(o, 1);
        out.setInt32(o + 2, 4 + 4 * dims);
        out.setUint16(o + 6, dims);
        out.setUint16(o + 8, 0);
        o += size;
      }
    }
    this.#len = o;
    this.rows += r - from;
    return r - from;
  }

  /** Bytes waiting to be taken. */
  get pendingBytes(): number {
    return this.#len;
  }

  /**
   * The pending tuples' bytes; the encoder starts another buffer. With `reuse`, the caller vouches that
   * nothing holds the bytes of the previous `take()` any more (the driver has written them out): its buffer
   * is then written over next, instead of a fresh one per chunk (fresh buffers cost page faults and
   * garbage collections that, at 100 dimensions, took as long as encoding).
   */
  take(reuse = false): Uint8Array {
    const out = this.#buf.subarray(0, this.#len);
    const previous = this.#lent;
    this.#lent = this.#buf;
    this.#buf =
      reuse && previous !== undefined && previous.length === this.#buf.length
        ? previous
        : Buffer.allocUnsafe(this.#buf.length);
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.length);
    this.#len = 0;
    return out;
  }
}
