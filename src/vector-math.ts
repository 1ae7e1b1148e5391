import { VecpgError, describeValue } from './errors.ts';
import { Bit } from './types/bit.ts';
import { float32ToHalfBits, halfBitsToNumber } from './types/float.ts';
import { HalfVector, isHalfVector } from './types/halfvec.ts';
import { fromBase, toBase } from './types/index-base.ts';
import { MAX_DIMENSIONS } from './types/limits.ts';
import { SparseVector, isSparseVector } from './types/sparsevec.ts';
import { Vector, denseValues, isVector } from './types/vector.ts';

/**
 * pgvector's vector functions, computed in TypeScript with the server's arithmetic: `vector` elements
 * are float32 and every element-wise result is rounded to float32 (`Math.fround`), `halfvec` results
 * are rounded through float32 to float16 as the server does, norms accumulate in float64 like
 * `vector_norm`/`l2_norm`. Results that overflow throw `VALUE_OUT_OF_RANGE` where the server raises
 * "value out of range". Plain arrays and typed arrays are taken as `vector` values (float32).
 *
 * Positions are 0-based, as everywhere in vecpg: `subvector(v, start, count)` is SQL's
 * `subvector(v, start + 1, count)`; the conversion is `toBase`/`fromBase` (src/types/index-base.ts).
 */
export type DenseVectorInput = Vector | readonly number[] | Float32Array | Float64Array;
export type MathInput = DenseVectorInput | HalfVector | SparseVector;

function halfRound(x: number): number {
  return halfBitsToNumber(float32ToHalfBits(x));
}

function overflow(what: string, position: number, value: number): never {
  throw new VecpgError(
    'VALUE_OUT_OF_RANGE',
    `value out of range: ${what} overflows at element ${position} (${value}), as pgvector would refuse it`,
    { details: { position, value } },
  );
}

/** float32 elements of a dense input (a Vector's own values; arrays rounded as the server stores them). */
function floats(v: DenseVectorInput): Float32Array {
  return isVector(v) ? v.toFloat32Array() : denseValues(v);
}

/** The L2 (Euclidean) norm, like pgvector's `vector_norm(vector)` and `l2_norm(halfvec | sparsevec)`. */
export function l2Norm(v: MathInput): number {
  const xs = isSparseVector(v) ? v.values : isHalfVector(v) ? v.toArray() : floats(v);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]! * xs[i]!;
  return Math.sqrt(s);
}

/**
 * The vector divided by its L2 norm, like pgvector's `l2_normalize`; an all-zero vector stays all zeros.
 * For a `SparseVector`, elements that underflow to zero are dropped, as on the server.
 */
export function l2Normalize(v: SparseVector): SparseVector;
export function l2Normalize(v: HalfVector): HalfVector;
export function l2Normalize(v: DenseVectorInput): Vector;
export function l2Normalize(v: MathInput): Vector | HalfVector | SparseVector {
  const norm = l2Norm(v);
  if (isSparseVector(v)) {
    if (!(norm > 0)) return v;
    const indices: number[] = [];
    const values: number[] = [];
    const vs = v.values,
      is = v.indices;
    for (let i = 0; i < vs.length; i++) {
      const x = Math.fround(vs[i]! / norm);
      if (!Number.isFinite(x)) overflow('l2_normalize', is[i]!, vs[i]!);
      if (x !== 0) {
        indices.push(is[i]!);
        values.push(x);
      }
    }
    return SparseVector.fromIndices(indices, values, v.dimensions);
  }
  if (isHalfVector(v)) {
    const xs = v.toArray();
    if (!(norm > 0)) return v;
    return new HalfVector(
      xs.map((x, i) => {
        const r = halfRound(x / norm);
        if (!Number.isFinite(r)) overflow('l2_normalize', i, x);
        return r;
      }),
    );
  }
  const xs = floats(v);
  const out = new Float32Array(xs.length);
  if (norm > 0) {
    for (let i = 0; i < xs.length; i++) {
      out[i] = xs[i]! / norm;
      if (!Number.isFinite(out[i]!)) overflow('l2_normalize', i, xs[i]!);
    }
  }
  return new Vector(out);
}

/**
 * `count` elements starting at the 0-based position `start`, like pgvector's `subvector(v, start + 1,
 * count)` — including its edge rules, which are those of SQL's `substring`: the range is clipped to
 * the vector (a negative `start` shortens it), and an empty result is an error.
 */
export function subvector(v: HalfVector, start: number, count: number): HalfVector;
export function subvector(v: DenseVectorInput, start: number, count: number): Vector;
export function subvector(v: DenseVectorInput | HalfVector, start: number, count: number): Vector | HalfVector {
  for (const [name, x] of [
    ['start', start],
    ['count', count],
  ] as const) {
    if (!Number.isSafeInteger(x)) {
      throw new VecpgError('INVALID_VALUE', `subvector ${name} must be an integer, got ${describeValue(x)}`);
    }
  }
  const xs = isHalfVector(v) ? v.toArray() : floats(v);
  const dim = xs.length;
  // pgvector's own steps, on its 1-based start.
  let first = toBase(start, 1);
  if (count < 1) throw emptySubvector(start, count, dim);
  const end = first > dim - count ? dim + 1 : first + count;
  if (first < 1) first = 1;
  else if (first > dim) throw emptySubvector(start, count, dim);
  if (end - first < 1) throw emptySubvector(start, count, dim);
  const from = fromBase(first, 1, 'subvector start');
  const part = Array.from(xs.slice(from, from + (end - first)));
  return isHalfVector(v) ? new HalfVector(part) : new Vector(part);
}

function emptySubvector(start: number, count: number, dim: number): VecpgError {
  return new VecpgError(
    'EMPTY_VECTOR',
    `subvector(start ${start}, count ${count}) of a ${dim}-dimension vector has no elements (positions are 0-based)`,
    { details: { start, count, dimensions: dim } },
  );
}

/** One bit per element, set where the element is > 0, like pgvector's `binary_quantize`. */
export function binaryQuantize(v: DenseVectorInput | HalfVector): Bit {
  const xs = isHalfVector(v) ? v.toArray() : floats(v);
  let s = '';
  for (let i = 0; i < xs.length; i++) s += xs[i]! > 0 ? '1' : '0';
  return new Bit(s);
}

type Dense = DenseVectorInput | HalfVector;

function elementwise(
  name: string,
  a: Dense,
  b: Dense,
  op: (x: number, y: number) => number,
  underflowChecked: boolean,
): Vector | HalfVector {
  const half = isHalfVector(a);
  if (half !== isHalfVector(b)) {
    throw new VecpgError(
      'INVALID_VALUE',
      `${name} needs two values of the same type, got ${describeValue(a)} and ${describeValue(b)}`,
    );
  }
  const xs = half ? a.toArray() : floats(a);
  const ys = half ? (b as HalfVector).toArray() : floats(b as DenseVectorInput);
  if (xs.length !== ys.length) {
    throw new VecpgError('DIMENSION_MISMATCH', `different vector dimensions ${xs.length} and ${ys.length}`, {
      details: { a: xs.length, b: ys.length },
    });
  }
  // Each result as the server computes it: in float32, then (halfvec) rounded to float16.
  const round = half ? (x: number) => halfRound(Math.fround(x)) : Math.fround;
  const out = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!,
      y = ys[i]!;
    const r = round(op(x, y));
    if (!Number.isFinite(r)) overflow(name, i, op(x, y));
    if (underflowChecked && r === 0 && x !== 0 && y !== 0) {
      throw new VecpgError(
        'VALUE_OUT_OF_RANGE',
        `value out of range: ${name} underflows at element ${i} (${x} × ${y}), as pgvector would refuse it`,
        { details: { position: i } },
      );
    }
    out[i] = r;
  }
  return half ? new HalfVector(out) : new Vector(out);
}

/** Element-wise sum, like pgvector's `+`. */
export function add(a: HalfVector, b: HalfVector): HalfVector;
export function add(a: DenseVectorInput, b: DenseVectorInput): Vector;
export function add(a: Dense, b: Dense): Vector | HalfVector {
  return elementwise('add', a, b, (x, y) => x + y, false);
}

/** Element-wise difference, like pgvector's `-`. */
export function subtract(a: HalfVector, b: HalfVector): HalfVector;
export function subtract(a: DenseVectorInput, b: DenseVectorInput): Vector;
export function subtract(a: Dense, b: Dense): Vector | HalfVector {
  return elementwise('subtract', a, b, (x, y) => x - y, false);
}

/** Element-wise product, like pgvector's `*` (which refuses results that overflow or underflow to 0). */
export function multiply(a: HalfVector, b: HalfVector): HalfVector;
export function multiply(a: DenseVectorInput, b: DenseVectorInput): Vector;
export function multiply(a: Dense, b: Dense): Vector | HalfVector {
  return elementwise('multiply', a, b, (x, y) => x * y, true);
}

/** The elements of `a` then those of `b`, like pgvector's `||`. */
export function concat(a: HalfVector, b: HalfVector): HalfVector;
export function concat(a: DenseVectorInput, b: DenseVectorInput): Vector;
export function concat(a: Dense, b: Dense): Vector | HalfVector {
  const half = isHalfVector(a);
  if (half !== isHalfVector(b)) {
    throw new VecpgError(
      'INVALID_VALUE',
      `concat needs two values of the same type, got ${describeValue(a)} and ${describeValue(b)}`,
    );
  }
  const xs = half ? a.toArray() : Array.from(floats(a));
  const ys = half ? (b as HalfVector).toArray() : Array.from(floats(b as DenseVectorInput));
  if (xs.length + ys.length > MAX_DIMENSIONS) {
    throw new VecpgError(
      'TOO_MANY_DIMENSIONS',
      `concat would have ${xs.length + ys.length} dimensions; pgvector allows at most ${MAX_DIMENSIONS}`,
    );
  }
  const all = xs.concat(ys);
  return half ? new HalfVector(all) : new Vector(all);
}
