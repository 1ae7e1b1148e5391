/**
 * Similarity search in Knex's idiom: add the Django walkthrough's three query patterns to any Knex (or
 * Objection) query builder, and run a search exactly (true top-k even with an index) or
 * approximately with query-time settings `SET LOCAL` in a transaction.
 */
import type { Knex } from 'knex';
import { validateSearchOptions } from '../../sql/search-options.ts';
import type { Row, VecpgDb } from '../../sql/executor.ts';
import { type SqlFilter, sqlFilter } from '../../sql/filters.ts';
import type { CertifiedRows, CertifiedSearchOptions } from '../../sql/certified-search.ts';
import type { RerankOptions } from '../../sql/rerank.ts';
import { carryCertificate, runCertified, runRerank, searchModeOf } from '../search-modes.ts';
import type { VectorInput } from '../../sql/params.ts';
import type { DistanceName, VectorType } from '../../sql/operators.ts';
import { type SearchSettings, withSearchSettingsFor } from '../../sql/settings.ts';
import { quoteIdent, quoteQualified, unqualifiedName } from '../../sql/identifiers.ts';
import {
  type LikeRowSql,
  type RowId,
  checkLikeOptions,
  explainNoLikeRow,
  likeConditionsSql,
  likeVectorSql,
  likeVectorType,
} from '../../sql/like.ts';
import { distanceSql, exactOrderSql } from '../../sql/query.ts';
import { escapeQuestionMarks } from './columns.ts';
import { type ColumnRef, vectorDistance } from './distance.ts';
import { wrapKnex, knexTransactionOf } from './executor.ts';

/** What a query builder needs for {@link applySimilarity}: Knex's and Objection's both fit. */
export interface SimilarityBuilder {
  select(...columns: unknown[]): unknown;
  where(column: unknown, operator: string, value: unknown): unknown;
  orderBy(column: unknown): unknown;
  limit(n: number): unknown;
}

/** The similarity part of a query. */
export interface SimilarityOptions {
  /** The vector column (`'embedding'` or `['documents', 'embedding']`). */
  column: ColumnRef;
  /** The query vector: array, Vector, HalfVector, SparseVector, Bit or 0/1 string. */
  query: VectorInput;
  distance: DistanceName;
  /** The column type, when the value alone does not say (a plain array against a halfvec column). */
  type?: VectorType;
  /** Add the distance to the select list under this name (default `'distance'`; `false` for none). */
  annotate?: string | false;
  /** Keep rows whose distance is below this (strictly). */
  maxDistance?: number;
  /** Order by distance, nearest first (default true). */
  orderBy?: boolean;
  /**
   * Exact ordering (default true): the ORDER BY is an expression no HNSW/IVFFlat index can serve,
   * so the top-k is the true one. `false` lets PostgreSQL use an index (approximate).
   */
  exact?: boolean;
  /** LIMIT. */
  k?: number;
}

/**
 * Add a similarity search to a query builder you already have (filters, joins, other columns
 * stay yours): the distance in the select list, a threshold in WHERE, ORDER BY distance, LIMIT k.
 * Note: with `annotate`, call your own `select` first (Knex drops `*` once columns are listed).
 *
 * @example
 * const q = knex('science_data').select('*').where('name', 'like', 'Sample%');
 * applySimilarity(q, knex, { column: 'features', query: target, distance: 'cosine', maxDistance: 0.2, k: 10 });
 */
export function applySimilarity<QB extends SimilarityBuilder>(qb: QB, knex: Knex, options: SimilarityOptions): QB {
  const { column, query, distance } = options;
  // No default LIMIT here: this adds to the caller's query, which may page it itself.
  const { k, maxDistance } = validateSearchOptions({ distance, k: options.k, maxDistance: options.maxDistance });
  const base = options.type === undefined ? {} : { type: options.type };
  const alias = options.annotate ?? 'distance';
  const orderBy = options.orderBy ?? true;
  const exact = orderBy && (options.exact ?? true);
  // Annotated and ordered: select the ordering expression itself (`(…) + 0` when exact) and ORDER BY its
  // alias, so PostgreSQL computes each distance once per row. Repeating the expression in ORDER BY would
  // bind the query vector again, as a new parameter, and compute it twice.
  if (alias !== false) qb.select(vectorDistance(knex, column, distance, query, { ...base, exact, as: alias }));
  if (maxDistance !== undefined) qb.where(vectorDistance(knex, column, distance, query, base), '<', maxDistance);
  if (orderBy) {
    qb.orderBy(
      alias !== false
        ? knex.raw(escapeQuestionMarks(quoteIdent(alias)))
        : vectorDistance(knex, column, distance, query, { ...base, exact }),
    );
  }
  if (k !== undefined) qb.limit(k);
  return qb;
}

/** The LATERAL subquery in which {@link vectorSearch} computes the distance. */
const LATERAL = 'vecpg';

/** Options of {@link vectorSearch}. */
export interface VectorSearchOptions extends Omit<SimilarityOptions, 'annotate' | 'orderBy' | 'exact' | 'k' | 'query'> {
  /** The query vector: array, Vector, HalfVector, SparseVector, Bit or 0/1 string. Give this or `likeId`. */
  query?: VectorInput;
  /** "More like this": the stored row with this id is the query (read by the same statement) and is left out. */
  likeId?: RowId;
  /** The id column for `likeId` (default `id`). */
  idColumn?: string;
  /** The table (Knex's table name syntax). */
  table: string;
  /** How many rows: default 10, or every row under `maxDistance` when that is given without `k`. */
  k?: number;
  /** Columns to return besides the distance (default `*`). */
  select?: readonly string[];
  /** Your own filters on the query builder: `(qb) => qb.where('tenant_id', 3)`. */
  where?: (qb: Knex.QueryBuilder) => void;
  /** Name of the distance column (default `distance`). */
  distanceAlias?: string;
  /**
   * Exact by default; `false` (or `approximate`) lets an index serve the search. `'certified'`: the same
   * exact top-k, found on the compact columns of `addCertifiedColumns` and proven per query; the result
   * carries its `certificate`.
   */
  exact?: boolean | 'certified';
  /** Approximate search with these settings, applied with `SET LOCAL` to this query only (with `rerank`: the candidate stage's). */
  approximate?: SearchSettings;
  /**
   * Two-stage search: `candidates` rows from the quantized index (`createVectorIndex({ quantize })`),
   * re-ranked on the full vectors. Takes no `exact`, `maxDistance` or `likeId`.
   */
  rerank?: RerankOptions;
  /** Tuning of `exact: 'certified'` (candidates, growth, tries). */
  certified?: CertifiedSearchOptions;
}

/**
 * Nearest rows first, each with its distance. Exact unless you pass `approximate` (or
 * `exact: false`); approximate settings (`efSearch`, `iterativeScan`, `probes`…) are validated and
 * applied with `set_config(…, true)` inside a Knex transaction, so they never leak to the pool.
 *
 * @example
 * const rows = await vectorSearch(knex, { table: 'documents', column: 'embedding', query: [0.5, 0.2, 0.9, 0.3], distance: 'cosine', k: 5 });
 * const fast = await vectorSearch(knex, { table: 'documents', column: 'embedding', query, distance: 'l2', approximate: { efSearch: 100 } });
 */
export async function vectorSearch<R extends Record<string, unknown> = Record<string, unknown>>(
  knex: Knex,
  options: VectorSearchOptions & { exact: 'certified' },
): Promise<CertifiedRows<R & { distance: number }>>;
export async function vectorSearch<R extends Record<string, unknown> = Record<string, unknown>>(
  knex: Knex,
  options: VectorSearchOptions,
): Promise<Array<R & { distance: number }>>;
export async function vectorSearch<R extends Record<string, unknown> = Record<string, unknown>>(
  knex: Knex,
  options: VectorSearchOptions,
): Promise<Array<R & { distance: number }>> {
  const {
    approximate: _approximate,
    exact: _exact,
    rerank: _rerank,
    certified: _certified,
    table,
    select,
    where,
    distanceAlias,
    k: _k,
    ...similarity
  } = options;
  const { mode, valid } = searchModeOf(options);
  const { exact, limit, settings, maxDistance } = valid;
  const alias = distanceAlias ?? 'distance';
  if (mode !== 'plain') {
    checkLikeOptions(options);
    const core = {
      table: table.split('.'),
      column: unqualifiedName(similarity.column),
      query: similarity.query!,
      distance: valid.distance,
      type: similarity.type,
      k: limit,
      where: whereFilter(knex, table, where),
      ...(select === undefined ? {} : { select }),
    };
    const db = knexDb(knex);
    const raw =
      mode === 'rerank'
        ? await runRerank<R>(db, core, options.rerank!, options.approximate)
        : await runCertified<R>(db, { ...core, maxDistance }, options.certified);
    if (alias !== 'distance') {
      for (const row of raw as Row[]) {
        const d = row['distance'];
        delete row['distance'];
        row[alias] = d;
      }
    }
    return mode === 'certified' ? carryCertificate(raw, raw as CertifiedRows<unknown>) : raw;
  }
  const base = similarity.type === undefined ? {} : { type: similarity.type };
  const likeId = checkLikeOptions(options);
  // Knex binds no bigint: its text, which PostgreSQL reads as the id column's type.
  const likeBinding = typeof likeId === 'bigint' ? likeId.toString() : likeId;
  // likeId: the stored row's vector as a subquery of this statement (an InitPlan); Knex binds the id.
  const likeRow =
    likeId === undefined
      ? undefined
      : {
          table: escapeQuestionMarks(quoteQualified(table.split('.'))),
          column: escapeQuestionMarks(quoteQualified(similarity.column)),
          id: escapeQuestionMarks(quoteIdent(options.idColumn ?? 'id')),
        };
  const likeDistance = (row: LikeRowSql, wrapExact: boolean, as?: string): Knex.Raw => {
    const type = similarity.type ?? likeVectorType(similarity.distance);
    let text = distanceSql(row.column, type, similarity.distance, likeVectorSql(row, '?'));
    if (wrapExact) text = exactOrderSql(text);
    if (as !== undefined) text += ` AS ${escapeQuestionMarks(quoteIdent(as))}`;
    return knex.raw(text, [likeBinding!]);
  };
  const build = (conn: Knex | Knex.Transaction): Knex.QueryBuilder => {
    const qb = conn(table);
    if (where) where(qb);
    // The distance is computed once per row, in a LATERAL subquery PostgreSQL folds into the scan, and
    // ordered by its qualified name: a bare `ORDER BY "distance"` would be ambiguous when `*` also brings
    // a table column of that name. `*` includes the subquery's column (last, so its value is the one in
    // the row); listed columns get it appended. Exact: `(…) + 0`, which no vector index serves;
    // approximate: the plain distance, which the index can serve.
    const computed =
      likeRow === undefined
        ? vectorDistance(knex, similarity.column, similarity.distance, similarity.query, { ...base, exact, as: alias })
        : likeDistance(likeRow, exact, alias);
    qb.joinRaw(`cross join lateral (select ?) as ${quoteIdent(LATERAL)}`, [computed]);
    const ref = knex.raw(escapeQuestionMarks(`${quoteIdent(LATERAL)}.${quoteIdent(alias)}`));
    qb.select(select === undefined ? '*' : [...select, ref]);
    qb.orderBy(ref);
    if (likeRow === undefined) {
      return applySimilarity(qb, knex, {
        ...similarity,
        query: similarity.query!,
        annotate: false,
        orderBy: false,
        ...(limit === undefined ? {} : { k: limit }),
      });
    }
    qb.whereRaw(likeConditionsSql(likeRow, '?').join(' AND '), [likeBinding!, likeBinding!]);
    if (maxDistance !== undefined) qb.where(likeDistance(likeRow, false), '<', maxDistance);
    if (limit !== undefined) qb.limit(limit);
    return qb;
  };
  type Out = Array<R & { distance: number }>;
  const rows = exact
    ? ((await build(knex)) as Out)
    : await withSearchSettingsFor(
        wrapKnex(knex),
        settings,
        async (tx) => (await build(knexTransactionOf(tx))) as Out,
        knex,
      );
  if (likeRow !== undefined && rows.length === 0) {
    const row = {
      table: quoteQualified(table.split('.')),
      column: quoteQualified(similarity.column),
      id: quoteIdent(options.idColumn ?? 'id'),
    };
    const names = { table, column: unqualifiedName(similarity.column), idColumn: options.idColumn ?? 'id' };
    await explainNoLikeRow(wrapKnex(knex), row, names, likeId!);
  }
  return rows;
}

const DATABASES = new WeakMap<object, VecpgDb>();

/** `wrapKnex(knex)`, one per Knex instance (the SQL layer remembers per database whether it is Citus). */
export function knexDb(knex: Knex): VecpgDb {
  let db = DATABASES.get(knex);
  if (db === undefined) {
    db = wrapKnex(knex);
    DATABASES.set(knex, db);
  }
  return db;
}

/**
 * A Knex `where` callback as a core filter. The callback runs on `knex(table)`; when it adds WHERE
 * clauses only, their SQL (as Knex compiles it, values bound) is the filter itself; when it adds anything
 * else (a join, a subquery's order), the filter is `ctid IN (<that query>)`, which keeps its meaning.
 */
export function whereFilter(
  knex: Knex,
  table: string,
  where: ((qb: Knex.QueryBuilder) => void) | undefined,
): SqlFilter | undefined {
  if (where === undefined) return undefined;
  // The table's own ctid (qualified: a join the callback adds may bring another).
  const ctid = `${escapeQuestionMarks(quoteQualified(table.split('.')))}.ctid`;
  const base = () => knex(table).select(knex.raw(ctid));
  const bare = base().toSQL().toNative().sql;
  const qb = base();
  where(qb);
  const compiled = qb.toSQL().toNative();
  const internals = qb as unknown as { _statements?: Array<{ grouping?: string }>; _single?: Record<string, unknown> };
  const whereOnly =
    Array.isArray(internals._statements) &&
    internals._statements.every((s) => s.grouping === 'where' || s.grouping === 'columns') &&
    internals._single?.limit === undefined &&
    internals._single?.offset === undefined;
  const prefix = `${bare} where `;
  if (whereOnly && compiled.sql.startsWith(prefix)) {
    return sqlFilter(compiled.sql.slice(prefix.length), [...compiled.bindings]);
  }
  if (compiled.sql === bare) return undefined;
  return sqlFilter(`ctid IN (${compiled.sql})`, [...compiled.bindings]);
}
