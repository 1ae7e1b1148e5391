/**
 * pgvector's `avg` and `sum` as Drizzle SQL expressions over a `vector`/`halfvec` column, for
 * `db.select({...}).groupBy(...)`. Each decodes with the column's own decoder, so the value reads as the
 * column does (`number[]` for vecpg's columns), and is `null` where SQL's aggregate is (no non-NULL vector).
 */
import { Column, type SQL, is, sql } from 'drizzle-orm';
import { VecpgError, describeValue } from '../../errors.ts';
import { type VectorAggregate, checkAggregate, checkAggregateType } from '../../sql/aggregates.ts';
import { columnVectorType } from './distance.ts';

/** What an aggregate of `column` reads as: the column's own data type, or null. */
export type AggregateOf<TColumn extends Column> = SQL<TColumn['_']['data'] | null>;

/**
 * `avg(column)` or `sum(column)`, decoded as the column. UNSUPPORTED for a sparsevec, bit or other
 * column (pgvector aggregates vector and halfvec only).
 *
 * @example
 * await db.select({ total: vectorAggregate('sum', items.embedding) }).from(items);
 */
export function vectorAggregate<TColumn extends Column>(
  aggregate: VectorAggregate,
  column: TColumn,
): AggregateOf<TColumn> {
  const name = checkAggregate(aggregate);
  if (!is(column, Column)) {
    throw new VecpgError(
      'INVALID_VALUE',
      `${name}() needs a Drizzle vector or halfvec column, got ${describeValue(column)}`,
    );
  }
  checkAggregateType(columnVectorType(column) ?? column.getSQLType(), column.name);
  // The aggregate of a column is a value of the column's type: the column's own decoder reads it.
  return sql`${sql.raw(name)}(${column})`.mapWith(column);
}

/**
 * pgvector's `avg(column)`: the centroid, read as the column (`number[]`). The mean is summed in float8
 * and rounded once to float32 (float16 for halfvec).
 *
 * @example
 * const centroids = await db
 *   .select({ category: items.category, centroid: vectorAvg(items.embedding) })
 *   .from(items)
 *   .groupBy(items.category);
 */
export function vectorAvg<TColumn extends Column>(column: TColumn): AggregateOf<TColumn> {
  return vectorAggregate('avg', column);
}

/**
 * pgvector's `sum(column)`, read as the column (`number[]`). Added row by row in the column's precision
 * (float32, float16), and an error when an element overflows it.
 *
 * @example
 * await db.select({ category: items.category, total: vectorSum(items.embedding) }).from(items).groupBy(items.category);
 */
export function vectorSum<TColumn extends Column>(column: TColumn): AggregateOf<TColumn> {
  return vectorAggregate('sum', column);
}
