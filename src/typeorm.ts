/**
 * `vecpg/typeorm` — pgvector for TypeORM (1.x, PostgreSQL driver): vector columns, distance
 * expressions for the QueryBuilder, migration helpers, indexes that synchronize keeps, and exact or
 * approximate nearest-neighbour search. Nothing global changes on import; `registerVectorTypes(dataSource)`
 * is the one explicit registration (needed for `sparsevec`).
 *
 * @example
 * import { VectorColumn, cosineDistance, vectorSearch } from 'vecpg/typeorm';
 */
export {
  VectorColumn,
  HalfvecColumn,
  SparsevecColumn,
  BitColumn,
  vectorColumnOptions,
  vectorTransformer,
  vecpgColumnType,
  type VectorColumnOptions,
  type VectorTransformer,
} from './orm/typeorm/columns.ts';
export { registerVectorTypes } from './orm/typeorm/register.ts';
export {
  vectorDistance,
  l2Distance,
  maxInnerProduct,
  cosineDistance,
  l1Distance,
  hammingDistance,
  jaccardDistance,
  type DistanceExpression,
  type DistanceOptions,
} from './orm/typeorm/distance.ts';
export {
  VectorExtension,
  createVectorExtension,
  dropVectorExtension,
  pgvectorInfo,
  requirePgvector,
  createVectorIndex,
  addCertifiedColumns,
  dropVectorIndex,
  setVectorStorage,
  typeormExecutor,
  type Queryable,
} from './orm/typeorm/migrations.ts';
export {
  VectorIndex,
  vectorIndexesOf,
  createVectorIndexes,
  syncVectorSchema,
  type VectorIndexOptions,
} from './orm/typeorm/indexes.ts';
export {
  vectorSearch,
  getManyWithDistance,
  type VectorSearchOptions,
  type WithDistance,
} from './orm/typeorm/search.ts';
export { hybridSearch, type HybridSearchOptions, type HybridResult, type HybridResults } from './orm/typeorm/hybrid.ts';
export type { Certificate } from './sql/certified-query.ts';
export type { CertifiedRows, CertifiedSearchOptions } from './sql/certified-search.ts';
export type { QuantizedForm, RerankOptions } from './sql/rerank.ts';
export type { DistanceName, IndexMethod, VectorType } from './sql/operators.ts';
export type { SearchSettings } from './sql/settings.ts';
export type { ExtensionInfo, VectorFeature } from './sql/version.ts';
export { pgliteDriver, pgliteOptions } from './orm/typeorm/pglite.ts';
export {
  vectorAggregate,
  vectorAvg,
  vectorSum,
  type AggregateExpression,
  type AggregateOptions,
} from './orm/typeorm/aggregates.ts';
export type { AggregateType, VectorAggregate } from './sql/aggregates.ts';
export { Vector, HalfVector, SparseVector, Bit, VecpgError } from './index.ts';
