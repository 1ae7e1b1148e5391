import { VecpgError, describeValue } from '../errors.ts';
import { asBytes, expectLength, viewOf } from './binary.ts';
import { type DenseInput, checkDenseLength, formatDenseText, parseDenseText } from './dense.ts';
import { float32ToHalfBits, halfBitsToNumber } from './float.ts';
import { HALF_MAX } from './limits.ts';
import { INSPECT_CUSTOM, inspectDense } from './inspect.ts';

const BRAND = Symbol.for('vecpg.halfvec');

/** Convert numbers to binary16 bits the way the server does (number → float32 → half), checking range. */
function toHalfBits(input: DenseInput | Uint16Array, typeName: string): Uint16Array {
  if (input === null || typeof input !== 'object' || typeof (input as ArrayLike<number>).length !== 'number') {
    throw new VecpgError('INVALID_VALUE', `${typeName} expects an array of numbers, got ${describeValue(input)}`);
  }
  const n = input.length;
  checkDenseLength(n, typeName);
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const x = input[i];
    if (typeof x !== 'number') {
      throw new VecpgError('INVALID_VALUE', `${typeName} element ${i} is not a number: ${describeValue(x)}`);
    }
    if (Number.isNaN(x)) throw new VecpgError('NOT_FINITE', `NaN not allowed in ${typeName} (element ${i})`);
    const bits = float32ToHalfBits(x);
    if ((bits & 0x7c00) === 0x7c00) {
      throw new VecpgError(
        'NOT_FINITE',
        `infinite value not allowed in ${typeName} (element ${i}: ${x} is beyond the float16 range ±${HALF_MAX})`,
        { details: { position: i, value: x } },
      );
    }
    out[i] = bits;
  }
  return out;
}

/**
 * A dense float16 vector: pgvector's `halfvec(n)`. Values are rounded to the nearest float16 on
 * construction, so what you read back from the object is exactly what the server will store.
 *
 * @example
 * new HalfVector([0.1, 2]).toArray(); // [0.0999755859375, 2]
 */
/** Set just before a constructor call by the binary decoder, which has already validated fresh bits. */
let trusted: Uint16Array | null = null;

export class HalfVector {
  readonly #bits: Uint16Array;

  constructor(values: DenseInput) {
    this.#bits = trusted ?? toHalfBits(values, 'halfvec');
    trusted = null;
  }

  get dimensions(): number {
    return this.#bits.length;
  }

  /** The float16 values as numbers (exact). */
  toArray(): number[] {
    const out = new Array<number>(this.#bits.length);
    for (let i = 0; i < out.length; i++) out[i] = halfBitsToNumber(this.#bits[i]!);
    return out;
  }

  toFloat32Array(): Float32Array {
    return Float32Array.from(this.toArray());
  }

  /** The raw IEEE binary16 bit patterns (a copy). */
  toHalfBits(): Uint16Array {
    return this.#bits.slice();
  }

  /** pgvector text, as the server prints it (each half printed as its shortest float32 form). */
  toSql(): string {
    return formatDenseText(this.toArray());
  }

  toString(): string {
    return this.toSql();
  }

  toJSON(): number[] {
    return this.toArray();
  }

  toPostgres(): string {
    return this.toSql();
  }

  /** `uint16 dim | uint16 0 | dim × binary16`, big-endian. */
  toBinary(): Uint8Array {
    const n = this.#bits.length;
    const out = new Uint8Array(4 + 2 * n);
    const view = viewOf(out);
    view.setUint16(0, n);
    for (let i = 0; i < n; i++) view.setUint16(4 + 2 * i, this.#bits[i]!);
    return out;
  }

  equals(other: unknown): boolean {
    if (!isHalfVector(other) || other.dimensions !== this.dimensions) return false;
    const a = this.toArray();
    const b = other.toArray();
    return a.every((x, i) => x === b[i]);
  }

  static fromSql(text: string): HalfVector {
    return new HalfVector(parseDenseText(text, 'halfvec'));
  }

  static fromBinary(input: Uint8Array | ArrayBuffer | ArrayBufferView): HalfVector {
    const bytes = asBytes(input, 'halfvec');
    if (bytes.byteLength < 4) expectLength(bytes, 4, 'halfvec', 'the header');
    const view = viewOf(bytes);
    const dim = view.getUint16(0);
    const unused = view.getUint16(2);
    if (unused !== 0) {
      throw new VecpgError('INVALID_BINARY', `invalid halfvec binary: unused header field must be 0, got ${unused}`);
    }
    checkDenseLength(dim, 'halfvec');
    expectLength(bytes, 4 + 2 * dim, 'halfvec', `${dim} dimensions`);
    const bits = new Uint16Array(dim);
    for (let i = 0; i < dim; i++) {
      const h = view.getUint16(4 + 2 * i);
      if ((h & 0x7c00) === 0x7c00) {
        throw new VecpgError('NOT_FINITE', `invalid halfvec binary: element ${i} is NaN or infinite`);
      }
      bits[i] = h;
    }
    trusted = bits;
    return new HalfVector(bits);
  }

  /** What `console.log` / `util.inspect` print: `HalfVector(2) [0.1, 2]` (first values only when long). */
  [INSPECT_CUSTOM](): string {
    return inspectDense('HalfVector', this.toArray());
  }

  get [Symbol.toStringTag](): string {
    return 'HalfVector';
  }

  static {
    Object.defineProperty(this.prototype, BRAND, { value: true });
  }
}

export function isHalfVector(value: unknown): value is HalfVector {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
