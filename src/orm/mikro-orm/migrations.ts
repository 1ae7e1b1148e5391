/**
 * Helpers for MikroORM migrations (`@mikro-orm/migrations`): the extension (up/down), STORAGE
 * MAIN, HNSW/IVFFlat indexes, and the pgvector version check. Each takes the migration itself
 * (`this`) and adds vecpg's SQL to it.
 */
import { type MikroEntityManagerLike, wrapMikroOrm } from './executor.ts';
import {
  type ColumnStorage,
  createExtensionSql,
  createIndexSql,
  dropExtensionSql,
  dropIndexSql,
  setStorageSql,
} from '../../sql/ddl.ts';
import { type QualifiedName, withoutQuestionMarksInIdentifiers } from '../../sql/identifiers.ts';
import type { CertifiedDistance, CertifiedLayout } from '../../sql/certified-bound.ts';
import { addCertifiedColumnsSql } from '../../sql/certified-ddl.ts';
import { type QuantizableIndexOptions, quantizedIndexOptions } from '../search-modes.ts';
import { type ExtensionInfo, type VectorFeature, extensionInfo, requireFeature } from '../../sql/version.ts';

/** What the helpers need from a MikroORM `Migration`. */
export interface MigrationLike {
  addSql(sql: string): void;
}

// MikroORM's paths rewrite `?` differently (its migration runner left `\?` as is on PGlite, its raw
// fragments format it twice): names are written without any `?` in them, right for every path.
const escape = withoutQuestionMarksInIdentifiers;

/**
 * `CREATE EXTENSION IF NOT EXISTS vector` in a migration's `up`.
 *
 * @example
 * export class Migration20250101 extends Migration {
 *   async up() { createVectorExtension(this); }
 *   async down() { dropVectorExtension(this); }
 * }
 */
export function createVectorExtension(migration: MigrationLike, options: { schema?: string } = {}): void {
  migration.addSql(escape(createExtensionSql(options)));
}

/**
 * `DROP EXTENSION IF EXISTS vector` in a migration's `down`.
 *
 * @example
 * async down() { dropVectorExtension(this); }
 */
export function dropVectorExtension(migration: MigrationLike, options: { cascade?: boolean } = {}): void {
  migration.addSql(escape(dropExtensionSql(options)));
}

/**
 * `ALTER TABLE … ALTER COLUMN … SET STORAGE MAIN` (keeps vectors in the row: faster exact scans).
 *
 * @example
 * setVectorStorage(this, 'documents', 'embedding');
 */
export function setVectorStorage(
  migration: MigrationLike,
  table: QualifiedName,
  column: string,
  storage: ColumnStorage = 'main',
): void {
  migration.addSql(escape(setStorageSql(table, column, storage)));
}

/**
 * `CREATE INDEX … USING hnsw|ivfflat` with the right opclass, options validated.
 *
 * @example
 * createVectorIndex(this, { table: 'documents', column: 'embedding', type: 'vector', distance: 'cosine', method: 'hnsw' });
 * // the index of a two-stage search (vectorSearch({ rerank: { using: 'binary' } })):
 * createVectorIndex(this, { table: 'documents', column: 'embedding', type: 'vector', distance: 'cosine', dimensions: 768, quantize: 'binary' });
 */
export function createVectorIndex(migration: MigrationLike, options: QuantizableIndexOptions): void {
  migration.addSql(escape(createIndexSql(quantizedIndexOptions(options))));
}

/**
 * Add the generated columns certified exact search (`vectorSearch({ exact: 'certified' })`) reads to a
 * `vector(dimensions)` column, for the given distances (re-runnable: `ADD COLUMN IF NOT EXISTS`). One
 * `ALTER TABLE` that rewrites the table; see docs/certified-search.md.
 * `{ form: 'prefix', prefix: m }` adds the prefix form's columns instead (search with the same `certified`).
 *
 * @example
 * addCertifiedColumns(this, 'documents', 'embedding', 768, ['cosine']);
 * addCertifiedColumns(this, 'documents', 'embedding', 768, ['cosine'], { form: 'prefix', prefix: 128 });
 */
export function addCertifiedColumns(
  migration: MigrationLike,
  table: QualifiedName,
  column: string,
  dimensions: number,
  distances: readonly CertifiedDistance[],
  layout: CertifiedLayout = {},
): void {
  migration.addSql(
    escape(addCertifiedColumnsSql(table, column, dimensions, distances, { ...layout, ifNotExists: true })),
  );
}

/**
 * `DROP INDEX IF EXISTS "name"`.
 *
 * @example
 * dropVectorIndex(this, 'documents_embedding_hnsw_cosine_idx');
 */
export function dropVectorIndex(migration: MigrationLike, name: QualifiedName): void {
  migration.addSql(escape(dropIndexSql(name)));
}

/**
 * The installed pgvector: `{ installed, version, schema }`.
 *
 * @example
 * const { version } = await pgvectorInfo(orm.em.fork());
 */
export function pgvectorInfo(em: MikroEntityManagerLike): Promise<ExtensionInfo> {
  return extensionInfo(wrapMikroOrm(em));
}

/**
 * Fail with VERSION_TOO_OLD / EXTENSION_MISSING when pgvector lacks a feature, else return what is installed (`halfvec`,
 * `sparsevec`: 0.7.0; `iterativeScan`: 0.8.0). In a migration: `await requirePgvector(this.getEntityManager(), 'sparsevec')`.
 *
 * @example
 * await requirePgvector(orm.em.fork(), 'iterativeScan');
 */
export function requirePgvector(em: MikroEntityManagerLike, feature: VectorFeature): Promise<ExtensionInfo> {
  return requireFeature(wrapMikroOrm(em), feature);
}
