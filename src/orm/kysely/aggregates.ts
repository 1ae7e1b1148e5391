/**
 * pgvector's `avg` and `sum` as typed Kysely expressions (`RawBuilder`) over a `vector`/`halfvec` column,
 * for `select(...)` with `groupBy(...)`. The value reads as the column does: the driver decodes it
 * (vecpg's `PgliteDialect`, or `registerVectorTypes(pool)` from `vecpg/pg`), `number[]` by default.
 */
import { type Expression, type RawBuilder, sql } from 'kysely';
import { type AggregateType, type VectorAggregate, checkAggregate, checkAggregateType } from '../../sql/aggregates.ts';
import type { HalfVector } from '../../types/halfvec.ts';
import type { Vector } from '../../types/vector.ts';

/** What a `vector`/`halfvec` column can read as, depending on how the driver was set up. */
export type DenseRead = number[] | Float32Array | Vector | HalfVector;

/**
 * `avg(column)` or `sum(column)`. A column name reads as `number[]`; an expression (`eb.ref('embedding')`)
 * keeps its own type. Pass the column's `type` to have a sparsevec or bit column refused (UNSUPPORTED)
 * before the query runs; otherwise PostgreSQL refuses it (pgvector aggregates vector and halfvec only).
 *
 * @example
 * await db.selectFrom('items').select(vectorAggregate('sum', 'embedding').as('total')).executeTakeFirst();
 */
export function vectorAggregate<T extends DenseRead = number[]>(
  aggregate: VectorAggregate,
  column: string | Expression<T | null>,
  type?: AggregateType,
): RawBuilder<T | null> {
  const name = checkAggregate(aggregate);
  if (type !== undefined) checkAggregateType(type, typeof column === 'string' ? column : 'expression');
  const ref = typeof column === 'string' ? sql.ref(column) : column;
  return sql<T | null>`${sql.raw(name)}(${ref})`;
}

/**
 * pgvector's `avg(column)`: the centroid, summed in float8 and rounded once to float32 (float16 for halfvec).
 *
 * @example
 * const centroids = await db
 *   .selectFrom('items')
 *   .select(['category', vectorAvg('embedding').as('centroid')])
 *   .groupBy('category')
 *   .execute();
 */
export function vectorAvg<T extends DenseRead = number[]>(
  column: string | Expression<T | null>,
  type?: AggregateType,
): RawBuilder<T | null> {
  return vectorAggregate<T>('avg', column, type);
}

/**
 * pgvector's `sum(column)`, added row by row in the column's precision (float32, float16).
 *
 * @example
 * await db.selectFrom('items').select(['category', vectorSum('embedding').as('total')]).groupBy('category').execute();
 */
export function vectorSum<T extends DenseRead = number[]>(
  column: string | Expression<T | null>,
  type?: AggregateType,
): RawBuilder<T | null> {
  return vectorAggregate<T>('sum', column, type);
}
