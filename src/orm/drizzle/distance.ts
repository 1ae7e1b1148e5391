/**
 * pgvector's six distances as Drizzle SQL expressions, for `select`, `where` and `orderBy`, on
 * dense, sparse and bit columns. The query value is a bound parameter cast to the column's type
 * (`$1::sparsevec`), encoded by vecpg's codecs; the operator comes from the SQL layer's one table.
 */
import { Column, SQL, is, sql } from 'drizzle-orm';
import type { SQLWrapper } from 'drizzle-orm';
import { ExtraConfigColumn } from 'drizzle-orm/pg-core';
import { VecpgError, describeValue } from '../../errors.ts';
import { type DistanceName, type VectorType, operatorFor, typeOfValue } from '../../sql/operators.ts';
import { type VectorInput, paramCast, toVectorValue } from '../../sql/params.ts';
import { exactOrderSql } from '../../sql/query.ts';
import type { VecpgFieldConfig } from './columns.ts';

/** Where a distance is measured from: a vector column, or any SQL expression of a vector type. */
export type VectorTarget = Column | SQL | SQL.Aliased | SQLWrapper;

const BUILTIN_TYPES: Readonly<Record<string, VectorType>> = {
  PgVector: 'vector',
  PgHalfVector: 'halfvec',
  PgSparseVector: 'sparsevec',
  PgBinaryVector: 'bit',
};

/**
 * The pgvector type of a Drizzle column: vecpg's columns, Drizzle's own `vector`/`halfvec`/
 * `sparsevec`/`bit`, or any column whose SQL type is one of them. `undefined` for SQL expressions.
 *
 * @example
 * columnVectorType(documents.embedding); // 'vector'
 */
export function columnVectorType(target: unknown): VectorType | undefined {
  if (!is(target, Column)) return undefined;
  const config = (target as unknown as { config?: { fieldConfig?: Partial<VecpgFieldConfig>; columnType?: string } })
    .config;
  const marked = config?.fieldConfig?.vecpgType;
  if (marked !== undefined) return marked;
  const builtin = BUILTIN_TYPES[target.columnType];
  if (builtin !== undefined) return builtin;
  // ExtraConfigColumn (inside pgTable's index callback) cannot report its SQL type.
  if (is(target, ExtraConfigColumn)) return undefined;
  const match = /^(vector|halfvec|sparsevec|bit)\b/.exec(target.getSQLType());
  return match ? (match[1] as VectorType) : undefined;
}

/** A query value bound as a parameter and cast to `type` (a bit value to `bit(n)`, never a bare `bit`). */
export function vectorValueSql(value: VectorInput, type: VectorType): SQL {
  const v = toVectorValue(value, type);
  return sql`${v.toSql()}::${sql.raw(paramCast(type, v))}`;
}

function targetSql(target: VectorTarget): SQL | Column | SQLWrapper {
  if (is(target, SQL.Aliased)) return target.sql;
  return target;
}

/**
 * `<target> <op> <value>` for `distance`, typed `SQL<number>`. The type is the column's, or, for
 * an expression, the query value's. Refuses (UNSUPPORTED) a distance pgvector lacks for that type.
 *
 * @example
 * db.select().from(items).orderBy(vectorDistance(items.embedding, 'cosine', [1, 2, 3])).limit(5);
 */
export function vectorDistance(
  target: VectorTarget,
  name: DistanceName,
  value: VectorInput | VectorTarget,
): SQL<number> {
  if (target === null || typeof target !== 'object') {
    throw new VecpgError(
      'INVALID_VALUE',
      `a distance needs a column or SQL expression on the left, got ${describeValue(target)}`,
    );
  }
  const left = targetSql(target);
  if (is(value, Column) || is(value, SQL) || is(value, SQL.Aliased)) {
    const type = columnVectorType(target) ?? columnVectorType(value);
    if (type === undefined) {
      throw new VecpgError(
        'INVALID_VALUE',
        'cannot tell the pgvector type of two SQL expressions: compare with a vecpg column or a value',
      );
    }
    return sql<number>`(${left} ${sql.raw(operatorFor(type, name))} ${targetSql(value)})`.mapWith(Number);
  }
  const type = columnVectorType(target) ?? typeOfValue(value);
  return sql<number>`(${left} ${sql.raw(operatorFor(type, name))} ${vectorValueSql(value as VectorInput, type)})`.mapWith(
    Number,
  );
}

/**
 * Euclidean distance `<->` (vector, halfvec, sparsevec).
 *
 * @example
 * db.select().from(items).orderBy(l2Distance(items.embedding, [3, 1, 2])).limit(5);
 */
export function l2Distance(target: VectorTarget, value: VectorInput | VectorTarget): SQL<number> {
  return vectorDistance(target, 'l2', value);
}

/**
 * Negative inner product `<#>`: ascending order puts the largest inner product first.
 *
 * @example
 * db.select().from(items).orderBy(maxInnerProduct(items.embedding, [3, 1, 2])).limit(5);
 */
export function maxInnerProduct(target: VectorTarget, value: VectorInput | VectorTarget): SQL<number> {
  return vectorDistance(target, 'ip', value);
}

/**
 * Cosine distance `<=>` (1 − cosine similarity).
 *
 * @example
 * db.select({ id: t.id, d: cosineDistance(t.features, target) }).from(t);
 */
export function cosineDistance(target: VectorTarget, value: VectorInput | VectorTarget): SQL<number> {
  return vectorDistance(target, 'cosine', value);
}

/**
 * Taxicab distance `<+>`.
 *
 * @example
 * db.select().from(items).orderBy(l1Distance(items.embedding, [3, 1, 2]));
 */
export function l1Distance(target: VectorTarget, value: VectorInput | VectorTarget): SQL<number> {
  return vectorDistance(target, 'l1', value);
}

/**
 * Hamming distance `<~>` between bit strings.
 *
 * @example
 * db.select().from(images).orderBy(hammingDistance(images.hash, '101'));
 */
export function hammingDistance(target: VectorTarget, value: VectorInput | VectorTarget): SQL<number> {
  return vectorDistance(target, 'hamming', value);
}

/**
 * Jaccard distance `<%>` between bit strings.
 *
 * @example
 * db.select().from(images).orderBy(jaccardDistance(images.hash, '101'));
 */
export function jaccardDistance(target: VectorTarget, value: VectorInput | VectorTarget): SQL<number> {
  return vectorDistance(target, 'jaccard', value);
}

const [EXACT_HEAD, EXACT_TAIL] = exactOrderSql('\u0000').split('\u0000') as [string, string];

/**
 * Wrap a distance so no HNSW/IVFFlat index can serve the ORDER BY: the SQL layer's exact ordering
 * (`(<distance>) + 0`), so the top k are the true top k even with an index on the column.
 *
 * @example
 * db.select().from(items).orderBy(exact(l2Distance(items.embedding, q))).limit(10);
 */
export function exact(distanceSql: SQL<number>): SQL<number> {
  return sql<number>`${sql.raw(EXACT_HEAD)}${distanceSql}${sql.raw(EXACT_TAIL)}`.mapWith(Number);
}
