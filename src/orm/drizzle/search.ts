/**
 * Exact and approximate nearest-neighbour search in Drizzle. Exact (the default) orders by the SQL
 * layer's exact expression, which no HNSW/IVFFlat index can serve, so the top k are the true top k.
 * Approximate lets the index serve the query, with `efSearch` / `iterativeScan` / `probes` applied by
 * the SQL layer's `set_config(…, true)` (SET LOCAL) inside a transaction, so they never leak.
 */
import { type Column, type SQL, and, getTableColumns, lt, sql } from 'drizzle-orm';
import {
  type PgDatabase,
  PgDialect,
  type PgQueryResultHKT,
  type PgTable,
  type PgTransactionConfig,
  getTableConfig,
} from 'drizzle-orm/pg-core';
import type { Row, SqlExecutor, VecpgDb } from '../../sql/executor.ts';
import { type SqlFilter, sqlFilter } from '../../sql/filters.ts';
import type { CertifiedRows, CertifiedSearchOptions } from '../../sql/certified-search.ts';
import type { QualifiedName } from '../../sql/identifiers.ts';
import type { RerankOptions } from '../../sql/rerank.ts';
import { carryCertificate, runCertified, runRerank, searchModeOf } from '../search-modes.ts';
import { quoteIdent, quoteQualified } from '../../sql/identifiers.ts';
import { type RowId, checkLikeOptions, explainNoLikeRow, likeIdColumn } from '../../sql/like.ts';
import type { DistanceName } from '../../sql/operators.ts';
import type { VectorInput } from '../../sql/params.ts';
import { type SearchSettings, applySearchSettings, validateSearchSettings } from '../../sql/settings.ts';
import { columnVectorType, vectorDistance, exact as exactOrder } from './distance.ts';
import { type DrizzleExecutable, drizzleExecutor } from './migrations.ts';

/** A Drizzle database that can open transactions (any PostgreSQL driver). */
export interface DrizzleTransactional<TTx> {
  transaction<T>(fn: (tx: TTx) => Promise<T>, config?: PgTransactionConfig): Promise<T>;
}

/**
 * Run `fn` in a transaction with pgvector's query-time settings applied as `SET LOCAL`
 * (`hnsw.ef_search`, `hnsw.iterative_scan`, `ivfflat.probes`, …), validated first.
 *
 * @example
 * const rows = await withSearchSettings(db, { efSearch: 100, iterativeScan: 'relaxed_order' }, (tx) =>
 *   tx.select().from(items).orderBy(l2Distance(items.embedding, q)).limit(10));
 */
export async function withSearchSettings<TTx extends DrizzleExecutable, T>(
  db: DrizzleTransactional<TTx>,
  settings: SearchSettings,
  fn: (tx: TTx) => Promise<T>,
): Promise<T> {
  validateSearchSettings(settings);
  return db.transaction(async (tx) => {
    await applySearchSettings((text, values) => drizzleExecutor(tx).query(text, values), settings, db);
    return fn(tx);
  });
}

/** Options of {@link vectorSearch}. */
export interface VectorSearchOptions<TTable extends PgTable> {
  table: TTable;
  /** The vector column of `table`. */
  column: Column;
  /** The query vector: array, Vector, HalfVector, SparseVector, Bit or 0/1 string. Give this or `likeId`. */
  query?: VectorInput;
  /** "More like this": the stored row with this id is the query (read by the same statement) and is left out. */
  likeId?: RowId;
  /** The id column for `likeId` (default: the table's primary key column). */
  idColumn?: Column;
  distance: DistanceName;
  /** How many rows: default 10, or every row under `maxDistance` when that is given without `k`. */
  k?: number;
  /** Extra filter, Drizzle's own: `eq(items.category, 'x')`. */
  where?: SQL | undefined;
  /** Keep rows whose distance is strictly below this. */
  maxDistance?: number;
  /**
   * Exact unless false, or unless `approximate` is given. `'certified'`: the same exact top-k, found on the
   * compact columns of `addCertifiedColumnsSql` and proven per query; the result carries its `certificate`.
   */
  exact?: boolean | 'certified';
  /** Let the index serve the query, with these settings scoped to it (with `rerank`: the candidate stage's). */
  approximate?: SearchSettings;
  /**
   * Two-stage search: `candidates` rows from the quantized index (`hnswIndex(…, { quantize })`), re-ranked
   * on the full vectors. Takes no `exact`, `maxDistance` or `likeId`.
   */
  rerank?: RerankOptions;
  /** Tuning of `exact: 'certified'` (candidates, growth, tries). */
  certified?: CertifiedSearchOptions;
}

/** A row of the table plus its distance to the query. */
export type VectorSearchRow<TTable extends PgTable> = TTable['$inferSelect'] & { distance: number };

/**
 * The `k` rows nearest to `query`, nearest first, each with its `distance` (with `maxDistance` and no `k`:
 * every row under the threshold).
 * Exact by default (true top-k even with an index); `approximate: { efSearch }` uses the index.
 *
 * @example
 * const top = await vectorSearch(db, { table: scienceData, column: scienceData.features, distance: 'cosine',
 *   query: new SparseVector({ 0: 5.1, 42: 1.0 }, 10000), k: 10, maxDistance: 0.2 });
 */
export async function vectorSearch<TTable extends PgTable>(
  db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>,
  options: VectorSearchOptions<TTable> & { exact: 'certified' },
): Promise<CertifiedRows<VectorSearchRow<TTable>>>;
export async function vectorSearch<TTable extends PgTable>(
  db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>,
  options: VectorSearchOptions<TTable>,
): Promise<Array<VectorSearchRow<TTable>>>;
export async function vectorSearch<TTable extends PgTable>(
  db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>,
  options: VectorSearchOptions<TTable>,
): Promise<Array<VectorSearchRow<TTable>>> {
  const { mode, valid } = searchModeOf(options);
  const likeId = checkLikeOptions(options);
  if (mode !== 'plain') {
    const core = {
      table: tableName(options.table),
      column: options.column.name,
      query: options.query!,
      distance: valid.distance,
      type: columnVectorType(options.column),
      k: valid.limit,
      where: whereFilter(db, options.where),
    };
    if (mode === 'rerank') {
      const raw = await runRerank(drizzleDb(db), core, options.rerank!, options.approximate);
      return mapRows<VectorSearchRow<TTable>>(options.table, raw);
    }
    const raw = await runCertified(drizzleDb(db), { ...core, maxDistance: valid.maxDistance }, options.certified);
    return carryCertificate(mapRows<VectorSearchRow<TTable>>(options.table, raw), raw);
  }
  const { limit: k, exact: isExact, settings, maxDistance } = valid;
  let d: SQL<number>;
  let like: SQL | undefined;
  let idColumn: Column | undefined;
  if (likeId === undefined) d = vectorDistance(options.column, options.distance, options.query!);
  else {
    idColumn = options.idColumn ?? primaryKeyOf(options.table);
    // The stored row's vector, computed once by PostgreSQL (an InitPlan); Drizzle binds the id.
    const vector = sql`(SELECT ${options.column} FROM ${options.table} WHERE ${idColumn} = ${likeId})`;
    d = vectorDistance(options.column, options.distance, vector);
    like = sql`${idColumn} IS DISTINCT FROM ${likeId} AND ${vector} IS NOT NULL`;
  }
  const filter = and(options.where, like, maxDistance === undefined ? undefined : lt(d, maxDistance));
  const columns = getTableColumns(options.table);
  // The distance is selected once, as the very expression the search orders by, and ORDER BY names
  // that select-list entry: PostgreSQL then computes each distance once per row (an ORDER BY repeating
  // the expression would bind the query vector again, as a new parameter, and compute it twice). The
  // entry stays `(…) + 0` for an exact search, which no vector index can serve. Drizzle reads rows by
  // position, so the SQL alias can be any name no selected column has (a bare ORDER BY name must be unique).
  const taken = new Set(Object.entries(columns).flatMap(([key, column]) => (key === 'distance' ? [] : [column.name])));
  let alias = 'distance';
  while (taken.has(alias)) alias = `_${alias}`;
  const annotated = (isExact ? exactOrder(d) : d).as(alias);
  const run = (q: PgDatabase<PgQueryResultHKT, Record<string, unknown>>) => {
    const ordered = q
      .select({ ...columns, distance: annotated })
      // tsc needs the widening for Drizzle's conditional `from()` type (typescript-eslint's checker does not).
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      .from(options.table as PgTable)
      .where(filter)
      .orderBy(annotated);
    return (k === undefined ? ordered : ordered.limit(k)) as unknown as Promise<Array<VectorSearchRow<TTable>>>;
  };
  const rows = isExact ? await run(db) : await withSearchSettings(db, settings, (tx) => run(tx));
  if (likeId !== undefined && rows.length === 0) {
    const { name, schema } = getTableConfig(options.table);
    const table = schema === undefined ? name : `${schema}.${name}`;
    const row = {
      table: quoteQualified(schema === undefined ? name : [schema, name]),
      column: quoteIdent(options.column.name),
      id: quoteIdent(idColumn!.name),
    };
    await explainNoLikeRow(
      drizzleExecutor(db),
      row,
      { table, column: options.column.name, idColumn: idColumn!.name },
      likeId,
    );
  }
  return rows;
}

/** The table's name as the SQL layer takes it (`name` or `[schema, name]`). */
export function tableName(table: PgTable): QualifiedName {
  const { name, schema } = getTableConfig(table);
  return schema === undefined ? name : [schema, name];
}

/**
 * A Drizzle `where` as a core filter: the SQL Drizzle renders for it (columns qualified by their table,
 * values as bound parameters encoded by their columns), renumbered into the core's statement.
 */
export function whereFilter(
  db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>,
  where: SQL | undefined,
): SqlFilter | undefined {
  if (where === undefined) return undefined;
  // The database's own dialect (its casing), falling back to a plain one.
  const dialect = (db as unknown as { dialect?: PgDialect }).dialect ?? new PgDialect();
  const query = dialect.sqlToQuery(where);
  return sqlFilter(query.sql, query.params);
}

const DATABASES = new WeakMap<object, VecpgDb>();

/** The SQL layer's database over a Drizzle database: its statements and its transactions. */
export function drizzleDb(db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>): VecpgDb {
  let out = DATABASES.get(db);
  if (out === undefined) {
    const base = drizzleExecutor(db);
    out = {
      kind: 'pg',
      query: base.query,
      transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) => db.transaction((tx) => fn(drizzleExecutor(tx))),
    };
    DATABASES.set(db, out);
  }
  return out;
}

/**
 * Rows of a core statement as Drizzle returns rows of `table`: each column under its key, read by its
 * own `mapFromDriverValue`, plus the fields the search adds (`extra`, numbers or null).
 */
export function mapRows<R>(table: PgTable, raw: readonly Row[], extra: readonly string[] = ['distance']): R[] {
  const columns = Object.entries(getTableColumns(table));
  return raw.map((r) => {
    const row: Row = {};
    for (const [key, column] of columns) {
      const value = r[column.name];
      row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    for (const field of extra) row[field] = r[field] === null || r[field] === undefined ? null : Number(r[field]);
    return row as R;
  });
}

/** The table's one primary key column, for `likeId` without `idColumn`. */
function primaryKeyOf(table: PgTable): Column {
  const config = getTableConfig(table);
  const keys = [...config.columns.filter((c) => c.primary), ...config.primaryKeys.flatMap((k) => k.columns)];
  return likeIdColumn(config.name, keys, undefined);
}
