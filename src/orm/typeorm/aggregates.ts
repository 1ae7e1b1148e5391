/**
 * pgvector's `avg` and `sum` for a TypeORM QueryBuilder: SQL naming the column by its property path
 * (`'item.embedding'`, which TypeORM maps to the quoted column) for `addSelect`, and a parser that reads
 * the raw value as the column reads (`number[]`) — `getRawMany()` returns raw rows, which no column
 * transformer sees.
 */
import { VecpgError, describeValue } from '../../errors.ts';
import { type AggregateType, type VectorAggregate, checkAggregate, checkAggregateType } from '../../sql/aggregates.ts';
import { fromDb } from './columns.ts';
import { PROPERTY_PATH } from './distance.ts';

/** Options of the aggregate helpers. */
export interface AggregateOptions {
  /** The column's type: `'halfvec'` reads float16 values; a sparsevec or bit column is refused (UNSUPPORTED). Default `'vector'`. */
  type?: AggregateType;
}

/** An aggregate of a vector column, ready for `addSelect(expression.sql, 'alias')`. */
export interface AggregateExpression {
  /** `CAST(avg(alias.property) AS text)`: text whatever the driver's parsers, so `parse` reads every setup alike. */
  readonly sql: string;
  /** The raw value of `getRawMany()` as the column reads: `number[]`, or null where SQL's aggregate is null. */
  parse(raw: unknown): number[] | null;
  toString(): string;
}

/**
 * `avg` or `sum` of a `vector`/`halfvec` column given by its property path.
 *
 * @example
 * const total = vectorAggregate('sum', 'item.embedding');
 * const raw = await repo.createQueryBuilder('item').select(total.sql, 'total').getRawOne<{ total: string }>();
 * total.parse(raw?.total); // number[]
 */
export function vectorAggregate(
  aggregate: VectorAggregate,
  column: string,
  options: AggregateOptions = {},
): AggregateExpression {
  const name = checkAggregate(aggregate);
  if (typeof column !== 'string' || !PROPERTY_PATH.test(column)) {
    throw new VecpgError(
      'INVALID_IDENTIFIER',
      `an aggregate column must be a TypeORM property path like "item.embedding", got ${describeValue(column)}`,
    );
  }
  const type = checkAggregateType(options.type ?? 'vector', column);
  // CAST(… AS text) rather than `::text`: TypeORM reads `:text` as a parameter.
  const sql = `CAST(${name}(${column}) AS text)`;
  return {
    sql,
    parse: (raw) => (raw === null || raw === undefined ? null : (fromDb(type, raw) as number[])),
    toString: () => sql,
  };
}

/**
 * pgvector's `avg`: the centroid, summed in float8 and rounded once to float32 (float16 for halfvec).
 *
 * @example
 * const avg = vectorAvg('item.embedding');
 * const rows = await repo.createQueryBuilder('item').select('item.category', 'category').addSelect(avg.sql, 'centroid')
 *   .groupBy('item.category').getRawMany<{ category: string; centroid: string }>();
 * rows.map((r) => avg.parse(r.centroid)); // number[][]
 */
export function vectorAvg(column: string, options?: AggregateOptions): AggregateExpression {
  return vectorAggregate('avg', column, options);
}

/**
 * pgvector's `sum`, added row by row in the column's precision (float32, float16).
 *
 * @example
 * const sum = vectorSum('item.half', { type: 'halfvec' });
 */
export function vectorSum(column: string, options?: AggregateOptions): AggregateExpression {
  return vectorAggregate('sum', column, options);
}
