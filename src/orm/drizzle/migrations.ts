/**
 * The extension and column storage in drizzle-kit migrations, and the pgvector version check, on
 * any Drizzle PostgreSQL database (node-postgres, postgres-js, PGlite). drizzle-kit never writes
 * `CREATE EXTENSION`; a custom migration (`drizzle-kit generate --custom`) carries it.
 */
import { type Column, SQL, getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { SQLWrapper } from 'drizzle-orm';
import { type PgTable, getTableConfig } from 'drizzle-orm/pg-core';
import { VecpgError, describeValue } from '../../errors.ts';
import { type ColumnStorage, createExtensionSql, dropExtensionSql, setStorageSql } from '../../sql/ddl.ts';
import type { Row, SqlExecutor } from '../../sql/executor.ts';
import { type ExtensionInfo, type VectorFeature, extensionInfo, requireFeature } from '../../sql/version.ts';
import { addCertifiedColumnsSql } from '../../sql/certified-ddl.ts';
import type { CertifiedDistance, CertifiedLayout } from '../../sql/certified-bound.ts';
import { columnVectorType } from './distance.ts';

/** drizzle-kit's separator between statements of one migration file. */
export const STATEMENT_BREAKPOINT = '--> statement-breakpoint';

/** What vecpg needs from a Drizzle database or transaction: `execute(sql)`. */
export interface DrizzleExecutable {
  execute(query: SQLWrapper | string): PromiseLike<unknown>;
}

/**
 * The body of the custom migration that enables pgvector, idempotent:
 * `CREATE EXTENSION IF NOT EXISTS vector;`. Put it in the file `drizzle-kit generate --custom` creates.
 *
 * @example
 * vectorExtensionMigration(); // 'CREATE EXTENSION IF NOT EXISTS vector;\n'
 */
export function vectorExtensionMigration(options: { schema?: string } = {}): string {
  return `${createExtensionSql(options)};\n`;
}

/**
 * The reverse migration: `DROP EXTENSION IF EXISTS vector;` (drizzle-kit has no down migrations;
 * apply it as a new custom migration, or by hand, after dropping the vector columns).
 *
 * @example
 * dropVectorExtensionMigration(); // 'DROP EXTENSION IF EXISTS vector;\n'
 */
export function dropVectorExtensionMigration(options: { cascade?: boolean } = {}): string {
  return `${dropExtensionSql(options)};\n`;
}

/**
 * `ALTER TABLE … SET STORAGE MAIN` for every pgvector column of a Drizzle table, as a custom
 * migration body. MAIN keeps vectors in the row instead of TOAST, which makes exact scans faster;
 * drizzle-kit cannot express storage, so it goes in a custom migration after the table's.
 *
 * @example
 * vectorStorageMigration(documents);
 * // 'ALTER TABLE "documents" ALTER COLUMN "embedding" SET STORAGE MAIN;\n'
 */
export function vectorStorageMigration(table: PgTable, storage: ColumnStorage = 'main'): string {
  const { schema } = getTableConfig(table);
  const name = getTableName(table);
  const qualified = schema === undefined ? name : [schema, name];
  const statements = Object.values(getTableColumns(table))
    .filter((column) => columnVectorType(column) !== undefined)
    .map((column) => `${setStorageSql(qualified, column.name, storage)};`);
  if (statements.length === 0) {
    throw new VecpgError('INVALID_VALUE', `table ${name} has no vector, halfvec, sparsevec or bit column`);
  }
  return `${statements.join(`\n${STATEMENT_BREAKPOINT}\n`)}\n`;
}

/**
 * The custom migration body adding the generated columns of certified exact search
 * (`vectorSearch({ exact: 'certified' })`) to a `vector(n)` column, for the given distances: a `halfvec`
 * copy and its error bound per distance, kept in sync by PostgreSQL, with the full vector out of line.
 * drizzle-kit cannot express them; add the same columns to the Drizzle table only if you want to read them.
 * `{ form: 'prefix', prefix: m }` adds the prefix form's columns instead (search with the same `certified`).
 *
 * @example
 * certifiedColumnsMigration(documents, documents.embedding, ['cosine']);
 * // 'ALTER TABLE "documents" ADD COLUMN "embedding_unit_half" halfvec(3) GENERATED ALWAYS AS (…) STORED, …;\n'
 */
export function certifiedColumnsMigration(
  table: PgTable,
  column: Column,
  distances: readonly CertifiedDistance[],
  layout: CertifiedLayout = {},
): string {
  const { schema } = getTableConfig(table);
  const name = getTableName(table);
  const dimensions = (column as unknown as { config?: { fieldConfig?: { dimensions?: number }; dimensions?: number } })
    .config;
  const n = dimensions?.fieldConfig?.dimensions ?? dimensions?.dimensions;
  if (columnVectorType(column) !== 'vector' || n === undefined) {
    throw new VecpgError(
      'INVALID_VALUE',
      `certified columns need a vector(n) column with its dimensions; ${column.name} is not one`,
    );
  }
  return `${addCertifiedColumnsSql(schema === undefined ? name : [schema, name], column.name, n, distances, layout)};\n`;
}

/**
 * A Drizzle `SQL` from an SQL-layer statement (`$1`, `$2`… placeholders and their values).
 *
 * @example
 * await db.execute(sqlFromQuery({ text: 'SELECT $1::int AS x', values: [1] }));
 */
export function sqlFromQuery(query: { text: string; values: readonly unknown[] }): SQL {
  const parts = query.text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  parts.forEach((part, i) => {
    if (i % 2 === 0) {
      if (part !== '') chunks.push(sql.raw(part));
      return;
    }
    const n = Number(part);
    if (n < 1 || n > query.values.length) throw new VecpgError('INVALID_OPTION', `placeholder $${n} has no value`);
    chunks.push(sql`${query.values[n - 1]}`);
  });
  return sql.join(chunks);
}

/**
 * Use a Drizzle database (or transaction) where the SQL layer wants a `SqlExecutor`.
 * Rows come back as each driver returns them (`rows` for node-postgres and PGlite, an array for postgres-js).
 *
 * @example
 * const info = await extensionInfo(drizzleExecutor(db));
 */
export function drizzleExecutor(db: DrizzleExecutable): SqlExecutor {
  return {
    async query<R extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = await db.execute(sqlFromQuery({ text, values: params }));
      if (Array.isArray(result)) return result as R[];
      const rows = (result as { rows?: unknown } | null)?.rows;
      if (Array.isArray(rows)) return rows as R[];
      throw new VecpgError('QUERY_FAILED', `unexpected result from the Drizzle driver: ${describeValue(result)}`);
    },
  };
}

/**
 * Run `CREATE EXTENSION IF NOT EXISTS vector` now (outside migrations: scripts, tests).
 *
 * @example
 * await createVectorExtension(db);
 */
export async function createVectorExtension(db: DrizzleExecutable, options: { schema?: string } = {}): Promise<void> {
  await db.execute(sql.raw(createExtensionSql(options)));
}

/**
 * The installed pgvector: `{ installed, version, schema }`.
 *
 * @example
 * (await pgvectorInfo(db)).version; // '0.8.0'
 */
export async function pgvectorInfo(db: DrizzleExecutable): Promise<ExtensionInfo> {
  return extensionInfo(drizzleExecutor(db));
}

/**
 * Fail clearly (EXTENSION_MISSING, VERSION_TOO_OLD) unless the installed pgvector has `feature`:
 * halfvec and sparsevec need 0.7.0, iterative scans 0.8.0.
 *
 * @example
 * await requirePgvector(db, 'sparsevec');
 */
export async function requirePgvector(db: DrizzleExecutable, feature: VectorFeature): Promise<ExtensionInfo> {
  return requireFeature(drizzleExecutor(db), feature);
}
