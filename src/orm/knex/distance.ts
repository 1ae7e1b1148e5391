/**
 * The six distances as Knex raw expressions, usable in `select`, `where` and `orderBy`:
 * `<column> <op> ?::<type>` with the query vector bound, never spliced. Operators come from
 * vecpg's one table (`operatorFor`), identifiers from its one quoter.
 */
import type { Knex } from 'knex';
import { type QualifiedName, quoteIdent, quoteQualified } from '../../sql/identifiers.ts';
import { type DistanceName, type VectorType, typeOfValue } from '../../sql/operators.ts';
import { paramCast, toVectorValue } from '../../sql/params.ts';
import { distanceSql, exactOrderSql } from '../../sql/query.ts';
import { escapeQuestionMarks } from './columns.ts';

/** Options of the distance helpers. */
export interface KnexDistanceOptions {
  /** The column's type (`halfvec` for a halfvec column queried with a plain array); inferred from the value otherwise. */
  type?: VectorType;
  /** Append `AS "<alias>"`, for `select` (the Django walkthrough's `annotate(distance=…)`). */
  as?: string;
  /**
   * For `orderBy`: wrap the distance so no HNSW/IVFFlat index can serve the ORDER BY, making
   * the top-k exact even when an index exists (`(<distance>) + 0`, vecpg's exact ordering).
   */
  exact?: boolean;
}

/**
 * A column reference: `'embedding'`, or `['documents', 'embedding']` for a qualified one. A string
 * is one identifier: `'documents.embedding'` would name a column with a dot in it.
 */
export type ColumnRef = QualifiedName;

/**
 * `<column> <op> ?::<type>` for any distance, as a Knex raw expression (resolves to a number).
 *
 * @example
 * knex('items').select('*', vectorDistance(knex, 'embedding', 'cosine', [1, 2, 3], { as: 'distance' }));
 */
export function vectorDistance(
  knex: Knex,
  column: ColumnRef,
  distance: DistanceName,
  value: unknown,
  options: KnexDistanceOptions = {},
): Knex.Raw<number> {
  const type = options.type ?? typeOfValue(value);
  const v = toVectorValue(value, type);
  // A quoted identifier may contain '?', which Knex would take for a placeholder: escape it.
  let sql = distanceSql(escapeQuestionMarks(quoteQualified(column)), type, distance, `?::${paramCast(type, v)}`);
  if (options.exact) sql = exactOrderSql(sql);
  if (options.as !== undefined) sql = `${sql} AS ${escapeQuestionMarks(quoteIdent(options.as))}`;
  return knex.raw<number>(sql, [v.toSql()]);
}

/**
 * Euclidean distance `<->` (vector, halfvec, sparsevec).
 *
 * @example
 * knex('documents').orderBy(l2Distance(knex, 'embedding', [0.5, 0.2, 0.9, 0.3])).limit(10);
 */
export function l2Distance(
  knex: Knex,
  column: ColumnRef,
  value: unknown,
  options?: KnexDistanceOptions,
): Knex.Raw<number> {
  return vectorDistance(knex, column, 'l2', value, options);
}

/**
 * Negative inner product `<#>` (smaller is more similar).
 *
 * @example
 * knex('documents').select('*', maxInnerProduct(knex, 'embedding', query, { as: 'distance' }));
 */
export function maxInnerProduct(
  knex: Knex,
  column: ColumnRef,
  value: unknown,
  options?: KnexDistanceOptions,
): Knex.Raw<number> {
  return vectorDistance(knex, column, 'ip', value, options);
}

/**
 * Cosine distance `<=>`.
 *
 * @example
 * knex('science_data').where(cosineDistance(knex, 'features', target), '<', 0.2);
 */
export function cosineDistance(
  knex: Knex,
  column: ColumnRef,
  value: unknown,
  options?: KnexDistanceOptions,
): Knex.Raw<number> {
  return vectorDistance(knex, column, 'cosine', value, options);
}

/**
 * Taxicab distance `<+>`.
 *
 * @example
 * knex('documents').orderBy(l1Distance(knex, 'embedding', query));
 */
export function l1Distance(
  knex: Knex,
  column: ColumnRef,
  value: unknown,
  options?: KnexDistanceOptions,
): Knex.Raw<number> {
  return vectorDistance(knex, column, 'l1', value, options);
}

/**
 * Hamming distance `<~>` on a `bit(n)` column (the value a `Bit` or 0/1 string).
 *
 * @example
 * knex('items').orderBy(hammingDistance(knex, 'bits', '101'));
 */
export function hammingDistance(
  knex: Knex,
  column: ColumnRef,
  value: unknown,
  options?: KnexDistanceOptions,
): Knex.Raw<number> {
  return vectorDistance(knex, column, 'hamming', value, { type: 'bit', ...options });
}

/**
 * Jaccard distance `<%>` on a `bit(n)` column.
 *
 * @example
 * knex('items').orderBy(jaccardDistance(knex, 'bits', '101'));
 */
export function jaccardDistance(
  knex: Knex,
  column: ColumnRef,
  value: unknown,
  options?: KnexDistanceOptions,
): Knex.Raw<number> {
  return vectorDistance(knex, column, 'jaccard', value, { type: 'bit', ...options });
}
