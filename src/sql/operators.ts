import { VecpgError, describeValue } from '../errors.ts';
import { isBit } from '../types/bit.ts';
import { isHalfVector } from '../types/halfvec.ts';
import { INDEX_MAX_DIMENSIONS } from '../types/limits.ts';
import { isSparseVector } from '../types/sparsevec.ts';
import { isVector } from '../types/vector.ts';

/** pgvector's column types. */
export type VectorType = 'vector' | 'halfvec' | 'sparsevec' | 'bit';
/** pgvector's distances, named as in its operator classes (`vector_l2_ops`, `bit_jaccard_ops`, …). */
export type DistanceName = 'l2' | 'ip' | 'cosine' | 'l1' | 'hamming' | 'jaccard';
/** pgvector's approximate index access methods. */
export type IndexMethod = 'hnsw' | 'ivfflat';

/** What pgvector offers for one distance. */
export interface DistanceInfo {
  /** The operator: `a <-> b`. Ascending order is always "most similar first". */
  readonly operator: string;
  /** The SQL function. Beware: `inner_product` is the positive product, while `<#>` returns its negative. */
  readonly function: string;
  /** Column types the operator applies to. */
  readonly types: readonly VectorType[];
  /** Index methods that have an operator class for it. */
  readonly methods: readonly IndexMethod[];
}

/**
 * The one operator table (pgvector 0.8): operator, function, types and index methods per distance.
 *
 * @example
 * DISTANCES.cosine.operator; // '<=>'
 * DISTANCES.hamming.types;   // ['bit']
 */
export const DISTANCES: Readonly<Record<DistanceName, DistanceInfo>> = Object.freeze({
  l2: {
    operator: '<->',
    function: 'l2_distance',
    types: ['vector', 'halfvec', 'sparsevec'],
    methods: ['hnsw', 'ivfflat'],
  },
  ip: {
    operator: '<#>',
    function: 'inner_product',
    types: ['vector', 'halfvec', 'sparsevec'],
    methods: ['hnsw', 'ivfflat'],
  },
  cosine: {
    operator: '<=>',
    function: 'cosine_distance',
    types: ['vector', 'halfvec', 'sparsevec'],
    methods: ['hnsw', 'ivfflat'],
  },
  l1: { operator: '<+>', function: 'l1_distance', types: ['vector', 'halfvec', 'sparsevec'], methods: ['hnsw'] },
  hamming: { operator: '<~>', function: 'hamming_distance', types: ['bit'], methods: ['hnsw', 'ivfflat'] },
  jaccard: { operator: '<%>', function: 'jaccard_distance', types: ['bit'], methods: ['hnsw'] },
});

/**
 * All column types, in pgvector's order.
 *
 * @example
 * VECTOR_TYPES.includes('halfvec'); // true
 */
export const VECTOR_TYPES: readonly VectorType[] = ['vector', 'halfvec', 'sparsevec', 'bit'];
/**
 * All index methods.
 *
 * @example
 * INDEX_METHODS; // ['hnsw', 'ivfflat']
 */
export const INDEX_METHODS: readonly IndexMethod[] = ['hnsw', 'ivfflat'];

/**
 * Check that `value` is one of pgvector's types (INVALID_OPTION otherwise).
 *
 * @example
 * checkVectorType('halfvec'); // 'halfvec'
 */
export function checkVectorType(value: unknown): VectorType {
  if (typeof value === 'string' && (VECTOR_TYPES as readonly string[]).includes(value)) return value as VectorType;
  throw new VecpgError(
    'INVALID_OPTION',
    `unknown vector type ${describeValue(value)}; expected one of ${VECTOR_TYPES.join(', ')}`,
  );
}

/**
 * Check that `value` is a distance name (INVALID_OPTION otherwise).
 *
 * @example
 * checkDistance('cosine'); // 'cosine'
 */
export function checkDistance(value: unknown): DistanceName {
  if (typeof value === 'string' && Object.hasOwn(DISTANCES, value)) return value as DistanceName;
  throw new VecpgError(
    'INVALID_OPTION',
    `unknown distance ${describeValue(value)}; expected one of ${Object.keys(DISTANCES).join(', ')}`,
  );
}

/**
 * Check that `value` is an index method (INVALID_OPTION otherwise).
 *
 * @example
 * checkIndexMethod('hnsw'); // 'hnsw'
 */
export function checkIndexMethod(value: unknown): IndexMethod {
  if (value === 'hnsw' || value === 'ivfflat') return value;
  throw new VecpgError('INVALID_OPTION', `unknown index method ${describeValue(value)}; expected hnsw or ivfflat`);
}

/**
 * The operator for a distance on a type, refusing combinations pgvector lacks (UNSUPPORTED).
 *
 * @example
 * operatorFor('sparsevec', 'ip'); // '<#>'
 * operatorFor('vector', 'hamming'); // throws UNSUPPORTED
 */
export function operatorFor(type: VectorType, distance: DistanceName): string {
  const t = checkVectorType(type);
  const info = DISTANCES[checkDistance(distance)];
  if (!info.types.includes(t)) {
    const fix =
      t === 'bit'
        ? 'bit columns support hamming and jaccard'
        : `${distance} applies to bit values: quantize with binary_quantize(column)::bit(n), or use l2, ip, cosine or l1`;
    throw new VecpgError('UNSUPPORTED', `pgvector has no ${distance} distance for ${t} (${fix})`, {
      details: { type: t, distance },
    });
  }
  return info.operator;
}

/**
 * The operator class for an index on `type` with `distance` and `method`, from pgvector's table.
 * Throws UNSUPPORTED with the reason and the fix for combinations pgvector lacks.
 *
 * @example
 * opclassFor('halfvec', 'cosine', 'hnsw');   // 'halfvec_cosine_ops'
 * opclassFor('sparsevec', 'l2', 'ivfflat');  // throws UNSUPPORTED: IVFFlat has no sparsevec support
 */
export function opclassFor(type: VectorType, distance: DistanceName, method: IndexMethod): string {
  operatorFor(type, distance);
  const m = checkIndexMethod(method);
  if (m === 'ivfflat' && type === 'sparsevec') {
    throw new VecpgError('UNSUPPORTED', 'IVFFlat indexes do not support sparsevec; use method "hnsw"', {
      details: { type, distance, method },
    });
  }
  if (!DISTANCES[distance].methods.includes(m)) {
    throw new VecpgError(
      'UNSUPPORTED',
      `IVFFlat has no operator class for ${distance} distance on ${type}; use method "hnsw"`,
      {
        details: { type, distance, method },
      },
    );
  }
  return `${type}_${distance}_ops`;
}

/**
 * Refuse (UNSUPPORTED) an index on more dimensions than pgvector can index: vector 2,000,
 * halfvec 4,000, bit 64,000. For sparsevec the limit (1,000) is on non-zeros per row, which only
 * the server can check, so any dimension count passes here.
 *
 * @example
 * checkIndexDimensions('vector', 3072, 'hnsw'); // throws UNSUPPORTED: index (embedding::halfvec(3072)) instead
 */
export function checkIndexDimensions(type: VectorType, dimensions: number, method: IndexMethod): void {
  if (type === 'sparsevec') return;
  const max = INDEX_MAX_DIMENSIONS[type];
  if (dimensions > max) {
    const fix =
      type === 'vector'
        ? `index an expression instead: (column::halfvec(${dimensions})) up to 4,000 dimensions, or binary_quantize(column)::bit(${dimensions})`
        : type === 'halfvec'
          ? `index binary_quantize(column::vector)::bit(${dimensions}) and re-rank exactly`
          : 'reduce the number of bits';
    throw new VecpgError(
      'UNSUPPORTED',
      `${method} indexes support at most ${max} dimensions for ${type}, got ${dimensions}: ${fix}`,
      {
        details: { type, dimensions, max },
      },
    );
  }
}

/**
 * The pgvector type a query value belongs to: Vector or a number array → vector, HalfVector →
 * halfvec, SparseVector or `{ indices, values, dimensions }` → sparsevec, Bit or a 0/1 string → bit.
 *
 * @example
 * typeOfValue([1, 2, 3]);  // 'vector'
 * typeOfValue('1010');     // 'bit'
 */
export function typeOfValue(value: unknown): VectorType {
  if (isVector(value) || Array.isArray(value) || value instanceof Float32Array || value instanceof Float64Array)
    return 'vector';
  if (isHalfVector(value)) return 'halfvec';
  if (isSparseVector(value) || isSparseObject(value)) return 'sparsevec';
  if (isBit(value) || (typeof value === 'string' && /^[01]+$/.test(value))) return 'bit';
  throw new VecpgError(
    'INVALID_VALUE',
    `cannot tell the pgvector type of ${describeValue(value)}; pass a Vector, HalfVector, SparseVector, Bit, an array of numbers or a 0/1 string`,
  );
}

/** `{ indices, values, dimensions }`: the JSON form of a SparseVector (0-based indices). */
export interface SparseObject {
  readonly indices: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly dimensions: number;
}

/**
 * True for a `{ indices, values, dimensions }` object (a SparseVector's JSON form).
 *
 * @example
 * isSparseObject({ indices: [0], values: [1.5], dimensions: 3 }); // true
 */
export function isSparseObject(value: unknown): value is SparseObject {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof SparseObject, unknown>>;
  return typeof v.dimensions === 'number' && isArrayLike(v.indices) && isArrayLike(v.values);
}

function isArrayLike(x: unknown): boolean {
  return Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
}
