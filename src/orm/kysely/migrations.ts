/**
 * pgvector in Kysely migrations: the extension (idempotent up, reversible down), HNSW/IVFFlat
 * indexes with the right operator class and validated options, column storage, and the version
 * check. All DDL text comes from the SQL layer (createExtensionSql, createIndexSql, …).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import {
  type ColumnStorage,
  type CreateIndexOptions,
  createExtensionSql,
  createIndexSql,
  defaultIndexName,
  dropExtensionSql,
  dropIndexSql,
  setStorageSql,
} from '../../sql/ddl.ts';
import type { Row, SqlExecutor } from '../../sql/executor.ts';
import type { QualifiedName } from '../../sql/identifiers.ts';
import { type ExtensionInfo, type VectorFeature, extensionInfo, requireFeature } from '../../sql/version.ts';
import { type QuantizableIndexOptions, quantizedIndexOptions } from '../search-modes.ts';
import type { CertifiedDistance, CertifiedLayout } from '../../sql/certified-bound.ts';
import { addCertifiedColumnsSql } from '../../sql/certified-ddl.ts';

/**
 * Use a Kysely instance (or transaction) where the SQL layer wants a `SqlExecutor`.
 *
 * @example
 * const info = await extensionInfo(kyselyExecutor(db));
 */
export function kyselyExecutor<DB>(db: Kysely<DB>): SqlExecutor {
  return {
    async query<R extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = await db.executeQuery<R>(CompiledQuery.raw(text, [...params]));
      return [...result.rows];
    },
  };
}

async function run<DB>(db: Kysely<DB>, text: string): Promise<void> {
  await db.executeQuery(CompiledQuery.raw(text, []));
}

/**
 * `CREATE EXTENSION IF NOT EXISTS vector`.
 *
 * @example
 * export async function up(db: Kysely<any>) { await createVectorExtension(db); }
 */
export async function createVectorExtension<DB>(db: Kysely<DB>, options: { schema?: string } = {}): Promise<void> {
  await run(db, createExtensionSql(options));
}

/**
 * `DROP EXTENSION IF EXISTS vector` (`cascade` also drops the columns using its types).
 *
 * @example
 * export async function down(db: Kysely<any>) { await dropVectorExtension(db); }
 */
export async function dropVectorExtension<DB>(db: Kysely<DB>, options: { cascade?: boolean } = {}): Promise<void> {
  await run(db, dropExtensionSql(options));
}

/**
 * A Kysely migration (`{ up, down }`), typed here rather than with Kysely's `Migration` so one
 * declaration fits Kysely 0.27, 0.28 and 0.29 (0.29 moved `Migration` to `kysely/migration` and
 * left an error type in its place). Any of them accepts it in a `MigrationProvider`.
 */
export interface MigrationLike {
  up(db: Kysely<unknown>): Promise<void>;
  down?(db: Kysely<unknown>): Promise<void>;
}

/**
 * A ready-made migration: up enables pgvector (idempotent), down drops it.
 *
 * @example
 * const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ '0001_pgvector': vectorExtensionMigration(), ...mine }) } });
 */
export function vectorExtensionMigration(options: { schema?: string; cascadeOnDown?: boolean } = {}): MigrationLike {
  return {
    up: (db) => createVectorExtension(db, options.schema === undefined ? {} : { schema: options.schema }),
    down: (db) => dropVectorExtension(db, options.cascadeOnDown ? { cascade: true } : {}),
  };
}

/**
 * Options of {@link createVectorIndex}: the SQL layer's, with `method` defaulting to HNSW, and `quantize`
 * (`'binary'` | `'halfvec'`) for the index a two-stage search (`vectorSearch({ rerank })`) orders by.
 */
export type VectorIndexOptions = QuantizableIndexOptions;

/** The index name `createVectorIndex` uses: the given one or the SQL layer's default. */
export function vectorIndexName(options: VectorIndexOptions): string {
  const o: CreateIndexOptions = quantizedIndexOptions(options);
  return o.name ?? defaultIndexName(o.table, o.column ?? o.expression ?? '', o.method ?? 'hnsw', o.distance);
}

/**
 * `CREATE INDEX … USING hnsw|ivfflat (column opclass) WITH (…)` with the operator class for the
 * column type and distance, and options validated (m 2–100, efConstruction 4–1000 and ≥ 2·m, lists 1–32768).
 *
 * @example
 * await createVectorIndex(db, { table: 'items', column: 'embedding', type: 'vector', distance: 'cosine', m: 16 });
 */
export async function createVectorIndex<DB>(db: Kysely<DB>, options: VectorIndexOptions): Promise<string> {
  const name = vectorIndexName(options);
  await run(db, createIndexSql({ ...quantizedIndexOptions(options), name }));
  return name;
}

/**
 * `DROP INDEX IF EXISTS`.
 *
 * @example
 * await dropVectorIndex(db, 'items_embedding_hnsw_cosine_idx');
 */
export async function dropVectorIndex<DB>(db: Kysely<DB>, name: QualifiedName): Promise<void> {
  await run(db, dropIndexSql(name));
}

/**
 * A migration creating one index (up) and dropping it (down). The Migrator runs it once, so later
 * runs leave the index untouched.
 *
 * @example
 * '0003_items_hnsw': vectorIndexMigration({ table: 'items', column: 'embedding', type: 'vector', distance: 'l2' })
 */
export function vectorIndexMigration(options: VectorIndexOptions): MigrationLike {
  const name = vectorIndexName(options);
  createIndexSql({ ...quantizedIndexOptions(options), name }); // validate now, not when the migration runs
  return {
    up: async (db) => {
      await createVectorIndex(db, { ...options, name });
    },
    down: (db) =>
      dropVectorIndex(
        db,
        typeof options.table === 'string' || options.table.length < 2 ? name : [...options.table.slice(0, -1), name],
      ),
  };
}

/**
 * `ALTER TABLE … ALTER COLUMN … SET STORAGE MAIN`: keeps vectors in the row (faster exact scans).
 *
 * @example
 * await setVectorStorage(db, 'documents', 'embedding');
 */
export async function setVectorStorage<DB>(
  db: Kysely<DB>,
  table: QualifiedName,
  column: string,
  storage: ColumnStorage = 'main',
): Promise<void> {
  await run(db, setStorageSql(table, column, storage));
}

/**
 * Add the generated columns certified exact search (`vectorSearch({ exact: 'certified' })`) reads to a
 * `vector(dimensions)` column, for the given distances (re-runnable: `ADD COLUMN IF NOT EXISTS`). One
 * `ALTER TABLE` that rewrites the table; see docs/certified-search.md.
 * `{ form: 'prefix', prefix: m }` adds the prefix form's columns instead (search with the same `certified`).
 *
 * @example
 * export async function up(db: Kysely<any>) { await addCertifiedColumns(db, 'items', 'embedding', 768, ['cosine']); }
 * await addCertifiedColumns(db, 'items', 'embedding', 768, ['cosine'], { form: 'prefix', prefix: 128 });
 */
export async function addCertifiedColumns<DB>(
  db: Kysely<DB>,
  table: QualifiedName,
  column: string,
  dimensions: number,
  distances: readonly CertifiedDistance[],
  layout: CertifiedLayout = {},
): Promise<void> {
  await run(db, addCertifiedColumnsSql(table, column, dimensions, distances, { ...layout, ifNotExists: true }));
}

/**
 * The installed pgvector: `{ installed, version, schema }`.
 *
 * @example
 * (await pgvectorInfo(db)).version; // '0.8.0'
 */
export function pgvectorInfo<DB>(db: Kysely<DB>): Promise<ExtensionInfo> {
  return extensionInfo(kyselyExecutor(db));
}

/**
 * Fail clearly (EXTENSION_MISSING, VERSION_TOO_OLD) unless pgvector has `feature` (halfvec and
 * sparsevec need 0.7.0, iterative scans 0.8.0).
 *
 * @example
 * await requirePgvector(db, 'iterativeScan');
 */
export function requirePgvector<DB>(db: Kysely<DB>, feature: VectorFeature): Promise<ExtensionInfo> {
  return requireFeature(kyselyExecutor(db), feature);
}
