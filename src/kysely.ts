/**
 * `vecpg/kysely`: pgvector for Kysely (0.27, 0.28 and 0.29). Column types for the `Database` interface that accept
 * every input form, the six distances as typed expressions, Migrator helpers for the extension and
 * indexes, exact or approximate search, and a dialect for embedded PGlite.
 *
 * @example
 * import { PgliteDialect, PgvectorPlugin, cosineDistance, type SparsevecColumn } from 'vecpg/kysely';
 */
export {
  vectorDataType,
  PgvectorPlugin,
  type PgvectorPluginOptions,
  type VectorColumn,
  type HalfvecColumn,
  type SparsevecColumn,
  type BitColumn,
  type DenseColumnInput,
  type SparseColumnInput,
  type BitColumnInput,
} from './orm/kysely/columns.ts';
export {
  l2Distance,
  maxInnerProduct,
  cosineDistance,
  l1Distance,
  hammingDistance,
  jaccardDistance,
  vectorDistance,
  exact,
  vectorValue,
  type VectorRef,
} from './orm/kysely/distance.ts';
export {
  vectorExtensionMigration,
  vectorIndexMigration,
  createVectorExtension,
  dropVectorExtension,
  createVectorIndex,
  dropVectorIndex,
  vectorIndexName,
  setVectorStorage,
  addCertifiedColumns,
  pgvectorInfo,
  requirePgvector,
  kyselyExecutor,
  type VectorIndexOptions,
  type MigrationLike,
} from './orm/kysely/migrations.ts';
export {
  vectorSearch,
  withSearchSettings,
  type VectorSearchOptions,
  type VectorSearchRow,
} from './orm/kysely/search.ts';
export { hybridSearch, type HybridSearchOptions } from './orm/kysely/hybrid.ts';
export type { HybridFields, HybridRows } from './sql/hybrid.ts';
export type { QuantizedForm, RerankOptions } from './sql/rerank.ts';
export type { Certificate } from './sql/certified-query.ts';
export type { CertifiedRows, CertifiedSearchOptions } from './sql/certified-search.ts';
export { PgliteDialect, type PgliteDialectOptions } from './orm/kysely/pglite-dialect.ts';
export type { SearchSettings } from './sql/settings.ts';
export type { ExtensionInfo, VectorFeature } from './sql/version.ts';
export type { DistanceName, VectorType } from './sql/operators.ts';
export type { VectorInput } from './sql/params.ts';
export { vectorAggregate, vectorAvg, vectorSum, type DenseRead } from './orm/kysely/aggregates.ts';
export type { AggregateType, VectorAggregate } from './sql/aggregates.ts';
export { Vector, HalfVector, SparseVector, Bit, VecpgError } from './index.ts';
