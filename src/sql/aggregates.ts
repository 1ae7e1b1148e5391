/**
 * pgvector's aggregates, `avg` and `sum`, over `vector` and `halfvec` columns (pgvector has none for
 * `sparsevec` or `bit`). `avg` accumulates in float8 and rounds the mean once to the column's type;
 * `sum` adds in the column's own precision row by row (float32, float16), so long sums round more.
 * The SQL builders here are what every ORM integration wraps; {@link aggregateVectors} and
 * {@link centroids} run them on a `VecpgDb`.
 */
import { VecpgError, describeValue } from '../errors.ts';
import { HalfVector } from '../types/halfvec.ts';
import { Vector } from '../types/vector.ts';
import type { Row, SqlExecutor } from './executor.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from './identifiers.ts';
import type { SqlQuery } from './query.ts';

/** pgvector's two vector aggregates. */
export type VectorAggregate = 'avg' | 'sum';
/** The types pgvector aggregates. */
export type AggregateType = 'vector' | 'halfvec';

/** The aggregates, in pgvector's words. */
export const VECTOR_AGGREGATES: readonly VectorAggregate[] = ['avg', 'sum'];

/**
 * Check an aggregate name (INVALID_OPTION otherwise).
 *
 * @example
 * checkAggregate('avg'); // 'avg'
 */
export function checkAggregate(value: unknown): VectorAggregate {
  if (value === 'avg' || value === 'sum') return value;
  throw new VecpgError('INVALID_OPTION', `aggregate must be 'avg' or 'sum', got ${describeValue(value)}`, {
    details: { option: 'aggregate' },
  });
}

/**
 * Check that pgvector can aggregate a column of `type`: `vector` and `halfvec` pass; `sparsevec` and
 * `bit` are UNSUPPORTED (pgvector has no avg/sum for them), named with the column.
 *
 * @example
 * checkAggregateType('halfvec', 'embedding'); // 'halfvec'
 * checkAggregateType('sparsevec', 'features'); // throws UNSUPPORTED
 */
export function checkAggregateType(type: unknown, column: string): AggregateType {
  if (type === 'vector' || type === 'halfvec') return type;
  throw new VecpgError(
    'UNSUPPORTED',
    `pgvector has no avg or sum for column ${describeValue(column)} of type ${describeValue(type)}; only vector and halfvec columns aggregate (cast to vector first, e.g. features::vector)`,
    { details: { column, type } },
  );
}

/**
 * `avg(<sql>)` / `sum(<sql>)` around SQL the caller already rendered (an ORM's column reference).
 *
 * @example
 * aggregateExpressionSql('avg', '"items"."embedding"'); // 'avg("items"."embedding")'
 */
export function aggregateExpressionSql(aggregate: VectorAggregate, targetSql: string): string {
  return `${checkAggregate(aggregate)}(${targetSql})`;
}

/**
 * `avg("column")` / `sum("column")`, the column quoted by the one quoter.
 *
 * @example
 * vectorAggregateSql('avg', 'embedding'); // 'avg("embedding")'
 * vectorAggregateSql('sum', 'my col');    // 'sum("my col")'
 */
export function vectorAggregateSql(aggregate: VectorAggregate, column: string): string {
  return aggregateExpressionSql(aggregate, quoteIdent(column));
}

/** Options of {@link buildAggregateQuery}, {@link aggregateVectors} and {@link centroids}. */
export interface AggregateQueryOptions {
  table: QualifiedName;
  /** The `vector` or `halfvec` column. */
  column: string;
  /** One result row per distinct value of this column (NULL is a group too); none: one row for the table. */
  groupBy?: string;
}

/**
 * `SELECT [group,] avg(col)::text, count(*)` over the rows whose vector is not NULL, grouped by
 * `groupBy` and ordered by it. No row when there is nothing to aggregate (never a NULL vector).
 *
 * @example
 * buildAggregateQuery('avg', { table: 'items', column: 'embedding', groupBy: 'category' }).text;
 * // 'SELECT "category" AS "group", avg("embedding")::text AS "value", count(*) AS "count" FROM "items"
 * //  WHERE "embedding" IS NOT NULL GROUP BY "category" HAVING count(*) > 0 ORDER BY "category"'
 */
export function buildAggregateQuery(aggregate: VectorAggregate, options: AggregateQueryOptions): SqlQuery {
  const column = quoteIdent(options.column);
  const group = options.groupBy === undefined ? undefined : quoteIdent(options.groupBy);
  const items = [`${aggregateExpressionSql(aggregate, column)}::text AS "value"`, 'count(*) AS "count"'];
  if (group !== undefined) items.unshift(`${group} AS "group"`);
  let text = `SELECT ${items.join(', ')} FROM ${quoteQualified(options.table)} WHERE ${column} IS NOT NULL`;
  if (group !== undefined) text += ` GROUP BY ${group}`;
  // Without GROUP BY an aggregate over no rows still returns one row (a NULL vector): HAVING drops it.
  text += ' HAVING count(*) > 0';
  if (group !== undefined) text += ` ORDER BY ${group}`;
  return { text, values: [] };
}

/** The value type read back for a column of type `T`. */
export type AggregateValueOf<T extends AggregateType> = T extends 'vector'
  ? Vector
  : T extends 'halfvec'
    ? HalfVector
    : never;

/** One row of {@link aggregateVectors}: the group's value of `groupBy` (null without it), the result, how many vectors. */
export interface VectorAggregateRow<V, G = unknown> {
  group: G;
  value: V;
  count: number;
}

/** One row of {@link centroids}: the group, its mean vector, how many vectors it averages. */
export interface CentroidRow<V, G = unknown> {
  group: G;
  centroid: V;
  count: number;
}

/**
 * The pgvector type of a column, from the catalog: `vector`, `halfvec`, `sparsevec`, `bit`, or another
 * type name. INVALID_OPTION (option `column`) when the table has no such column.
 *
 * @example
 * await columnVectorTypeOf(db, 'items', 'embedding'); // 'vector'
 */
export async function columnVectorTypeOf(db: SqlExecutor, table: QualifiedName, column: string): Promise<string> {
  const rows = await db.query<{ typname: string }>(
    `SELECT t.typname::text AS typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [quoteQualified(table), column],
  );
  const typname = rows[0]?.typname;
  if (typname === undefined) {
    throw new VecpgError(
      'INVALID_OPTION',
      `table ${quoteQualified(table)} has no column ${describeValue(column)} (or the table does not exist)`,
      {
        details: { option: 'column', column },
        hint: { option: 'column', text: 'name an existing vector column with {option}' },
      },
    );
  }
  return typname;
}

/**
 * Parse the text of a `vector`/`halfvec` aggregate into a `Vector` / `HalfVector` (exact float32 /
 * float16 values). `null` stays `null`.
 *
 * @example
 * parseAggregate('[1,2]', 'vector'); // Vector [1, 2]
 */
export function parseAggregate<T extends AggregateType>(text: unknown, type: T): AggregateValueOf<T> | null {
  if (text === null || text === undefined) return null;
  if (typeof text !== 'string') {
    throw new VecpgError('INVALID_VALUE', `expected the text of a ${type} aggregate, got ${describeValue(text)}`);
  }
  return (type === 'vector' ? Vector.fromSql(text) : HalfVector.fromSql(text)) as AggregateValueOf<T>;
}

/**
 * `avg` or `sum` of a `vector`/`halfvec` column, per `groupBy` value (or once for the table), read back
 * as the column's type: a `Vector` for `vector`, a `HalfVector` for `halfvec`. The column's type comes
 * from the catalog; `type`, when given, types the result and must match it (INCOMPATIBLE_COLUMN).
 * UNSUPPORTED for `sparsevec`/`bit` columns. Rows whose vector is NULL are left out; no rows, no result.
 *
 * @example
 * const sums = await aggregateVectors(db, { aggregate: 'sum', table: 'items', column: 'embedding', groupBy: 'category', type: 'vector' });
 * sums[0]; // { group: 'books', value: Vector [...], count: 120 }
 */
export async function aggregateVectors<T extends AggregateType, G = unknown>(
  db: SqlExecutor,
  options: AggregateQueryOptions & { aggregate: VectorAggregate; type: T },
): Promise<Array<VectorAggregateRow<AggregateValueOf<T>, G>>>;
export async function aggregateVectors<G = unknown>(
  db: SqlExecutor,
  options: AggregateQueryOptions & { aggregate: VectorAggregate; type?: AggregateType },
): Promise<Array<VectorAggregateRow<Vector | HalfVector, G>>>;
export async function aggregateVectors<G = unknown>(
  db: SqlExecutor,
  options: AggregateQueryOptions & { aggregate: VectorAggregate; type?: AggregateType },
): Promise<Array<VectorAggregateRow<Vector | HalfVector, G>>> {
  const aggregate = checkAggregate(options.aggregate);
  const statement = buildAggregateQuery(aggregate, options); // validates names before any statement runs
  const actual = await columnVectorTypeOf(db, options.table, options.column);
  const type = checkAggregateType(actual, options.column);
  if (options.type !== undefined && checkAggregateType(options.type, options.column) !== type) {
    throw new VecpgError(
      'INCOMPATIBLE_COLUMN',
      `column ${describeValue(options.column)} is ${type}, not ${options.type}`,
      {
        details: { column: options.column, expected: options.type, actual: type },
        hint: { option: 'type', value: type, text: 'use {option}' },
      },
    );
  }
  const rows = await db.query<Row>(statement.text, statement.values);
  return rows.map((row) => ({
    group: (options.groupBy === undefined ? null : row.group) as G,
    value: parseAggregate(row.value, type)!,
    count: Number(row.count),
  }));
}

/**
 * The centroid (pgvector's `avg`) of a `vector`/`halfvec` column per `groupBy` value, or of the whole
 * table: `{ group, centroid, count }` with the centroid as the column's type (`Vector` / `HalfVector`).
 * pgvector sums in float8 and rounds the mean once to float32 (float16 for halfvec). Use a centroid
 * as a search query as it is.
 *
 * @example
 * const perCategory = await centroids(db, { table: 'items', column: 'embedding', groupBy: 'category', type: 'vector' });
 * await search(db, { table: 'items', column: 'embedding', query: perCategory[0]!.centroid, distance: 'l2', k: 5 });
 */
export async function centroids<T extends AggregateType, G = unknown>(
  db: SqlExecutor,
  options: AggregateQueryOptions & { type: T },
): Promise<Array<CentroidRow<AggregateValueOf<T>, G>>>;
export async function centroids<G = unknown>(
  db: SqlExecutor,
  options: AggregateQueryOptions & { type?: AggregateType },
): Promise<Array<CentroidRow<Vector | HalfVector, G>>>;
export async function centroids<G = unknown>(
  db: SqlExecutor,
  options: AggregateQueryOptions & { type?: AggregateType },
): Promise<Array<CentroidRow<Vector | HalfVector, G>>> {
  const rows = await aggregateVectors<G>(db, { ...options, aggregate: 'avg' });
  return rows.map(({ group, value, count }) => ({ group, centroid: value, count }));
}
