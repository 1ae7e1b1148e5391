/**
 * `vecpg/knex`: pgvector for Knex 3 (and Objection 3, which runs on it). Columns through the
 * schema builder, migration helpers for the extension and indexes, the six distances as Knex raw
 * expressions, exact or approximate search, row parsing registered per connection. Nothing here
 * changes Knex or `pg` globally: every registration is an explicit call.
 *
 * @example
 * import knex from 'knex';
 * import { withVectorTypes, cosineDistance } from 'vecpg/knex';
 * const db = knex(withVectorTypes({ client: 'pg', connection: process.env.DATABASE_URL }));
 * const rows = await db('documents').select('*', cosineDistance(db, 'embedding', [0.5, 0.2, 0.9, 0.3], { as: 'distance' }));
 */
export {
  type VectorColumnSpec,
  vectorColumn,
  addVectorColumns,
  setVectorStorage,
  toVectorParam,
  formatVectorRow,
} from './orm/knex/columns.ts';
export { type AfterCreate, registerVectorTypes, withVectorTypes } from './orm/knex/connection.ts';
export {
  type ColumnRef,
  type KnexDistanceOptions,
  vectorDistance,
  l2Distance,
  maxInnerProduct,
  cosineDistance,
  l1Distance,
  hammingDistance,
  jaccardDistance,
} from './orm/knex/distance.ts';
export { toKnexRaw, knexExecutor, wrapKnex, knexTransactionOf } from './orm/knex/executor.ts';
export {
  createVectorExtension,
  dropVectorExtension,
  pgvectorInfo,
  requirePgvector,
  createVectorIndex,
  dropVectorIndex,
  addCertifiedColumns,
} from './orm/knex/migrations.ts';
export { hybridSearch, type HybridSearchOptions } from './orm/knex/hybrid.ts';
export type { HybridFields, HybridRows } from './sql/hybrid.ts';
export type { QuantizedForm, RerankOptions } from './sql/rerank.ts';
export type { Certificate } from './sql/certified-query.ts';
export type { CertifiedDistance } from './sql/certified-bound.ts';
export type { CertifiedRows, CertifiedSearchOptions } from './sql/certified-search.ts';
export type { QuantizableIndexOptions } from './orm/search-modes.ts';
export { withVectorColumns, type ObjectionModelClass } from './orm/knex/objection.ts';
export { knexPglite } from './orm/knex/pglite.ts';
export {
  type SimilarityBuilder,
  type SimilarityOptions,
  type VectorSearchOptions,
  applySimilarity,
  vectorSearch,
} from './orm/knex/search.ts';
export type { CreateIndexOptions, ColumnStorage } from './sql/ddl.ts';
export type { DistanceName, IndexMethod, VectorType } from './sql/operators.ts';
export type { SearchSettings } from './sql/settings.ts';
export type { ExtensionInfo, VectorFeature } from './sql/version.ts';
export type { VectorTypeOptions } from './drivers/vector-types.ts';
export { vectorAggregate, vectorAvg, vectorSum, type KnexAggregateOptions } from './orm/knex/aggregates.ts';
export type { AggregateType, VectorAggregate } from './sql/aggregates.ts';
export { Vector, HalfVector, SparseVector, Bit, VecpgError } from './index.ts';
