/**
 * The statement of a certified exact search and the check of its certificate. One statement per try:
 * the addresses of the N rows with the smallest key (a lower-bound ordering over the compact columns,
 * NULL keys first), those rows fetched by ctid and re-ranked on the full vectors, top k, with the N-th
 * key and the candidate count alongside.
 */
import { VecpgError, describeValue } from '../errors.ts';
import { HalfVector } from '../types/halfvec.ts';
import type { Vector } from '../types/vector.ts';
import type { CertifiedQuery } from './certified-bound.ts';
import { certifiedColumns } from './certified-ddl.ts';
import type { Row } from './executor.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from './identifiers.ts';
import { operatorFor } from './operators.ts';
import { type SearchFilter, filterSql } from './filters.ts';
import { type SqlQuery, distanceSql, exactOrderSql } from './query.ts';
import { binaryColumnSql } from './vector-output.ts';

/** Internal result columns, removed from the rows before they are returned. */
export const KEY_COLUMN = '__vecpg_key';
export const BOUND_COLUMN = '__vecpg_bound';
export const COUNT_COLUMN = '__vecpg_count';

/** Options of {@link buildCertifiedQuery}. */
export interface CertifiedQueryOptions {
  table: QualifiedName;
  column: string;
  query: Vector;
  prepared: CertifiedQuery;
  /** N: how many candidates to re-rank (at most, with `maxKey`). */
  candidates: number;
  /**
   * Take only the rows whose key is at most this (and those without a key), up to N: a retry sized by the
   * previous try's k-th distance (see {@link keyReaching}).
   */
  maxKey?: number;
  k: number;
  select?: '*' | readonly string[];
  where?: SearchFilter | undefined;
  distanceAlias?: string;
  binaryParams?: boolean;
  /** Select `column` as `vector_send(column)` where `select` lists it. */
  readBinary?: boolean;
}

/**
 * The certified search statement for one try. `$1` is the query, `$2` its compact form.
 *
 * @example
 * const p = prepareCertifiedQuery([1, 2], 'l2') as CertifiedQuery;
 * buildCertifiedQuery({ table: 'items', column: 'embedding', query: new Vector([1, 2]), prepared: p, candidates: 40, k: 10 }).text;
 * // 'SELECT "__vecpg_t".*, ("embedding" <-> $1::vector) + 0 AS "distance", … JOIN "items" AS "__vecpg_t" ON … LIMIT $5'
 */
export function buildCertifiedQuery(options: CertifiedQueryOptions): SqlQuery {
  const { prepared } = options;
  const values: unknown[] = [options.binaryParams === true ? options.query.toBinary() : options.query.toSql()];
  const bind = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const half = new HalfVector(prepared.half);
  const halfParam = `${bind(options.binaryParams === true ? half.toBinary() : half.toSql())}::halfvec`;
  const prefix = prepared.form === 'prefix' ? { form: 'prefix' as const, prefix: prepared.half.length } : {};
  const names = certifiedColumns(options.column, prepared.distance, prefix);
  const compact = distanceSql(
    quoteIdent(names.half),
    'halfvec',
    prepared.distance === 'cosine' ? 'l2' : prepared.distance,
    halfParam,
  );
  const c = prepared.coefficients.map((x) => `${bind(x)}::float8`);
  let key: string;
  if (names.rest !== undefined) {
    // A² + B² (docs/certified-search.md, the prefix form). greatest() skips NULLs: a row without a
    // compact form (all three columns NULL) gets key 0, the smallest key, whose bound is below 0.
    const positive = (x: string) => `greatest(0, ${x})`;
    const a = positive(`(${compact}) * ${c[0]} - ${quoteIdent(names.error)} * ${c[1]} - ${c[2]}`);
    const rest = quoteIdent(names.rest);
    const b = positive(`abs(${c[3]} - ${rest}) - ${rest} * ${c[4]} - ${c[5]}`);
    key = `power(${a}, 2) + power(${b}, 2)`;
  } else {
    key =
      names.norm === undefined
        ? `(${compact}) - ${quoteIdent(names.error)} * ${c[0]}`
        : `(${compact}) - ${quoteIdent(names.norm)} * ${c[0]} - ${quoteIdent(names.error)} * ${c[1]}`;
  }

  const conditions = filterSql(options.where, bind);
  // Only the row address and the key go through the sort (a top-N sort copies each tuple it reads, and
  // copying the whole row, halfvec and all, cost more than the distances); the N rows are then fetched
  // back by ctid (a TID scan), within the same statement and snapshot.
  const scan =
    `SELECT ctid AS "__vecpg_ctid", ${key} AS ${quoteIdent(KEY_COLUMN)} FROM ${quoteQualified(options.table)}` +
    (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '');
  // With maxKey the key is compared in an outer query over the scan (OFFSET 0 keeps it a subquery), so
  // that each row's key is computed once, as in the ORDER BY.
  const keyColumn = quoteIdent(KEY_COLUMN);
  const inner =
    (options.maxKey === undefined
      ? scan
      : `SELECT * FROM (${scan} OFFSET 0) AS "__vecpg_keys" WHERE ${keyColumn} <= ${bind(options.maxKey)}::float8 OR ${keyColumn} IS NULL`) +
    ` ORDER BY ${keyColumn} NULLS FIRST LIMIT ${bind(options.candidates)}`;

  const select = options.select ?? '*';
  if (select !== '*' && (!Array.isArray(select) || select.length === 0)) {
    throw new VecpgError(
      'INVALID_OPTION',
      `select must be '*' or a non-empty array of column names, got ${describeValue(select)}`,
    );
  }
  const columns =
    select === '*'
      ? ['"__vecpg_t".*']
      : select.map((c: string) =>
          options.readBinary === true && c === options.column ? binaryColumnSql(c, 'vector') : quoteIdent(c),
        );
  const order = exactOrderSql(distanceSql(quoteIdent(options.column), 'vector', prepared.distance, '$1::vector'));
  operatorFor('vector', prepared.distance);
  columns.push(
    `${order} AS ${quoteIdent(options.distanceAlias ?? 'distance')}`,
    quoteIdent(KEY_COLUMN),
    `max(${quoteIdent(KEY_COLUMN)}) OVER () AS ${quoteIdent(BOUND_COLUMN)}`,
    `(count(*) OVER ())::int AS ${quoteIdent(COUNT_COLUMN)}`,
  );
  const text =
    `SELECT ${columns.join(', ')} FROM (${inner}) AS "__vecpg_candidates"` +
    ` JOIN ${quoteQualified(options.table)} AS "__vecpg_t" ON "__vecpg_t".ctid = "__vecpg_candidates"."__vecpg_ctid"` +
    ` ORDER BY ${order} LIMIT ${bind(options.k)}`;
  return { text, values };
}

/** What a certified search proved about one query. */
export interface Certificate {
  /** The result was proven exact from the compact scan (false: it came from the plain exact scan). */
  readonly proven: boolean;
  /** Proven by the first statement. */
  readonly firstTry: boolean;
  /** Statements run over the compact columns. */
  readonly tries: number;
  /** N of the last try (a retry bounded by the previous k-th distance may take fewer rows). */
  readonly candidates: number;
  /** The lower bound proven for every row outside the candidates (null: none). */
  readonly bound: number | null;
  /** The distance the bound had to reach: the k-th distance, or maxDistance when smaller. */
  readonly threshold: number | null;
  /** 'exact-scan' when the plain exact scan answered instead. */
  readonly fallback: 'exact-scan' | null;
  /** Why there was no certificate, when there was none. */
  readonly reason: string | null;
}

/** The outcome of one try: proven or not, with the numbers to report. */
export interface TryOutcome {
  readonly proven: boolean;
  readonly bound: number | null;
  readonly threshold: number | null;
  /** All rows (after the WHERE filters) were candidates. */
  readonly exhausted: boolean;
  /** The largest candidate key (null: none, or all NULL). */
  readonly key: number | null;
  /** How many candidates the try took. */
  readonly taken: number;
}

/**
 * Check one try's certificate and strip the internal columns from `rows` (in place). Proven when all
 * rows were candidates, or when the bound for the rows outside reaches the k-th distance (or
 * `maxDistance`, whichever is smaller).
 *
 * @example
 * checkCertificate(rows, prepared, 40, 10); // { proven: true, bound: 11.2, threshold: 10.9, exhausted: false }
 */
export function checkCertificate(
  rows: Row[],
  prepared: CertifiedQuery,
  candidates: number,
  k: number,
  distanceAlias = 'distance',
  maxDistance?: number,
  maxKey?: number,
): TryOutcome {
  const first = rows[0];
  const count = first === undefined ? 0 : Number(first[COUNT_COLUMN]);
  const key = first === undefined ? null : (first[BOUND_COLUMN] as number | null);
  for (const row of rows) {
    delete row[KEY_COLUMN];
    delete row[BOUND_COLUMN];
    delete row[COUNT_COLUMN];
  }
  const found = { key: key === null || key === undefined ? null : Number(key), taken: count };
  const bound = found.key === null ? null : prepared.bound(found.key);
  const kth = rows.length >= k ? Number(rows[k - 1]![distanceAlias]) : Infinity;
  const threshold = Math.min(kth, maxDistance ?? Infinity);
  if (count < candidates && maxKey !== undefined) {
    // Every row with a key <= maxKey was a candidate: the rows outside have a key above it.
    const above = prepared.bound(maxKey);
    return { proven: threshold <= above, bound: above, threshold: finite(threshold), exhausted: false, ...found };
  }
  if (count < candidates) return { proven: true, bound, threshold: finite(threshold), exhausted: true, ...found };
  const proven = bound !== null && threshold <= bound; // false for a NaN distance (cosine of a zero vector)
  return { proven, bound, threshold: finite(threshold), exhausted: false, ...found };
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * The smallest key found (by bisection, to float8 precision) whose bound reaches `threshold`, at or above
 * `from`; null when there is none (the bound never reaches it, or `threshold` is not a finite number).
 * Rows with a larger key are proven at least `threshold` away, so a retry needs only the rows up to it.
 *
 * @example
 * keyReaching(prepared, 0.31, 0.2); // e.g. 0.342: the rows with key <= 0.342 are the ones in doubt
 */
export function keyReaching(prepared: CertifiedQuery, threshold: number, from: number): number | null {
  if (!Number.isFinite(threshold) || !Number.isFinite(from)) return null;
  let lo = from;
  let hi = Math.max(Math.abs(from), 1e-300);
  for (let i = 0; !(prepared.bound(hi) >= threshold); i++) {
    if (i >= 2100 || !Number.isFinite(hi)) return null;
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && lo < hi; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (prepared.bound(mid) >= threshold) hi = mid;
    else lo = mid;
  }
  return hi;
}
