/**
 * Exact and approximate nearest-neighbour search with Kysely. Exact (the default) orders by the SQL
 * layer's exact expression, which no HNSW/IVFFlat index can serve; approximate lets the index serve
 * the query, with the SQL layer's `set_config(…, true)` (SET LOCAL) applied in a transaction.
 */
import {
  CompiledQuery,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type Selectable,
  type SqlBool,
  type Transaction,
  expressionBuilder,
  sql,
} from 'kysely';
import type { SqlExecutor, VecpgDb } from '../../sql/executor.ts';
import { type SqlFilter, sqlFilter } from '../../sql/filters.ts';
import type { CertifiedRows, CertifiedSearchOptions } from '../../sql/certified-search.ts';
import type { RerankOptions } from '../../sql/rerank.ts';
import { runCertified, runRerank, searchModeOf } from '../search-modes.ts';
import { quoteIdent } from '../../sql/identifiers.ts';
import type { DistanceName, VectorType } from '../../sql/operators.ts';
import type { VectorInput } from '../../sql/params.ts';
import type { Row } from '../../sql/executor.ts';
import { type SearchSettings, applySearchSettings, validateSearchSettings } from '../../sql/settings.ts';
import { vectorDistance, exact as exactOrder } from './distance.ts';
import { kyselyExecutor } from './migrations.ts';
import { type RowId, checkLikeOptions, explainNoLikeRow, likeVectorType } from '../../sql/like.ts';

/**
 * Run `fn` in a transaction with pgvector's query-time settings (`efSearch`, `iterativeScan`,
 * `probes`, …) validated and applied as `SET LOCAL`: they end with the transaction.
 *
 * @example
 * const rows = await withSearchSettings(db, { efSearch: 100 }, (trx) =>
 *   trx.selectFrom('items').selectAll().orderBy(l2Distance('embedding', q)).limit(10).execute());
 */
export async function withSearchSettings<DB, T>(
  db: Kysely<DB>,
  settings: SearchSettings,
  fn: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  validateSearchSettings(settings);
  return db.transaction().execute(async (trx) => {
    await applySearchSettings(
      async (text, values) => (await trx.executeQuery(CompiledQuery.raw(text, [...values]))).rows as Row[],
      settings,
      db,
    );
    return fn(trx);
  });
}

/** Options of {@link vectorSearch}. */
export interface VectorSearchOptions<DB, TB extends keyof DB & string> {
  /** A table of your `Database`, read as Kysely reads table names (`'schema.table'` names a schema). */
  table: TB;
  /** The vector column of `table`: one column name, quoted whole (a dot in it is part of the name). */
  column: keyof DB[TB] & string;
  /** The query vector: array, Vector, HalfVector, SparseVector, Bit or 0/1 string. Give this or `likeId`. */
  query?: VectorInput;
  /** "More like this": the stored row with this id is the query (read by the same statement) and is left out. */
  likeId?: RowId;
  /** The id column for `likeId` (default `id`). */
  idColumn?: keyof DB[TB] & string;
  distance: DistanceName;
  /** The column's pgvector type when the value alone does not say (a dense array against a halfvec column is fine either way). */
  type?: VectorType;
  /** How many rows: default 10, or every row under `maxDistance` when that is given without `k`. */
  k?: number;
  /** Extra filter in Kysely's own terms: `(eb) => eb('category', '=', 'x')`. */
  where?: (eb: ExpressionBuilder<DB, TB>) => Expression<SqlBool>;
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
   * Two-stage search: `candidates` rows from the quantized index (`createVectorIndex({ quantize })`),
   * re-ranked on the full vectors. Takes no `exact`, `maxDistance` or `likeId`.
   */
  rerank?: RerankOptions;
  /** Tuning of `exact: 'certified'` (candidates, growth, tries). */
  certified?: CertifiedSearchOptions;
}

/** The LATERAL subquery computing the distance, and its column (names no table is likely to use). */
const LATERAL_ALIAS = 'vecpg';
const LATERAL_COLUMN = 'vecpg_distance';

/** A row of the table plus its distance to the query. */
export type VectorSearchRow<DB, TB extends keyof DB> = Selectable<DB[TB]> & { distance: number };

/**
 * The `k` rows nearest to `query` (with `maxDistance` and no `k`: every row under the threshold), nearest
 * first, each with its `distance`. Exact by default
 * (true top-k even with an index); `approximate: { efSearch }` uses the index.
 *
 * @example
 * const top = await vectorSearch(db, { table: 'science_data', column: 'features', distance: 'cosine',
 *   query: new SparseVector({ 0: 5.1, 42: 1.0 }, 10000), k: 10, maxDistance: 0.2 });
 */
export async function vectorSearch<DB, TB extends keyof DB & string>(
  db: Kysely<DB>,
  options: VectorSearchOptions<DB, TB> & { exact: 'certified' },
): Promise<CertifiedRows<VectorSearchRow<DB, TB>>>;
export async function vectorSearch<DB, TB extends keyof DB & string>(
  db: Kysely<DB>,
  options: VectorSearchOptions<DB, TB>,
): Promise<Array<VectorSearchRow<DB, TB>>>;
export async function vectorSearch<DB, TB extends keyof DB & string>(
  db: Kysely<DB>,
  options: VectorSearchOptions<DB, TB>,
): Promise<Array<VectorSearchRow<DB, TB>>> {
  const { mode, valid } = searchModeOf(options);
  // Kysely renders the table; vecpg still refuses a part PostgreSQL would truncate (over 63 bytes), read
  // as Kysely reads it (`schema.table`), so a long name can never silently address another table.
  for (const part of String(options.table).split('.')) quoteIdent(part);
  if (mode !== 'plain') {
    checkLikeOptions(options);
    const core = {
      table: String(options.table).split('.'),
      column: options.column,
      query: options.query!,
      distance: valid.distance,
      type: options.type,
      k: valid.limit,
      where: whereFilter(db, options.where),
    };
    if (mode === 'rerank') return runRerank(kyselyDb(db), core, options.rerank!, options.approximate);
    return runCertified(kyselyDb(db), { ...core, maxDistance: valid.maxDistance }, options.certified);
  }
  const { limit: k, exact: isExact, settings, maxDistance } = valid;
  // `column` is a column name, quoted whole by vecpg's quoter: as a Kysely reference `${table}.${column}`
  // a dot inside it would be read as a table or schema separator. One table, so no need to qualify it.
  const column = sql.raw(quoteIdent(options.column));
  const likeId = checkLikeOptions(options);
  const tableSql = String(options.table).split('.').map(quoteIdent).join('.');
  const idSql = quoteIdent(options.idColumn ?? 'id');
  // likeId: the stored row's vector as a subquery of this statement (an InitPlan); Kysely binds the id.
  const vector =
    likeId === undefined
      ? undefined
      : sql`(SELECT ${column} FROM ${sql.raw(tableSql)} WHERE ${sql.raw(idSql)} = ${likeId})`;
  const d = () =>
    vector === undefined
      ? vectorDistance(column, options.distance, options.query!, options.type)
      : vectorDistance(column, options.distance, vector as never, options.type ?? likeVectorType(options.distance));
  const run = async (q: Kysely<DB>) => {
    // The distance is computed once per row, in a LATERAL subquery that PostgreSQL folds into the scan,
    // and both selected and ordered by its qualified name: Kysely binds the query vector again at every
    // use, so an ORDER BY repeating the expression would compute it twice, and a bare `ORDER BY
    // "distance"` would be ambiguous next to `*` on a table with a "distance" column. The subquery's
    // value is `(…) + 0` for an exact search (no vector index serves it) and the plain distance, which
    // the index can serve, for an approximate one.
    // The table and its filter are typed by the caller's Database interface; the builder is not.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- internal: dynamic table name
    const kysely = q as Kysely<any>;
    const lateral = kysely.selectNoFrom((isExact ? exactOrder(d()) : d()).as(LATERAL_COLUMN)).as(LATERAL_ALIAS);
    let query = kysely
      .selectFrom(options.table as string)
      // `inner join lateral … on true`, not crossJoinLateral: the same plan, and Kysely 0.27 has it.
      .innerJoinLateral(lateral, (join) => join.onTrue())
      .selectAll(options.table)
      .select(`${LATERAL_ALIAS}.${LATERAL_COLUMN} as distance` as const);
    if (options.where) query = query.where(options.where as never);
    if (vector !== undefined) {
      query = query.where(sql<boolean>`${sql.raw(idSql)} IS DISTINCT FROM ${likeId} AND ${vector} IS NOT NULL`);
    }
    if (maxDistance !== undefined) query = query.where(d(), '<', maxDistance);
    query = query.orderBy(`${LATERAL_ALIAS}.${LATERAL_COLUMN}` as const);
    if (k !== undefined) query = query.limit(k);
    return (await query.execute()) as Array<VectorSearchRow<DB, TB>>;
  };
  const rows = isExact ? await run(db) : await withSearchSettings(db, settings, (trx) => run(trx));
  if (likeId !== undefined && rows.length === 0) {
    const row = { table: tableSql, column: quoteIdent(options.column), id: idSql };
    const names = { table: String(options.table), column: options.column, idColumn: options.idColumn ?? 'id' };
    await explainNoLikeRow(kyselyExecutor(db), row, names, likeId);
  }
  return rows;
}

/**
 * A Kysely `where` callback as a core filter: the expression Kysely compiles for it (its columns as the
 * callback names them, its values as bound parameters), renumbered into the core's statement.
 */
export function whereFilter<DB, TB extends keyof DB & string>(
  db: Kysely<DB>,
  where: ((eb: ExpressionBuilder<DB, TB>) => Expression<SqlBool>) | undefined,
): SqlFilter | undefined {
  if (where === undefined) return undefined;
  const compiled = sql`${where(expressionBuilder<DB, TB>())}`.compile(db);
  return sqlFilter(compiled.sql, compiled.parameters);
}

const DATABASES = new WeakMap<object, VecpgDb>();

/** The SQL layer's database over a Kysely instance: its statements and its transactions. */
export function kyselyDb<DB>(db: Kysely<DB>): VecpgDb {
  let out = DATABASES.get(db);
  if (out === undefined) {
    const base = kyselyExecutor(db);
    out = {
      kind: 'pg',
      query: base.query,
      transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
        db.transaction().execute((trx) => fn(kyselyExecutor(trx))),
    };
    DATABASES.set(db, out);
  }
  return out;
}
