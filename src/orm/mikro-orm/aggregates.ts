/**
 * pgvector's `avg` and `sum` for MikroORM: a raw fragment for a QueryBuilder's select list (with
 * `groupBy`), and a parser reading the result as the property reads (`number[]`): a QueryBuilder's
 * computed columns come back raw, past the property's custom type.
 */
import { type RawQueryFragment, raw } from '@mikro-orm/core';
import { VecpgError, describeValue } from '../../errors.ts';
import {
  type AggregateType,
  type VectorAggregate,
  aggregateExpressionSql,
  checkAggregate,
  checkAggregateType,
  parseAggregate,
} from '../../sql/aggregates.ts';
import { quoteIdentWithoutQuestionMarks } from '../../sql/identifiers.ts';

/** Options of the aggregate helpers. */
export interface MikroAggregateOptions {
  /** The column's type: `'halfvec'` reads float16 values; a sparsevec or bit column is refused (UNSUPPORTED). Default `'vector'`. */
  type?: AggregateType;
}

/** An aggregate of a vector column: `qb.select(['category', a.as('centroid')])`, then `a.parse(row.centroid)`. */
export interface MikroAggregate {
  /** `CAST(avg("column") AS text)`: text whatever parsers the connection has, so `parse` reads every setup alike. */
  readonly sql: string;
  /** The select-list entry `<sql> as "<alias>"`. */
  as(alias: string): RawQueryFragment;
  /** The raw result as the property reads: `number[]`, or null where SQL's aggregate is null. */
  parse(raw: unknown): number[] | null;
}

/**
 * `avg` or `sum` of a `vector`/`halfvec` column (its database name).
 *
 * @example
 * const total = vectorAggregate('sum', 'embedding');
 * const [row] = await em.createQueryBuilder(Item).select([total.as('total')]).execute<Array<{ total: string }>>();
 * total.parse(row.total); // number[]
 */
export function vectorAggregate(
  aggregate: VectorAggregate,
  column: string,
  options: MikroAggregateOptions = {},
): MikroAggregate {
  const name = checkAggregate(aggregate);
  if (typeof column !== 'string') {
    throw new VecpgError(
      'INVALID_IDENTIFIER',
      `an aggregate column must be a column name, got ${describeValue(column)}`,
    );
  }
  const type = checkAggregateType(options.type ?? 'vector', column);
  // MikroORM rewrites `?` in raw fragments: names are written without any.
  const sql = `CAST(${aggregateExpressionSql(name, quoteIdentWithoutQuestionMarks(column))} AS text)`;
  return {
    sql,
    as: (alias) => raw(`${sql} as ${quoteIdentWithoutQuestionMarks(alias)}`),
    parse: (value) => parseAggregate(value, type)?.toArray() ?? null,
  };
}

/**
 * pgvector's `avg`: the centroid, summed in float8 and rounded once to float32 (float16 for halfvec).
 *
 * @example
 * const avg = vectorAvg('embedding');
 * const rows = await em.createQueryBuilder(Item).select(['category', avg.as('centroid')]).groupBy('category').execute();
 * rows.map((r) => avg.parse(r.centroid)); // number[][]
 */
export function vectorAvg(column: string, options?: MikroAggregateOptions): MikroAggregate {
  return vectorAggregate('avg', column, options);
}

/**
 * pgvector's `sum`, added row by row in the column's precision (float32, float16).
 *
 * @example
 * const sum = vectorSum('half', { type: 'halfvec' });
 */
export function vectorSum(column: string, options?: MikroAggregateOptions): MikroAggregate {
  return vectorAggregate('sum', column, options);
}
