import { VecpgError } from '../errors.ts';
import { type DenseInput } from './dense.ts';
import { INSPECT_CUSTOM, inspectSparse } from './inspect.ts';
import {
  type SparseEntries,
  type SparseStorage,
  buildSparse,
  checkSparseDimensions,
  formatSparseText,
  parseSparseText,
  readSparseBinary,
  sparseFromEntries,
} from './sparsevec-codec.ts';

export { checkSparseDimensions, type SparseEntries } from './sparsevec-codec.ts';

const BRAND = Symbol.for('vecpg.sparsevec');

/** Set just before a constructor call by the static builders, whose storage is already validated. */
let trusted: SparseStorage | null = null;

/**
 * A sparse float32 vector: pgvector's `sparsevec(n)`. Indices are **0-based**, like the Django walkthrough's
 * Python `SparseVector({0: 5.5, 42: 1.2}, 10000)`; the shift to pgvector's 1-based text happens
 * only inside `toSql()` / `fromSql()`.
 *
 * @example
 * const s = new SparseVector({ 0: 1, 2: 2, 4: 3 }, 5);
 * s.toSql();   // '{1:1,3:2,5:3}/5'
 * s.indices;   // [0, 2, 4]
 */
export class SparseVector {
  /** pgvector's binary format (see {@link SparseStorage}); nnz indices at byte 12, then nnz values. */
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #nnz: number;
  readonly #dimensions: number;

  /** From `{index: value}` (0-based keys) and a dimension count, or from a dense array. */
  constructor(entries: SparseEntries | DenseInput, dimensions?: number) {
    const built = trusted ?? sparseFromEntries(entries, dimensions);
    trusted = null;
    this.#bytes = built.bytes;
    this.#view = built.view;
    this.#nnz = built.nnz;
    this.#dimensions = built.dimensions;
  }

  #index(k: number): number {
    return this.#view.getInt32(12 + 4 * k);
  }

  #value(k: number): number {
    return this.#view.getFloat32(12 + 4 * this.#nnz + 4 * k);
  }

  /** From parallel arrays of 0-based indices and values (any order; duplicates refused). */
  static fromIndices(indices: ArrayLike<number>, values: ArrayLike<number>, dimensions: number): SparseVector {
    if (indices?.length !== values?.length) {
      throw new VecpgError(
        'DIMENSION_MISMATCH',
        `sparsevec has ${indices?.length} indices but ${values?.length} values`,
      );
    }
    const dims = checkSparseDimensions(dimensions);
    return SparseVector.#of(buildSparse(Array.from(indices), Array.from(values), dims));
  }

  /** A SparseVector over storage the codecs have already validated. */
  static #of(storage: SparseStorage): SparseVector {
    trusted = storage;
    return new SparseVector({}, storage.dimensions);
  }

  get dimensions(): number {
    return this.#dimensions;
  }

  /** Number of non-zero elements. */
  get nnz(): number {
    return this.#nnz;
  }

  /** 0-based indices of the non-zero elements, ascending (a new array each call). */
  get indices(): number[] {
    const out = new Array<number>(this.#nnz);
    for (let k = 0; k < out.length; k++) out[k] = this.#index(k);
    return out;
  }

  /** The non-zero values, in index order (a new array each call). */
  get values(): number[] {
    const out = new Array<number>(this.#nnz);
    for (let k = 0; k < out.length; k++) out[k] = this.#value(k);
    return out;
  }

  /** Dense form (beware: allocates `dimensions` numbers). */
  toArray(): number[] {
    const out = new Array<number>(this.#dimensions).fill(0);
    for (let k = 0; k < this.#nnz; k++) out[this.#index(k)] = this.#value(k);
    return out;
  }

  /** `{index: value}` with 0-based keys. */
  toObject(): Record<number, number> {
    const out: Record<number, number> = {};
    for (let k = 0; k < this.#nnz; k++) out[this.#index(k)] = this.#value(k);
    return out;
  }

  /** pgvector text: `{1:1.5,3:2}/6`, indices shifted to pgvector's 1-based text form. */
  toSql(): string {
    return formatSparseText({ bytes: this.#bytes, view: this.#view, nnz: this.#nnz, dimensions: this.#dimensions });
  }

  toString(): string {
    return this.toSql();
  }

  /** JSON form with 0-based indices: `{ indices, values, dimensions }`. */
  toJSON(): { indices: number[]; values: number[]; dimensions: number } {
    return { indices: this.indices, values: this.values, dimensions: this.#dimensions };
  }

  toPostgres(): string {
    return this.toSql();
  }

  /** `int32 dim | int32 nnz | int32 0 | nnz × int32 index (0-based) | nnz × float32`, big-endian. */
  toBinary(): Uint8Array {
    return new Uint8Array(this.#bytes);
  }

  equals(other: unknown): boolean {
    if (!isSparseVector(other) || other.dimensions !== this.#dimensions || other.nnz !== this.nnz) return false;
    const oi = other.indices;
    const ov = other.values;
    for (let k = 0; k < oi.length; k++) if (oi[k] !== this.#index(k) || ov[k] !== this.#value(k)) return false;
    return true;
  }

  /** Parse pgvector text `{1:1.5,3:2}/6` (1-based indices) into 0-based indices. */
  static fromSql(text: string): SparseVector {
    return SparseVector.#of(parseSparseText(text));
  }

  /** Parse pgvector's binary format, refusing anything the server would refuse. */
  static fromBinary(input: Uint8Array | ArrayBuffer | ArrayBufferView): SparseVector {
    return SparseVector.#of(readSparseBinary(input));
  }

  /** What `console.log` / `util.inspect` print: `SparseVector(10000, nnz 2) {0: 5.5, 42: 1.2}` (0-based indices). */
  [INSPECT_CUSTOM](): string {
    return inspectSparse(this.#dimensions, this.indices, this.values);
  }

  get [Symbol.toStringTag](): string {
    return 'SparseVector';
  }

  static {
    Object.defineProperty(this.prototype, BRAND, { value: true });
  }
}

export function isSparseVector(value: unknown): value is SparseVector {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
