/**
 * pgvector in TypeORM migrations: the extension (idempotent and reversible, like Django's
 * `VectorExtension()`), the installed version, HNSW/IVFFlat indexes with their operator class, and
 * column storage. Every statement comes from vecpg's SQL layer; these functions only run it on a
 * QueryRunner (or a DataSource / EntityManager).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  type ColumnStorage,
  createExtensionSql,
  createIndexSql,
  dropExtensionSql,
  dropIndexSql,
  setStorageSql,
} from '../../sql/ddl.ts';
import type { Row, SqlExecutor } from '../../sql/executor.ts';
import type { CertifiedDistance, CertifiedLayout } from '../../sql/certified-bound.ts';
import { addCertifiedColumnsSql } from '../../sql/certified-ddl.ts';
import { type QuantizableIndexOptions, quantizedIndexOptions } from '../search-modes.ts';
import type { QualifiedName } from '../../sql/identifiers.ts';
import { type ExtensionInfo, type VectorFeature, extensionInfo, requireFeature } from '../../sql/version.ts';

/** Anything TypeORM can run SQL on: a QueryRunner (in a migration), a DataSource, an EntityManager. */
export interface Queryable {
  query(query: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * vecpg's executor over a TypeORM QueryRunner, DataSource or EntityManager.
 *
 * @example
 * await extensionInfo(typeormExecutor(queryRunner));
 */
export function typeormExecutor(q: Queryable): SqlExecutor {
  return {
    query: async <R extends Row = Row>(text: string, params: readonly unknown[] = []) =>
      (await q.query(text, [...params])) as R[],
  };
}

/**
 * `CREATE EXTENSION IF NOT EXISTS vector` (optionally in a schema).
 *
 * @example
 * public async up(queryRunner: QueryRunner) { await createVectorExtension(queryRunner); }
 */
export async function createVectorExtension(q: Queryable, options: { schema?: string } = {}): Promise<void> {
  await q.query(createExtensionSql(options));
}

/**
 * `DROP EXTENSION IF EXISTS vector`, the reverse of {@link createVectorExtension}.
 *
 * @example
 * public async down(queryRunner: QueryRunner) { await dropVectorExtension(queryRunner); }
 */
export async function dropVectorExtension(q: Queryable, options: { cascade?: boolean } = {}): Promise<void> {
  await q.query(dropExtensionSql(options));
}

/**
 * A ready-made migration enabling pgvector, like Django's `VectorExtension()`. TypeORM reads a
 * migration's timestamp from the end of its class name, so extend it under a name of your own.
 *
 * @example
 * export class EnableVector1700000000000 extends VectorExtension {}
 */
export class VectorExtension implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await createVectorExtension(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropVectorExtension(queryRunner);
  }
}

/**
 * The installed pgvector: `{ installed, version, schema }`.
 *
 * @example
 * (await pgvectorInfo(dataSource)).version; // '0.8.0'
 */
export function pgvectorInfo(q: Queryable): Promise<ExtensionInfo> {
  return extensionInfo(typeormExecutor(q));
}

/**
 * Fail with EXTENSION_MISSING or VERSION_TOO_OLD unless the installed pgvector has `feature`
 * (halfvec and sparsevec need 0.7.0, iterative scans 0.8.0).
 *
 * @example
 * await requirePgvector(queryRunner, 'sparsevec');
 */
export function requirePgvector(q: Queryable, feature: VectorFeature): Promise<ExtensionInfo> {
  return requireFeature(typeormExecutor(q), feature);
}

/**
 * Create an HNSW or IVFFlat index with the operator class for its type and distance, options
 * validated (`IF NOT EXISTS` unless you say otherwise). Returns the statement it ran. With `quantize`
 * (and `dimensions`), the index of the quantized copy a two-stage search orders its candidates by.
 *
 * @example
 * await createVectorIndex(queryRunner, { table: 'document', column: 'embedding', type: 'vector', distance: 'cosine', method: 'hnsw', m: 16 });
 * await createVectorIndex(queryRunner, { table: 'document', column: 'embedding', type: 'vector', distance: 'cosine', dimensions: 768, quantize: 'binary' });
 */
export async function createVectorIndex(q: Queryable, options: QuantizableIndexOptions): Promise<string> {
  const sql = createIndexSql({ ...quantizedIndexOptions(options), ifNotExists: options.ifNotExists ?? true });
  await q.query(sql);
  return sql;
}

/**
 * Add the generated columns certified exact search (`vectorSearch({ exact: 'certified' })`) reads to a
 * `vector(dimensions)` column, for the given distances (re-runnable: `ADD COLUMN IF NOT EXISTS`). One
 * `ALTER TABLE` that rewrites the table; see docs/certified-search.md. Returns the statement it ran.
 * `{ form: 'prefix', prefix: m }` adds the prefix form's columns instead (search with the same `certified`).
 *
 * @example
 * public async up(queryRunner: QueryRunner) { await addCertifiedColumns(queryRunner, 'item', 'embedding', 768, ['cosine']); }
 * await addCertifiedColumns(queryRunner, 'item', 'embedding', 768, ['cosine'], { form: 'prefix', prefix: 128 });
 */
export async function addCertifiedColumns(
  q: Queryable,
  table: QualifiedName,
  column: string,
  dimensions: number,
  distances: readonly CertifiedDistance[],
  layout: CertifiedLayout = {},
): Promise<string> {
  const sql = addCertifiedColumnsSql(table, column, dimensions, distances, { ...layout, ifNotExists: true });
  await q.query(sql);
  return sql;
}

/**
 * `DROP INDEX IF EXISTS`, the reverse of {@link createVectorIndex}.
 *
 * @example
 * await dropVectorIndex(queryRunner, 'document_embedding_hnsw_cosine_idx');
 */
export async function dropVectorIndex(q: Queryable, name: QualifiedName): Promise<void> {
  await q.query(dropIndexSql(name));
}

/**
 * `ALTER TABLE … ALTER COLUMN … SET STORAGE MAIN` (by default): keeps vectors in the row rather
 * than out-of-line in TOAST, which makes exact (sequential) scans much faster. TypeORM's column
 * options cannot express storage, and its synchronize never resets it.
 *
 * @example
 * await setVectorStorage(queryRunner, 'document', 'embedding');
 */
export async function setVectorStorage(
  q: Queryable,
  table: QualifiedName,
  column: string,
  storage: ColumnStorage = 'main',
): Promise<void> {
  await q.query(setStorageSql(table, column, storage));
}
