/**
 * `vecpg/drizzle`: pgvector for Drizzle ORM (drizzle-orm 0.45, drizzle-kit 0.31) on node-postgres,
 * postgres-js and PGlite. Columns whose sparse vectors are `SparseVector`s (never strings), the six
 * distances for dense, sparse and bit columns, HNSW/IVFFlat indexes that drizzle-kit keeps, the
 * extension in a custom migration, and exact or approximate search.
 *
 * @example
 * import { vector, sparsevec, cosineDistance, hnswIndex, vectorSearch } from 'vecpg/drizzle';
 */
export {
  vector,
  halfvec,
  sparsevec,
  bit,
  type VectorColumnConfig,
  type VecpgColumnBuilder,
  type VecpgFieldConfig,
} from './orm/drizzle/columns.ts';
export {
  l2Distance,
  maxInnerProduct,
  cosineDistance,
  l1Distance,
  hammingDistance,
  jaccardDistance,
  vectorDistance,
  exact,
  columnVectorType,
  vectorValueSql,
  type VectorTarget,
} from './orm/drizzle/distance.ts';
export {
  hnswIndex,
  ivfflatIndex,
  type HnswIndexOptions,
  type IvfflatIndexOptions,
  type IndexColumn,
} from './orm/drizzle/indexes.ts';
export {
  vectorExtensionMigration,
  dropVectorExtensionMigration,
  vectorStorageMigration,
  createVectorExtension,
  pgvectorInfo,
  requirePgvector,
  drizzleExecutor,
  certifiedColumnsMigration,
  sqlFromQuery,
  STATEMENT_BREAKPOINT,
  type DrizzleExecutable,
} from './orm/drizzle/migrations.ts';
export {
  vectorSearch,
  withSearchSettings,
  type VectorSearchOptions,
  type VectorSearchRow,
  type DrizzleTransactional,
} from './orm/drizzle/search.ts';
export { hybridSearch, type HybridSearchOptions, type HybridSearchRow } from './orm/drizzle/hybrid.ts';
export type { HybridFields, HybridRows } from './sql/hybrid.ts';
export type { QuantizedForm, RerankOptions } from './sql/rerank.ts';
export type { Certificate } from './sql/certified-query.ts';
export type { CertifiedDistance } from './sql/certified-bound.ts';
export type { CertifiedRows, CertifiedSearchOptions } from './sql/certified-search.ts';
export type { SearchSettings } from './sql/settings.ts';
export type { ExtensionInfo, VectorFeature } from './sql/version.ts';
export type { DistanceName, VectorType } from './sql/operators.ts';
export type { VectorInput } from './sql/params.ts';
export { vectorAggregate, vectorAvg, vectorSum, type AggregateOf } from './orm/drizzle/aggregates.ts';
export type { VectorAggregate } from './sql/aggregates.ts';
export { Vector, HalfVector, SparseVector, Bit, VecpgError } from './index.ts';
