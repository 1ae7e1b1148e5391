/**
 * `vecpg/mikro-orm`: pgvector for MikroORM 6 (PostgreSQL driver). Custom types for `vector(n)`,
 * `halfvec(n)`, `sparsevec(n)` and `bit(n)`, index definitions the schema generator keeps,
 * migration helpers, the six distances as raw fragments for `em.find` and the QueryBuilder,
 * and exact or approximate search. Nothing global changes on import.
 *
 * @example
 * import { EntitySchema } from '@mikro-orm/core';
 * import { vectorProperty, cosineDistance } from 'vecpg/mikro-orm';
 * const Document = new EntitySchema({ name: 'Document', properties: {
 *   id: { type: 'number', primary: true }, embedding: vectorProperty('vector', 4) } });
 * await em.find(Document, {}, { orderBy: { [cosineDistance('embedding', [0.5, 0.2, 0.9, 0.3])]: 'asc' }, limit: 10 });
 */
export { BitColumnType, HalfvecColumnType, SparsevecColumnType, VectorColumnType } from './orm/mikro-orm/types.ts';
export {
  type PgvectorColumnType,
  type ColumnTypeOf,
  type VectorPropertyOptions,
  type VectorIndexDefinition,
  vectorProperty,
  vectorIndex,
} from './orm/mikro-orm/schema.ts';
export {
  type MikroDistanceOptions,
  type DistanceFragment,
  vectorDistance,
  l2Distance,
  maxInnerProduct,
  cosineDistance,
  l1Distance,
  hammingDistance,
  jaccardDistance,
} from './orm/mikro-orm/distance.ts';
export {
  type MigrationLike,
  createVectorExtension,
  dropVectorExtension,
  setVectorStorage,
  createVectorIndex,
  addCertifiedColumns,
  dropVectorIndex,
  pgvectorInfo,
  requirePgvector,
} from './orm/mikro-orm/migrations.ts';
export { wrapMikroOrm, entityManagerOf, type MikroEntityManagerLike } from './orm/mikro-orm/executor.ts';
export { type PgliteMikroOptions, mikroOrmPglite } from './orm/mikro-orm/pglite.ts';
export { type VectorSearchOptions, type SearchResult, vectorSearch } from './orm/mikro-orm/search.ts';
export {
  hybridSearch,
  type HybridSearchOptions,
  type HybridResult,
  type HybridResults,
} from './orm/mikro-orm/hybrid.ts';
export type { Certificate } from './sql/certified-query.ts';
export type { CertifiedRows, CertifiedSearchOptions } from './sql/certified-search.ts';
export type { QuantizedForm, RerankOptions } from './sql/rerank.ts';
export type { CreateIndexOptions, ColumnStorage } from './sql/ddl.ts';
export type { DistanceName, IndexMethod, VectorType } from './sql/operators.ts';
export type { SearchSettings } from './sql/settings.ts';
export type { ExtensionInfo, VectorFeature } from './sql/version.ts';
export {
  vectorAggregate,
  vectorAvg,
  vectorSum,
  type MikroAggregate,
  type MikroAggregateOptions,
} from './orm/mikro-orm/aggregates.ts';
export type { AggregateType, VectorAggregate } from './sql/aggregates.ts';
export { Vector, HalfVector, SparseVector, Bit, VecpgError } from './index.ts';
