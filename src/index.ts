/**
 * vecpg — vector similarity search for TypeScript on PostgreSQL + pgvector.
 *
 * The core (this entry point) has no runtime dependencies and does no I/O: value types,
 * codecs, client-side distances, and the SQL layer. Drivers and ORMs live in subpaths
 * (`vecpg/pg`, `vecpg/postgres`, `vecpg/pglite`, `vecpg/drizzle`, …).
 */
export {
  VecpgError,
  isVecpgError,
  optionHintText,
  type OptionHint,
  type VecpgErrorCode,
  type VecpgErrorOptions,
} from './errors.ts';
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
export {
  l2Norm,
  l2Normalize,
  subvector,
  binaryQuantize,
  add,
  subtract,
  multiply,
  concat,
  type DenseVectorInput,
  type MathInput,
} from './vector-math.ts';
// --- sql layer ---
export type { Row, SqlExecutor, VecpgDb, VectorOutput } from './sql/executor.ts';
export { MAX_IDENTIFIER_BYTES, quoteIdent, quoteQualified, type QualifiedName } from './sql/identifiers.ts';
export {
  DISTANCES,
  VECTOR_TYPES,
  INDEX_METHODS,
  type DistanceName,
  type IndexMethod,
  type SparseObject,
  type VectorType,
} from './sql/operators.ts';
export { type VectorInput } from './sql/params.ts';
export { convertStorageSql, type ConvertStorageOptions, type StorageRewrite } from './sql/storage.ts';
export {
  BIT_MAX_LENGTH,
  columnTypeSql,
  createExtensionSql,
  createIndexSql,
  dropExtensionSql,
  dropIndexSql,
  setStorageSql,
  type ColumnStorage,
  type CreateIndexOptions,
} from './sql/ddl.ts';
export { buildSimilarityQuery, type SimilarityQueryOptions, type SqlQuery, type WhereValue } from './sql/query.ts';
export {
  applySearchSettings,
  validateSearchSettings,
  withSearchSettings,
  type SearchSettings,
} from './sql/settings.ts';
export {
  citusTableInfo,
  distributeTableSql,
  isCitus,
  referenceTableSql,
  type CitusTableInfo,
  type DistributeOptions,
} from './sql/citus.ts';
export { DEFAULT_K, search, type SearchOptions } from './sql/search.ts';
export {
  hybridSearch,
  type HybridFields,
  type HybridFusionOptions,
  type HybridRows,
  type HybridSearchOptions,
} from './sql/hybrid.ts';
export {
  quantizedExpression,
  rerankSearch,
  type QuantizedForm,
  type RerankOptions,
  type RerankSearchOptions,
} from './sql/rerank.ts';
export {
  sqlFilter,
  type ColumnFilter,
  type FilterValue,
  type SearchFilter,
  type SqlFilter,
  type Where,
} from './sql/filters.ts';
export { addCertifiedColumnsSql, dropCertifiedColumnsSql } from './sql/certified-ddl.ts';
export { type Certificate } from './sql/certified-query.ts';
export { type CertifiedRows, type CertifiedSearchOptions } from './sql/certified-search.ts';
export { type CertifiedLayout } from './sql/certified-bound.ts';
export {
  FEATURE_VERSIONS,
  compareVersions,
  extensionInfo,
  requireFeature,
  type ExtensionInfo,
  type VectorFeature,
} from './sql/version.ts';
export {
  VECTOR_AGGREGATES,
  aggregateVectors,
  centroids,
  vectorAggregateSql,
  type AggregateType,
  type AggregateValueOf,
  type CentroidRow,
  type VectorAggregate,
  type VectorAggregateRow,
} from './sql/aggregates.ts';
// --- end sql layer ---
