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
  checkDistance,
  checkIndexDimensions,
  checkIndexMethod,
  checkVectorType,
  isSparseObject,
  operatorFor,
  opclassFor,
  typeOfValue,
  type DistanceInfo,
  type DistanceName,
  type IndexMethod,
  type SparseObject,
  type VectorType,
} from './sql/operators.ts';
export {
  paramCast,
  toVectorValue,
  vectorParam,
  vectorParamBinary,
  type VectorInput,
  type VectorValueOf,
} from './sql/params.ts';
export {
  binaryColumnSql,
  byteaHexToBytes,
  decodeVectorColumn,
  readsBinary,
  type BinaryReadType,
} from './sql/vector-output.ts';
export { convertStorageSql, type ConvertStorageOptions, type StorageRewrite } from './sql/storage.ts';
export {
  BIT_MAX_LENGTH,
  binaryQuantizeExpression,
  castExpression,
  columnTypeSql,
  createExtensionSql,
  createIndexSql,
  defaultIndexName,
  dropExtensionSql,
  dropIndexSql,
  setStorageSql,
  type ColumnStorage,
  type CreateIndexOptions,
} from './sql/ddl.ts';
export {
  buildSimilarityQuery,
  distanceSql,
  exactOrderSql,
  type SimilarityQueryOptions,
  type SqlQuery,
  type WhereValue,
} from './sql/query.ts';
export {
  applySearchSettings,
  searchSettingsSql,
  validateSearchSettings,
  withSearchSettings,
  type SearchSettings,
} from './sql/settings.ts';
export {
  CITUS_DETECT_SQL,
  citusSearchSettingsSql,
  citusTableInfo,
  distributeTableSql,
  inlineParameters,
  isCitus,
  referenceTableSql,
  type CitusTableInfo,
  type DistributeOptions,
  type RunStatement,
} from './sql/citus.ts';
export { DEFAULT_K, search, searchLimit, searchMode, type SearchOptions } from './sql/search.ts';
export {
  buildHybridQuery,
  hybridSearch,
  type HybridFields,
  type HybridRows,
  type HybridSearchOptions,
} from './sql/hybrid.ts';
export {
  buildRerankQuery,
  quantizedExpression,
  rerankSearch,
  type QuantizedForm,
  type RerankOptions,
  type RerankSearchOptions,
} from './sql/rerank.ts';
export {
  checkDistanceBound,
  validateSearchOptions,
  type SearchContract,
  type ValidSearch,
} from './sql/search-options.ts';
export {
  isSqlFilter,
  sqlFilter,
  type ColumnFilter,
  type FilterValue,
  type SearchFilter,
  type SqlFilter,
  type Where,
} from './sql/filters.ts';
export {
  COSINE_MAX_NORM,
  COSINE_MIN_NORM,
  HALF_MAX,
  float32SumError,
  prepareCertifiedQuery,
  type CertifiedDistance,
  type CertifiedQuery,
} from './sql/certified-bound.ts';
export {
  addCertifiedColumnsSql,
  certifiedColumnDefinitions,
  certifiedColumns,
  certifiedGeneratedColumns,
  certifiedStorageSql,
  checkCertifiedDistance,
  type CertifiedColumns,
  type GeneratedColumn,
} from './sql/certified-ddl.ts';
export {
  buildCertifiedQuery,
  checkCertificate,
  type Certificate,
  type CertifiedQueryOptions,
  type TryOutcome,
} from './sql/certified-query.ts';
export {
  runCertifiedSearch,
  type CertifiedRows,
  type CertifiedSearchContext,
  type CertifiedSearchOptions,
} from './sql/certified-search.ts';
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
  aggregateExpressionSql,
  aggregateVectors,
  buildAggregateQuery,
  centroids,
  checkAggregate,
  checkAggregateType,
  columnVectorTypeOf,
  parseAggregate,
  vectorAggregateSql,
  type AggregateQueryOptions,
  type AggregateType,
  type AggregateValueOf,
  type CentroidRow,
  type VectorAggregate,
  type VectorAggregateRow,
} from './sql/aggregates.ts';
// --- end sql layer ---
