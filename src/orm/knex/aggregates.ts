/**
 * pgvector's `avg` and `sum` as Knex raw expressions over a `vector`/`halfvec` column, for `select` with
 * `groupBy` (and Objection's query builder, which takes Knex raws). The value reads as the column does:
 * the connection's parsers decode it (`withVectorTypes` / `registerVectorTypes`, or `knexPglite`), `number[]`.
 */
import type { Knex } from 'knex';
import {
  type AggregateType,
  type VectorAggregate,
  aggregateExpressionSql,
  checkAggregate,
  checkAggregateType,
} from '../../sql/aggregates.ts';
import { quoteIdent, quoteQualified } from '../../sql/identifiers.ts';
import { escapeQuestionMarks } from './columns.ts';
import type { ColumnRef } from './distance.ts';

/** Options of the aggregate helpers. */
export interface KnexAggregateOptions {
  /** The column's type: a sparsevec or bit column is refused (UNSUPPORTED) before the query runs. */
  type?: AggregateType;
  /** Append `AS "<alias>"`, for `select`. */
  as?: string;
}

/**
 * `avg(<column>)` or `sum(<column>)` as a Knex raw (resolves to `number[]`, or null with no vector).
 *
 * @example
 * await knex('items').select(vectorAggregate(knex, 'sum', 'embedding', { as: 'total' }));
 */
export function vectorAggregate(
  knex: Knex,
  aggregate: VectorAggregate,
  column: ColumnRef,
  options: KnexAggregateOptions = {},
): Knex.Raw<number[] | null> {
  const name = checkAggregate(aggregate);
  const quoted = quoteQualified(column);
  if (options.type !== undefined) checkAggregateType(options.type, typeof column === 'string' ? column : quoted);
  // A quoted identifier may contain '?', which Knex would take for a placeholder: escape it.
  let sql = aggregateExpressionSql(name, escapeQuestionMarks(quoted));
  if (options.as !== undefined) sql = `${sql} AS ${escapeQuestionMarks(quoteIdent(options.as))}`;
  return knex.raw<number[] | null>(sql);
}

/**
 * pgvector's `avg`: the centroid, summed in float8 and rounded once to float32 (float16 for halfvec).
 *
 * @example
 * const centroids = await knex('items').select('category', vectorAvg(knex, 'embedding', { as: 'centroid' })).groupBy('category');
 */
export function vectorAvg(knex: Knex, column: ColumnRef, options?: KnexAggregateOptions): Knex.Raw<number[] | null> {
  return vectorAggregate(knex, 'avg', column, options);
}

/**
 * pgvector's `sum`, added row by row in the column's precision (float32, float16).
 *
 * @example
 * await knex('items').select('category', vectorSum(knex, 'embedding', { as: 'total' })).groupBy('category');
 */
export function vectorSum(knex: Knex, column: ColumnRef, options?: KnexAggregateOptions): Knex.Raw<number[] | null> {
  return vectorAggregate(knex, 'sum', column, options);
}
