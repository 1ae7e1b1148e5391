/**
 * Exact and approximate nearest-neighbour search in Drizzle. Exact (the default) orders by the SQL
 * layer's exact expression, which no HNSW/IVFFlat index can serve, so the top k are the true top k.
 * Approximate lets the index serve the query, with `efSearch` / `iterativeScan` / `probes` applied by
 * the SQL layer's `set_config(…, true)` (SET LOCAL) inside a transaction, so they never leak.
 */
import { type Column, type SQL, and, getTableColumns, lt } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTable, PgTransactionConfig } from 'drizzle-orm/pg-core';
import { VecpgError, describeValue } from '../../errors.ts';
import type { DistanceName } from '../../sql/operators.ts';
import type { VectorInput } from '../../sql/params.ts';
import { type SearchSettings, applySearchSettings, validateSearchSettings } from '../../sql/settings.ts';
import { searchLimit, searchMode } from '../../sql/search.ts';
import { vectorDistance, exact as exactOrder } from './distance.ts';
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
  /** The query vector: array, Vector, HalfVector, SparseVector, Bit or 0/1 string. */
  query: VectorInput;
  distance: DistanceName;
  /** How many rows: default 10, or every row under `maxDistance` when that is given without `k`. */
  k?: number;
  /** Extra filter, Drizzle's own: `eq(items.category, 'x')`. */
  where?: SQL | undefined;
  /** Keep rows whose distance is strictly below this. */
  maxDistance?: number;
  /** Exact unless false, or unless `approximate` is given. */
  exact?: boolean;
  /** Let the index serve the query, with these settings scoped to it. */
  approximate?: SearchSettings;
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
  options: VectorSearchOptions<TTable>,
): Promise<Array<VectorSearchRow<TTable>>> {
  const k = searchLimit(options.k, options.maxDistance);
  const { exact: isExact, settings } = searchMode(options);
  if (
    options.maxDistance !== undefined &&
    (typeof options.maxDistance !== 'number' || Number.isNaN(options.maxDistance))
  ) {
    throw new VecpgError('INVALID_OPTION', `maxDistance must be a number, got ${describeValue(options.maxDistance)}`);
  }
  const d = vectorDistance(options.column, options.distance, options.query);
  const filter = and(options.where, options.maxDistance === undefined ? undefined : lt(d, options.maxDistance));
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
  if (isExact) return run(db);
  return withSearchSettings(db, settings, (tx) => run(tx));
}
