/**
 * `vecpg/sequelize` — pgvector for Sequelize 6 (postgres dialect): data types for models and
 * migrations, distance literals with bound parameters, queryInterface helpers for the extension and
 * indexes, and exact or approximate search. Nothing global changes on import: the data types are
 * values you put in your models, and `registerVectorTypes(sequelize)` is the one explicit
 * registration (parsers for raw queries, on that instance only).
 *
 * @example
 * import { VECTOR, SPARSEVEC, cosineDistance, vectorSearch } from 'vecpg/sequelize';
 */
export {
  VECTOR,
  HALFVEC,
  SPARSEVEC,
  BIT,
  PgvectorDataType,
  toColumnParam,
  toModelValue,
  type ModelValue,
} from './orm/sequelize/types.ts';
export { registerVectorTypes } from './orm/sequelize/register.ts';
export {
  vectorDistance,
  l2Distance,
  maxInnerProduct,
  cosineDistance,
  l1Distance,
  hammingDistance,
  jaccardDistance,
  type SequelizeDistance,
  type SequelizeDistanceOptions,
} from './orm/sequelize/distance.ts';
export {
  createVectorExtension,
  dropVectorExtension,
  pgvectorInfo,
  requirePgvector,
  addVectorIndex,
  addCertifiedColumns,
  removeVectorIndex,
  setVectorStorage,
  syncVectorStorage,
  vectorIndex,
  sequelizeExecutor,
  type ModelVectorIndexOptions,
  type SequelizeLike,
  type StatementOptions,
} from './orm/sequelize/migrations.ts';
export { vectorSearch, type VectorSearchOptions, type WithDistance } from './orm/sequelize/search.ts';
export {
  hybridSearch,
  type HybridSearchOptions,
  type HybridResult,
  type HybridResults,
} from './orm/sequelize/hybrid.ts';
export type { Certificate } from './sql/certified-query.ts';
export type { CertifiedRows, CertifiedSearchOptions } from './sql/certified-search.ts';
export type { QuantizedForm, RerankOptions } from './sql/rerank.ts';
export type { DistanceName, IndexMethod, VectorType } from './sql/operators.ts';
export type { CreateIndexOptions } from './sql/ddl.ts';
export type { SearchSettings } from './sql/settings.ts';
export type { ExtensionInfo, VectorFeature } from './sql/version.ts';
export { vectorAggregate, vectorAvg, vectorSum, type SequelizeAggregate } from './orm/sequelize/aggregates.ts';
export type { AggregateType, VectorAggregate } from './sql/aggregates.ts';
export { Vector, HalfVector, SparseVector, Bit, VecpgError } from './index.ts';
