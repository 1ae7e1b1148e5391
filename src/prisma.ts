/**
 * vecpg for Prisma 7 (with the `@prisma/adapter-pg` driver adapter): a Client extension adding
 * vector methods to models whose vector fields are `Unsupported("vector(n)")`, the six distances,
 * and the migration SQL for the extension, indexes and column storage.
 *
 * @example
 * import { pgvector, cosineDistance } from 'vecpg/prisma';
 * const prisma = new PrismaClient({ adapter }).$extends(pgvector({ Document: { vectors: { embedding: { type: 'vector', dimensions: 4 } } } }));
 */
export {
  pgvector,
  type NearestArgs,
  type NearestRows,
  type HybridSearchArgs,
  type WithDistanceArgs,
  type VectorFieldName,
  type VectorFieldArgs,
} from './orm/prisma/extension.ts';
export {
  type VectorConfig,
  type VectorModel,
  type VectorField,
  type VectorOutput,
  type VectorValueOf,
  resolveConfig,
} from './orm/prisma/config.ts';
export {
  l2Distance,
  maxInnerProduct,
  cosineDistance,
  l1Distance,
  hammingDistance,
  jaccardDistance,
  type DistanceTo,
} from './orm/prisma/distances.ts';
export { wrapPrisma, prismaExecutor, prismaQueryFailed, type PrismaRawClient } from './orm/prisma/executor.ts';
export {
  type DistanceFilter,
  rankStatement,
  distanceStatement,
  updateStatement,
  readStatement,
  decodeVector,
} from './orm/prisma/statements.ts';
export type { SearchSettings } from './sql/settings.ts';
export type { HybridFields, HybridRows } from './sql/hybrid.ts';
export type { QuantizedForm, RerankOptions } from './sql/rerank.ts';
export type { Certificate } from './sql/certified-query.ts';
export type { CertifiedRows, CertifiedSearchOptions } from './sql/certified-search.ts';
export type { RowId } from './sql/like.ts';
export {
  vectorExtensionMigration,
  vectorIndexMigration,
  vectorStorageMigration,
  certifiedColumnsMigration,
  type CertifiedColumnsMigration,
  pgvectorInfo,
  requirePgvector,
  type MigrationSql,
  type VectorIndexMigration,
  type VectorIndexMigrationOptions,
} from './orm/prisma/migrations.ts';
export {
  aggregateStatement,
  type AggregateVectorsArgs,
  type AggregateVectorsResult,
  type GroupByVectorsArgs,
  type GroupByVectorsRow,
  type VectorPick,
} from './orm/prisma/aggregates.ts';
export { Vector, HalfVector, SparseVector, Bit, VecpgError } from './index.ts';
