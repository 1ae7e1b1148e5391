/**
 * pgvector in Sequelize migrations (`up(queryInterface)` / `down(queryInterface)`, as with
 * sequelize-cli or umzug): the extension, idempotent and reversible; the installed version; HNSW and
 * IVFFlat indexes with their operator class and validated options; column storage. Every statement
 * comes from vecpg's SQL layer.
 */
import type { IndexesOptions, QueryInterface, Sequelize, Transaction } from 'sequelize';
import { VecpgError, describeValue } from '../../errors.ts';
import { type DistanceName, type IndexMethod, type VectorType, opclassFor } from '../../sql/operators.ts';
import { QueryTypes, literal } from 'sequelize';
import type { CertifiedDistance, CertifiedLayout } from '../../sql/certified-bound.ts';
import { addCertifiedColumnsSql, isCertifiedColumn } from '../../sql/certified-ddl.ts';
import { readTableColumns } from '../../sql/catalog.ts';
import type { QuantizedForm } from '../../sql/rerank.ts';
import { type QuantizableIndexOptions, quantizedIndexOptions } from '../search-modes.ts';
import {
  type ColumnStorage,
  createExtensionSql,
  createIndexSql,
  dropExtensionSql,
  dropIndexSql,
  setStorageSql,
} from '../../sql/ddl.ts';
import type { Row, SqlExecutor } from '../../sql/executor.ts';
import type { QualifiedName } from '../../sql/identifiers.ts';
import { PgvectorDataType } from './types.ts';
import { type ExtensionInfo, type VectorFeature, extensionInfo, requireFeature } from '../../sql/version.ts';

/** A Sequelize instance or a QueryInterface (what a migration receives). */
export type SequelizeLike = Sequelize | QueryInterface;

/** Options passed to each statement (a migration may run in a transaction). */
export interface StatementOptions {
  transaction?: Transaction;
}

function sequelizeOf(s: SequelizeLike): Sequelize {
  return 'sequelize' in s && s.sequelize ? s.sequelize : (s as Sequelize);
}

/**
 * vecpg's executor over Sequelize: `$1` parameters bound, rows returned.
 *
 * @example
 * await extensionInfo(sequelizeExecutor(queryInterface));
 */
export function sequelizeExecutor(s: SequelizeLike, options: StatementOptions = {}): SqlExecutor {
  const sequelize = sequelizeOf(s);
  return {
    query: async <R extends Row = Row>(text: string, params: readonly unknown[] = []) =>
      sequelize.query<R>(text, { type: QueryTypes.SELECT, bind: [...params], ...options }),
  };
}

async function run(s: SequelizeLike, sql: string, options: StatementOptions): Promise<void> {
  await sequelizeOf(s).query(sql, { raw: true, ...options });
}

/**
 * `CREATE EXTENSION IF NOT EXISTS vector` (optionally in a schema).
 *
 * @example
 * up: async (queryInterface) => { await createVectorExtension(queryInterface); }
 */
export async function createVectorExtension(
  s: SequelizeLike,
  options: StatementOptions & { schema?: string } = {},
): Promise<void> {
  const { schema, ...rest } = options;
  await run(s, createExtensionSql(schema === undefined ? {} : { schema }), rest);
}

/**
 * `DROP EXTENSION IF EXISTS vector`, the reverse of {@link createVectorExtension}.
 *
 * @example
 * down: async (queryInterface) => { await dropVectorExtension(queryInterface); }
 */
export async function dropVectorExtension(
  s: SequelizeLike,
  options: StatementOptions & { cascade?: boolean } = {},
): Promise<void> {
  const { cascade, ...rest } = options;
  await run(s, dropExtensionSql(cascade === undefined ? {} : { cascade }), rest);
}

/**
 * The installed pgvector: `{ installed, version, schema }`.
 *
 * @example
 * (await pgvectorInfo(sequelize)).version; // '0.8.0'
 */
export function pgvectorInfo(s: SequelizeLike, options: StatementOptions = {}): Promise<ExtensionInfo> {
  return extensionInfo(sequelizeExecutor(s, options));
}

/**
 * Fail with EXTENSION_MISSING or VERSION_TOO_OLD unless pgvector has `feature`
 * (halfvec and sparsevec need 0.7.0, iterative scans 0.8.0).
 *
 * @example
 * await requirePgvector(queryInterface, 'sparsevec');
 */
export function requirePgvector(
  s: SequelizeLike,
  feature: VectorFeature,
  options: StatementOptions = {},
): Promise<ExtensionInfo> {
  return requireFeature(sequelizeExecutor(s, options), feature);
}

/**
 * Create an HNSW or IVFFlat index with the operator class for its type and distance and validated
 * build options (`m`, `efConstruction`, `lists`), `IF NOT EXISTS` unless told otherwise. Sequelize's
 * own `addIndex` can name an operator class but not these options. Returns the statement.
 *
 * @example
 * await addVectorIndex(queryInterface, { table: 'documents', column: 'embedding', type: 'vector', distance: 'cosine', m: 16 });
 * // the index of a two-stage search (vectorSearch({ rerank: { using: 'binary' } })):
 * await addVectorIndex(queryInterface, { table: 'documents', column: 'embedding', type: 'vector', distance: 'cosine', dimensions: 768, quantize: 'binary' });
 */
export async function addVectorIndex(
  s: SequelizeLike,
  index: QuantizableIndexOptions,
  options: StatementOptions = {},
): Promise<string> {
  const sql = createIndexSql({ ...quantizedIndexOptions(index), ifNotExists: index.ifNotExists ?? true });
  await run(s, sql, options);
  return sql;
}

/**
 * Add the generated columns certified exact search (`vectorSearch({ exact: 'certified' })`) reads to a
 * `vector(dimensions)` column, for the given distances (re-runnable: `ADD COLUMN IF NOT EXISTS`). One
 * `ALTER TABLE` that rewrites the table; see docs/certified-search.md. Returns the statement it ran.
 * `{ form: 'prefix', prefix: m }` adds the prefix form's columns instead (search with the same `certified`).
 *
 * @example
 * up: async (queryInterface) => { await addCertifiedColumns(queryInterface, 'documents', 'embedding', 768, ['cosine']); }
 * await addCertifiedColumns(queryInterface, 'documents', 'embedding', 768, ['cosine'], { form: 'prefix', prefix: 128, transaction });
 */
export async function addCertifiedColumns(
  s: SequelizeLike,
  table: QualifiedName,
  column: string,
  dimensions: number,
  distances: readonly CertifiedDistance[],
  options: StatementOptions & CertifiedLayout = {},
): Promise<string> {
  const { form, prefix, ...statement } = options;
  const layout = { ...(form !== undefined && { form }), ...(prefix !== undefined && { prefix }) };
  const sql = addCertifiedColumnsSql(table, column, dimensions, distances, { ...layout, ifNotExists: true });
  await run(s, sql, statement);
  return sql;
}

/**
 * `DROP INDEX IF EXISTS`, the reverse of {@link addVectorIndex}.
 *
 * @example
 * await removeVectorIndex(queryInterface, 'documents_embedding_hnsw_cosine_idx');
 */
export async function removeVectorIndex(
  s: SequelizeLike,
  name: QualifiedName,
  options: StatementOptions = {},
): Promise<void> {
  await run(s, dropIndexSql(name), options);
}

/**
 * `ALTER TABLE … ALTER COLUMN … SET STORAGE MAIN` (by default): vectors stay in the row instead of
 * TOAST, which makes exact scans much faster. Run it after `createTable` / `addColumn`.
 *
 * @example
 * await setVectorStorage(queryInterface, 'documents', 'embedding');
 */
export async function setVectorStorage(
  s: SequelizeLike,
  table: QualifiedName,
  column: string,
  storage: ColumnStorage = 'main',
  options: StatementOptions = {},
): Promise<void> {
  await run(s, setStorageSql(table, column, storage), options);
}

/** Options of {@link vectorIndex}. */
export interface ModelVectorIndexOptions {
  /** Index name (required: `sync()` creates model indexes that are missing by name). */
  name: string;
  /** The column (database field name). */
  column: string;
  type: VectorType;
  distance: DistanceName;
  /** Default `'hnsw'`. */
  method?: IndexMethod;
  /**
   * Index the quantized copy a two-stage search (`vectorSearch({ rerank })`) orders its candidates by:
   * `binary` (`binary_quantize(col)::bit(n)`, Hamming) or `halfvec` (`col::halfvec(n)`, this distance).
   * Needs `dimensions`.
   */
  quantize?: QuantizedForm;
  /** The column's dimensions (for `quantize`). */
  dimensions?: number;
}

/**
 * An entry for a model's `indexes` option: `USING hnsw ("embedding" vector_cosine_ops)`, with the
 * operator class from vecpg's table. `sync()` creates it when missing and never drops or rewrites
 * it. Build options (`m`, `efConstruction`, `lists`) cannot be said this way: use
 * {@link addVectorIndex} in a migration for those.
 *
 * @example
 * sequelize.define('Document', { embedding: VECTOR(4) }, {
 *   indexes: [vectorIndex({ name: 'documents_embedding_hnsw', column: 'embedding', type: 'vector', distance: 'cosine' }),
 *     vectorIndex({ name: 'documents_embedding_bq', column: 'embedding', type: 'vector', distance: 'cosine', quantize: 'binary', dimensions: 4 })],
 * });
 */
export function vectorIndex(options: ModelVectorIndexOptions): IndexesOptions {
  if (typeof options?.name !== 'string' || options.name.length === 0) {
    throw new VecpgError('INVALID_OPTION', `vectorIndex needs a name, got ${describeValue(options?.name)}`);
  }
  const extra = Object.keys(options).filter(
    (k) => !['name', 'column', 'type', 'distance', 'method', 'quantize', 'dimensions'].includes(k),
  );
  if (extra.length > 0) {
    throw new VecpgError(
      'INVALID_OPTION',
      `vectorIndex cannot express ${extra.join(', ')}: use addVectorIndex in a migration`,
    );
  }
  const method = options.method ?? 'hnsw';
  if (options.quantize !== undefined || options.dimensions !== undefined) {
    const { name: _name, ...rest } = options;
    const index = quantizedIndexOptions({ ...rest, table: 'unused', quantize: rest.quantize as QuantizedForm });
    const operator = opclassFor(index.type, index.distance, method);
    // An expression index: Sequelize writes a literal field as given.
    return { name: options.name, using: method, fields: [literal(`(${index.expression}) ${operator}`)] };
  }
  const operator = opclassFor(options.type, options.distance, method);
  return { name: options.name, using: method, fields: [{ name: options.column, operator }] };
}

/**
 * Set storage MAIN on every vecpg column of every model of this Sequelize instance that has another
 * storage, and return the statements run (none when all are MAIN). Run it after `sync()`:
 * `sync({ alter: true })` re-types every column, which resets its storage to the type's default.
 *
 * @example
 * await sequelize.sync({ alter: true });
 * await syncVectorStorage(sequelize);
 */
export async function syncVectorStorage(sequelize: Sequelize, options: StatementOptions = {}): Promise<string[]> {
  const run: string[] = [];
  for (const model of Object.values(sequelize.models)) {
    const t = model.getTableName();
    const table: QualifiedName = typeof t === 'string' ? t : t.schema ? [t.schema, t.tableName] : t.tableName;
    const columns = Object.values(model.getAttributes())
      .filter((a) => a.type instanceof PgvectorDataType)
      .map((a) => a.field ?? '');
    if (columns.length === 0) continue;
    const rows = (await readTableColumns(sequelizeExecutor(sequelize, options), table)) ?? [];
    for (const column of columns) {
      // MAIN already, or a certified column (its full vectors out of line by design): left as it is.
      if (rows.find((r) => r.name === column)?.storage === 'm') continue;
      if (isCertifiedColumn(column, rows)) continue;
      const sql = setStorageSql(table, column, 'main');
      await sequelize.query(sql, { raw: true, ...options });
      run.push(sql);
    }
  }
  return run;
}
