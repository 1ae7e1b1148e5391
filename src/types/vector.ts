import { VecpgError, describeValue } from '../errors.ts';
import { asBytes, expectLength } from './binary.ts';
import { type DenseInput, checkDenseLength, formatDenseText, parseDenseFloat32, toFloat32 } from './dense.ts';
import { checkFinite } from './float.ts';
import { INSPECT_CUSTOM, inspectDense } from './inspect.ts';

const BRAND = Symbol.for('vecpg.vector');

/**
 * A dense float32 vector: pgvector's `vector(n)`. Immutable; values are stored as float32,
 * exactly as the server stores them.
 *
 * @example
 * const v = new Vector([0.5, 0.2, 0.9, 0.3]);
 * v.toSql(); // '[0.5,0.2,0.9,0.3]'
 */
/** Set just before a constructor call by the decoders, which have already validated a fresh array. */
let trusted: Float32Array | null = null;

/** A Vector owning `data` (already checked, not shared with anyone): no copy, no second validation. */
function adopt(data: Float32Array): Vector {
  trusted = data;
  return new Vector(data);
}

/** Write a Vector's binary send format into `view` at `offset` (no intermediate array); returns the bytes written. */
export let writeVectorBinary: (v: Vector, view: DataView, offset: number) => number;

export class Vector {
  readonly #data: Float32Array;

  static {
    writeVectorBinary = (v, view, offset) => {
      const data = v.#data;
      const n = data.length;
      view.setUint16(offset, n);
      view.setUint16(offset + 2, 0);
      const bits = new Int32Array(data.buffer, data.byteOffset, n);
      for (let i = 0; i < n; i++) view.setInt32(offset + 4 + 4 * i, bits[i]!);
      return 4 + 4 * n;
    };
  }

  constructor(values: DenseInput) {
    this.#data = trusted ?? toFloat32(values, 'vector');
    trusted = null;
  }

  /** Number of dimensions. */
  get dimensions(): number {
    return this.#data.length;
  }

  /** The values as plain numbers (a new array each call). */
  toArray(): number[] {
    return Array.from(this.#data);
  }

  /** The values as a Float32Array (a copy: the vector stays immutable). */
  toFloat32Array(): Float32Array {
    return this.#data.slice();
  }

  /** pgvector text: `[1,2,3]`, each element in the server's shortest float32 form. */
  toSql(): string {
    return formatDenseText(this.#data);
  }

  toString(): string {
    return this.toSql();
  }

  /** JSON form: the plain array of numbers. */
  toJSON(): number[] {
    return this.toArray();
  }

  /** node-postgres parameter hook. */
  toPostgres(): string {
    return this.toSql();
  }

  /** pgvector's binary send format: `uint16 dim | uint16 0 | dim × float32`, big-endian. */
  toBinary(): Uint8Array {
    return encodeVectorBinary(this.#data);
  }

  equals(other: unknown): boolean {
    if (!isVector(other) || other.dimensions !== this.dimensions) return false;
    const o = other.toFloat32Array();
    for (let i = 0; i < o.length; i++) if (!Object.is(o[i], this.#data[i]) && o[i] !== this.#data[i]) return false;
    return true;
  }

  /** Parse pgvector text (`[1,2,3]`). */
  static fromSql(text: string): Vector {
    return adopt(parseDenseFloat32(text, 'vector'));
  }

  /** Parse pgvector's binary format. */
  static fromBinary(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): Vector {
    return adopt(decodeVectorBinary(bytes));
  }

  /** What `console.log` / `util.inspect` print: `Vector(3) [1, 2, 3]` (first values only when long). */
  [INSPECT_CUSTOM](): string {
    return inspectDense('Vector', this.#data);
  }

  get [Symbol.toStringTag](): string {
    return 'Vector';
  }

  static {
    Object.defineProperty(this.prototype, BRAND, { value: true });
  }
}

/** True for a `Vector`, also from another copy of the package. */
export function isVector(value: unknown): value is Vector {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** Encode float32 values in pgvector's binary format. */
export function encodeVectorBinary(values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  checkDenseLength(n, 'vector');
  const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
  const out = new Uint8Array(4 + 4 * n);
  out[0] = n >>> 8;
  out[1] = n & 0xff;
  // Each float's bits, stored big-endian by a DataView: one byte-swapping store per element, faster
  // than swapping by hand (bulk loads encode millions of these), and the bits are kept exactly.
  const bits = new Int32Array(f32.buffer, f32.byteOffset, n);
  const body = new DataView(out.buffer, 4);
  for (let i = 0; i < n; i++) body.setInt32(4 * i, bits[i]!);
  return out;
}

/** float32 exponent bits, and the lowest of them. */
const EXP = 0x7f800000;
const EXP_ONE = 0x00800000;

/** Decode pgvector's binary format into a Float32Array, refusing truncated or padded input. */
export function decodeVectorBinary(input: Uint8Array | ArrayBuffer | ArrayBufferView): Float32Array {
  const bytes = asBytes(input, 'vector');
  if (bytes.byteLength < 4) expectLength(bytes, 4, 'vector', 'the header');
  const dim = (bytes[0]! << 8) | bytes[1]!;
  const unused = (bytes[2]! << 8) | bytes[3]!;
  if (unused !== 0) {
    throw new VecpgError('INVALID_BINARY', `invalid vector binary: unused header field must be 0, got ${unused}`);
  }
  checkDenseLength(dim, 'vector');
  expectLength(bytes, 4 + 4 * dim, 'vector', `${dim} dimensions`);
  // One pass, any alignment, any host byte order: read each big-endian word, store its bits natively.
  const body = new DataView(bytes.buffer, bytes.byteOffset + 4, 4 * dim);
  const out = new Float32Array(dim);
  const bits = new Int32Array(out.buffer);
  // Four words a round and one test for the four: adding 1 to an all-ones exponent (NaN or ±Infinity)
  // carries into the sign bit, so the OR is negative exactly when one of them is not finite.
  let i = 0;
  for (; i + 4 <= dim; i += 4) {
    const a = body.getInt32(4 * i);
    const b = body.getInt32(4 * i + 4);
    const c = body.getInt32(4 * i + 8);
    const d = body.getInt32(4 * i + 12);
    if ((((a & EXP) + EXP_ONE) | ((b & EXP) + EXP_ONE) | ((c & EXP) + EXP_ONE) | ((d & EXP) + EXP_ONE)) < 0) {
      refuseNonFinite(body, i, i + 4);
    }
    bits[i] = a;
    bits[i + 1] = b;
    bits[i + 2] = c;
    bits[i + 3] = d;
  }
  for (; i < dim; i++) {
    const x = body.getInt32(4 * i);
    if ((x & EXP) === EXP) refuseNonFinite(body, i, i + 1);
    bits[i] = x;
  }
  return out;
}

/** Throw NOT_FINITE for the first NaN or ±Infinity among elements `from`..`to - 1`. */
function refuseNonFinite(body: DataView, from: number, to: number): void {
  for (let i = from; i < to; i++) checkFinite(body.getFloat32(4 * i), i, 'vector');
}

/** Coerce a vector-like value (Vector, array, typed array) to float32 values. */
export function denseValues(value: unknown, typeName = 'vector'): Float32Array {
  if (isVector(value)) return value.toFloat32Array();
  if (Array.isArray(value) || value instanceof Float32Array || value instanceof Float64Array) {
    return toFloat32(value as DenseInput, typeName);
  }
  throw new VecpgError(
    'INVALID_VALUE',
    `expected a ${typeName} (Vector or array of numbers), got ${describeValue(value)}`,
  );
}
