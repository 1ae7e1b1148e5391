/**
 * vecpg — vector similarity search for TypeScript on PostgreSQL + pgvector.
 *
 * The core (this entry point) has no runtime dependencies and does no I/O: value types,
 * codecs, client-side distances, and the SQL layer. Drivers and ORMs live in subpaths
 * (`vecpg/pg`, `vecpg/postgres`, `vecpg/pglite`, `vecpg/drizzle`, …).
 */
export { VecpgError, isVecpgError, type VecpgErrorCode, type VecpgErrorOptions } from './errors.ts';
export { Vector, isVector } from './types/vector.ts';
export { HalfVector, isHalfVector } from './types/halfvec.ts';
export { SparseVector, isSparseVector, type SparseEntries } from './types/sparsevec.ts';
export { Bit, isBit } from './types/bit.ts';
export { type DenseInput } from './types/dense.ts';
export { formatFloat32, roundToHalf } from './types/float.ts';
export { type IndexBase, fromBase, toBase } from './types/index-base.ts';
export * from './types/limits.ts';
export {
  l2Distance,
  maxInnerProduct,
  innerProduct,
  cosineDistance,
  l1Distance,
  hammingDistance,
  jaccardDistance,
  type VectorLike,
  type DenseLike,
  type BitLike,
} from './distance.ts';
