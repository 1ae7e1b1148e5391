import { VecpgError, describeValue } from './errors.ts';
import { Bit, isBit } from './types/bit.ts';
import { isHalfVector } from './types/halfvec.ts';
import { isSparseVector, type SparseVector } from './types/sparsevec.ts';
import { denseValues, isVector } from './types/vector.ts';

/**
 * Client-side distances with pgvector's definitions, for re-ranking, tests, and checking results.
 * They accept the value types or plain arrays; both sides must be the same kind and size.
 *
 * pgvector computes in float32: every difference and product is a float32, summed into a float32.
 * These functions round each element-wise result to float32 (`Math.fround`) and the sum to float32 at
 * the end, so they agree with the server at the edges too — a sum beyond float32's range is
 * `Infinity` (and cosine `NaN` when the dot product and a norm both overflow), a product below it is
 * 0 — while summing in float64 in between. The server sums in a vectorized order, so ordinary results
 * agree to ~1e-6 relative, not bit for bit. Where terms overflow to +∞ and −∞ in one sum these give
 * NaN, like pgvector on PGlite; pgvector built with fused multiply-adds (x86 servers) may give ±∞.
 */
export type DenseLike = readonly number[] | Float32Array | Float64Array | { toArray(): number[] };
export type VectorLike = DenseLike | SparseVector;
export type BitLike = Bit | string;

const f32 = Math.fround;

function dense(x: unknown): ArrayLike<number> {
  if (isVector(x)) return x.toFloat32Array();
  if (isHalfVector(x)) return x.toArray();
  return denseValues(x);
}

function sameSize(a: number, b: number, what = 'vector dimensions'): void {
  if (a !== b) throw new VecpgError('DIMENSION_MISMATCH', `different ${what} ${a} and ${b}`, { details: { a, b } });
}

/** Walk two sparse vectors in index order, calling `f(x, y)` for every index non-zero in either. */
function mergeSparse(a: SparseVector, b: SparseVector, f: (x: number, y: number) => void): void {
  sameSize(a.dimensions, b.dimensions, 'sparse vector dimensions');
  const ai = a.indices,
    av = a.values,
    bi = b.indices,
    bv = b.values;
  let i = 0,
    j = 0;
  while (i < ai.length || j < bi.length) {
    const x = i < ai.length ? ai[i]! : Infinity;
    const y = j < bi.length ? bi[j]! : Infinity;
    if (x === y) f(av[i++]!, bv[j++]!);
    else if (x < y) f(av[i++]!, 0);
    else f(0, bv[j++]!);
  }
}

/** Call `f` for every pair of elements; handles dense and sparse pairs. */
function pairs(a: VectorLike, b: VectorLike, f: (x: number, y: number) => void): void {
  const as = isSparseVector(a),
    bs = isSparseVector(b);
  if (as && bs) return mergeSparse(a, b, f);
  if (as || bs) {
    throw new VecpgError(
      'INVALID_VALUE',
      `cannot compare a sparse vector with ${describeValue(as ? b : a)}: convert one side first`,
    );
  }
  const x = dense(a),
    y = dense(b);
  sameSize(x.length, y.length);
  for (let k = 0; k < x.length; k++) f(x[k]!, y[k]!);
}

/** Euclidean distance, like pgvector's `<->`. */
export function l2Distance(a: VectorLike, b: VectorLike): number {
  let s = 0;
  pairs(a, b, (x, y) => {
    const d = f32(x - y);
    s += f32(d * d);
  });
  return Math.sqrt(f32(s));
}

/** Negative inner product, like pgvector's `<#>` (smaller is more similar). */
export function maxInnerProduct(a: VectorLike, b: VectorLike): number {
  let s = 0;
  pairs(a, b, (x, y) => {
    s += f32(x * y);
  });
  return -f32(s);
}

/** Inner product (positive), like pgvector's `inner_product()`. */
export function innerProduct(a: VectorLike, b: VectorLike): number {
  return -maxInnerProduct(a, b);
}

/** Cosine distance `1 - cos(a, b)`, like `<=>`; NaN when either vector is all zeros, as on the server. */
export function cosineDistance(a: VectorLike, b: VectorLike): number {
  let dot = 0,
    na = 0,
    nb = 0;
  pairs(a, b, (x, y) => {
    dot += f32(x * y);
    na += f32(x * x);
    nb += f32(y * y);
  });
  let sim = f32(dot) / Math.sqrt(f32(na) * f32(nb));
  if (Number.isNaN(sim)) return NaN;
  if (sim > 1) sim = 1;
  else if (sim < -1) sim = -1;
  return 1 - sim;
}

/** Taxicab distance, like `<+>`. */
export function l1Distance(a: VectorLike, b: VectorLike): number {
  let s = 0;
  pairs(a, b, (x, y) => {
    s += Math.abs(f32(x - y));
  });
  return f32(s);
}

function bitsOf(x: BitLike): Uint8Array & { bitLength: number } {
  const b = isBit(x) ? x : typeof x === 'string' ? new Bit(x) : null;
  if (b === null) throw new VecpgError('INVALID_VALUE', `expected a Bit or a bit string, got ${describeValue(x)}`);
  return Object.assign(b.toBytes(), { bitLength: b.length });
}

function popcount8(x: number): number {
  x = x - ((x >> 1) & 0x55);
  x = (x & 0x33) + ((x >> 2) & 0x33);
  return (x + (x >> 4)) & 0x0f;
}

/** Number of differing bits, like `<~>`. */
export function hammingDistance(a: BitLike, b: BitLike): number {
  const x = bitsOf(a),
    y = bitsOf(b);
  sameSize(x.bitLength, y.bitLength, 'bit lengths');
  let d = 0;
  for (let k = 0; k < x.length; k++) d += popcount8(x[k]! ^ y[k]!);
  return d;
}

/** Jaccard distance `1 - |a∧b| / |a∨b|`, like `<%>` (1 when no bit is shared). */
export function jaccardDistance(a: BitLike, b: BitLike): number {
  const x = bitsOf(a),
    y = bitsOf(b);
  sameSize(x.bitLength, y.bitLength, 'bit lengths');
  let and = 0,
    aa = 0,
    bb = 0;
  for (let k = 0; k < x.length; k++) {
    and += popcount8(x[k]! & y[k]!);
    aa += popcount8(x[k]!);
    bb += popcount8(y[k]!);
  }
  if (and === 0) return 1;
  return 1 - and / (aa + bb - and);
}
