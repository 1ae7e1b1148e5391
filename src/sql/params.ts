import { VecpgError, describeValue } from '../errors.ts';
import { Bit, isBit } from '../types/bit.ts';
import { HalfVector, isHalfVector } from '../types/halfvec.ts';
import { SparseVector, isSparseVector } from '../types/sparsevec.ts';
import { Vector, isVector } from '../types/vector.ts';
import { type SparseObject, type VectorType, checkVectorType, isSparseObject } from './operators.ts';

/** Any value vecpg accepts where a vector parameter is expected. */
export type VectorInput =
  | Vector
  | HalfVector
  | SparseVector
  | Bit
  | readonly number[]
  | Float32Array
  | Float64Array
  | SparseObject
  | string
  | readonly boolean[];

/** The value class for each pgvector type. */
export interface VectorValueOf {
  vector: Vector;
  halfvec: HalfVector;
  sparsevec: SparseVector;
  bit: Bit;
}

function isDense(value: unknown): value is readonly number[] | Float32Array | Float64Array {
  return (
    (Array.isArray(value) && value.every((x) => typeof x === 'number')) ||
    value instanceof Float32Array ||
    value instanceof Float64Array
  );
}

function refuse(value: unknown, type: VectorType, accepted: string): never {
  throw new VecpgError('INVALID_VALUE', `a ${type} parameter must be ${accepted}, got ${describeValue(value)}`, {
    details: { type },
  });
}

/**
 * Convert (and validate) an input to the value class of `type`. Dense inputs (arrays, typed
 * arrays, Vector, HalfVector) convert between `vector` and `halfvec`; a dense array also makes a
 * sparsevec. This is the single encoding step: the text parameter is its `toSql()`, and a binary
 * parameter will be its `toBinary()`.
 *
 * @example
 * toVectorValue([1, 2], 'halfvec'); // HalfVector [1, 2]
 * toVectorValue({ indices: [0], values: [5.5], dimensions: 3 }, 'sparsevec').toSql(); // '{1:5.5}/3'
 */
export function toVectorValue<T extends VectorType>(value: unknown, type: T): VectorValueOf[T];
export function toVectorValue(value: unknown, type: VectorType): Vector | HalfVector | SparseVector | Bit {
  switch (checkVectorType(type)) {
    case 'vector':
      if (isVector(value)) return value;
      if (isHalfVector(value)) return new Vector(value.toArray());
      if (isDense(value)) return new Vector(value);
      return refuse(value, 'vector', 'a Vector, a HalfVector, an array of numbers or a Float32Array');
    case 'halfvec':
      if (isHalfVector(value)) return value;
      if (isVector(value)) return new HalfVector(value.toArray());
      if (isDense(value)) return new HalfVector(value);
      return refuse(value, 'halfvec', 'a HalfVector, a Vector, an array of numbers or a Float32Array');
    case 'sparsevec':
      if (isSparseVector(value)) return value;
      if (isSparseObject(value)) return SparseVector.fromIndices(value.indices, value.values, value.dimensions);
      if (isDense(value)) return new SparseVector(value);
      return refuse(
        value,
        'sparsevec',
        'a SparseVector, { indices, values, dimensions } with 0-based indices, or a dense array',
      );
    case 'bit':
      if (isBit(value)) return value;
      if (typeof value === 'string') return new Bit(value);
      if (Array.isArray(value) && value.every((x) => typeof x === 'boolean')) return Bit.fromBooleans(value);
      return refuse(value, 'bit', 'a Bit, a string of 0s and 1s, or an array of booleans');
  }
}

/**
 * The text parameter to bind as `$n::<type>`: pgvector's text form of the validated value.
 *
 * @example
 * await db.query('SELECT * FROM items ORDER BY embedding <-> $1::vector LIMIT 5', [vectorParam([1, 2, 3], 'vector')]);
 * vectorParam({ indices: [0, 2], values: [1, 2], dimensions: 5 }, 'sparsevec'); // '{1:1,3:2}/5'
 */
export function vectorParam(value: unknown, type: VectorType): string {
  return toVectorValue(value, type).toSql();
}

/**
 * The SQL type to cast a parameter to. A bit parameter is cast to `bit(n)` with its own length,
 * because a bare `::bit` means `bit(1)` and would silently truncate it; an empty one is `varbit`.
 *
 * @example
 * paramCast('vector');           // 'vector'
 * paramCast('bit', new Bit('101')); // 'bit(3)'
 */
export function paramCast(type: VectorType, value?: Vector | HalfVector | SparseVector | Bit): string {
  if (type !== 'bit') return checkVectorType(type);
  if (!isBit(value))
    throw new VecpgError(
      'INVALID_VALUE',
      `a bit parameter needs its value to know its length, got ${describeValue(value)}`,
    );
  // bit(0) is not a type; a zero-length bit string (valid for pgvector's distances) is a varbit.
  return value.length === 0 ? 'varbit' : `bit(${value.length})`;
}

/**
 * The binary parameter to bind as `$n::<type>`: pgvector's send format of the validated value (the
 * same value {@link vectorParam} writes as text). Only for drivers that send a `Uint8Array` in binary
 * format: node-postgres does, PGlite does with vecpg's serializers (`VecpgDb.binaryParams`).
 *
 * @example
 * await client.query('SELECT $1::vector AS v', [vectorParamBinary([1, 2, 3], 'vector')]); // v = '[1,2,3]'
 */
export function vectorParamBinary(value: unknown, type: VectorType): Uint8Array {
  return toVectorValue(value, type).toBinary();
}
