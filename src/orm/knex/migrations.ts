/**
 * Knex migration helpers: the extension (up/down), a pgvector version check, and HNSW/IVFFlat
 * indexes with the right operator class. Every statement comes from vecpg's SQL layer.
 */
import type { Knex } from 'knex';
import type { CertifiedDistance, CertifiedLayout } from '../../sql/certified-bound.ts';
import { addCertifiedColumnsSql } from '../../sql/certified-ddl.ts';
import { type QuantizableIndexOptions, quantizedIndexOptions } from '../search-modes.ts';
import { createExtensionSql, createIndexSql, dropExtensionSql, dropIndexSql } from '../../sql/ddl.ts';
import type { QualifiedName } from '../../sql/identifiers.ts';
import { type ExtensionInfo, type VectorFeature, extensionInfo, requireFeature } from '../../sql/version.ts';
import { escapeQuestionMarks } from './columns.ts';
import { wrapKnex } from './executor.ts';

/**
 * `CREATE EXTENSION IF NOT EXISTS vector` — call it from a migration's `up`. Idempotent.
 *
 * @example
 * export const up = (knex: Knex) => createVectorExtension(knex);
 * export const down = (knex: Knex) => dropVectorExtension(knex);
 */
export function createVectorExtension(knex: Knex, options: { schema?: string } = {}): Knex.Raw {
  return knex.raw(escapeQuestionMarks(createExtensionSql(options)));
}

/**
 * `DROP EXTENSION IF EXISTS vector` — the migration's `down`. Fails while vector columns still
 * exist (drop them first) unless `cascade` is set.
 *
 * @example
 * export const down = (knex: Knex) => dropVectorExtension(knex);
 */
export function dropVectorExtension(knex: Knex, options: { cascade?: boolean } = {}): Knex.Raw {
  return knex.raw(escapeQuestionMarks(dropExtensionSql(options)));
}

/**
 * The installed pgvector: `{ installed, version, schema }`.
 *
 * @example
 * const { version } = await pgvectorInfo(knex); // '0.8.0'
 */
export function pgvectorInfo(knex: Knex): Promise<ExtensionInfo> {
  return extensionInfo(wrapKnex(knex));
}

/**
 * Fail (VERSION_TOO_OLD / EXTENSION_MISSING) when the installed pgvector lacks a feature, else return what is
 * installed (version, schema):
 * `halfvec` and `sparsevec` need 0.7.0, `iterativeScan` 0.8.0. Put it at the top of a migration
 * that creates such columns.
 *
 * @example
 * await requirePgvector(knex, 'sparsevec');
 */
export function requirePgvector(knex: Knex, feature: VectorFeature): Promise<ExtensionInfo> {
  return requireFeature(wrapKnex(knex), feature);
}

/**
 * `CREATE INDEX … USING hnsw|ivfflat (column opclass) WITH (…)`, options validated, opclass from
 * the column type and distance; with `quantize: 'binary' | 'halfvec'` (and `dimensions`), the index on
 * the compact copy a two-stage search (`vectorSearch({ rerank })`) orders by. Returns the Knex raw statement (await it in a migration).
 *
 * @example
 * await createVectorIndex(knex, { table: 'documents', column: 'embedding', type: 'vector', distance: 'cosine', method: 'hnsw', m: 16 });
 */
export function createVectorIndex(knex: Knex, options: QuantizableIndexOptions): Knex.Raw {
  return knex.raw(escapeQuestionMarks(createIndexSql(quantizedIndexOptions(options))));
}

/**
 * Add the generated columns certified exact search (`vectorSearch({ exact: 'certified' })`) reads to a
 * `vector(dimensions)` column, for the given distances (re-runnable: `ADD COLUMN IF NOT EXISTS`). One
 * `ALTER TABLE` that rewrites the table; see docs/certified-search.md.
 * `{ form: 'prefix', prefix: m }` adds the prefix form's columns instead (search with the same `certified`).
 *
 * @example
 * export const up = (knex: Knex) => addCertifiedColumns(knex, 'documents', 'embedding', 768, ['cosine']);
 * addCertifiedColumns(knex, 'documents', 'embedding', 768, ['cosine'], { form: 'prefix', prefix: 128 });
 */
export function addCertifiedColumns(
  knex: Knex,
  table: QualifiedName,
  column: string,
  dimensions: number,
  distances: readonly CertifiedDistance[],
  layout: CertifiedLayout = {},
): Knex.Raw {
  return knex.raw(
    escapeQuestionMarks(addCertifiedColumnsSql(table, column, dimensions, distances, { ...layout, ifNotExists: true })),
  );
}

/**
 * `DROP INDEX IF EXISTS "name"` — the `down` of {@link createVectorIndex}.
 *
 * @example
 * await dropVectorIndex(knex, 'documents_embedding_hnsw_cosine_idx');
 */
export function dropVectorIndex(knex: Knex, name: QualifiedName): Knex.Raw {
  return knex.raw(escapeQuestionMarks(dropIndexSql(name)));
}
