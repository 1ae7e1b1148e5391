/**
 * pgvector's six distances as typed Kysely expressions (`RawBuilder<number>`, an
 * `Expression<number>`): use them in `select` (with `.as('distance')`), `where` and `orderBy`.
 * The query value is a bound parameter cast to its pgvector type; the operator comes from the SQL
 * layer's one table.
 */
import { type Expression, type RawBuilder, sql } from 'kysely';
import { type DistanceName, type VectorType, operatorFor, typeOfValue } from '../../sql/operators.ts';
import { type VectorInput, paramCast, toVectorValue } from '../../sql/params.ts';
import { exactOrderSql } from '../../sql/query.ts';

/** A column reference (`'features'`, `'science_data.features'`) or any vector-typed expression. */
export type VectorRef = string | Expression<unknown>;

function isExpression(value: unknown): value is Expression<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toOperationNode?: unknown }).toOperationNode === 'function'
  );
}

function refSql(ref: VectorRef): Expression<unknown> {
  return typeof ref === 'string' ? sql.ref(ref) : ref;
}

/**
 * A query value as a bound parameter with its cast: `$1::vector`, `$1::sparsevec`, `$1::bit(8)`.
 * The type is the value's (`typeOfValue`), or `type` when given. A dense value cast to `vector`
 * also compares with `halfvec` and `sparsevec` columns (pgvector's implicit casts).
 *
 * @example
 * db.selectFrom('items').select(sql`embedding <-> ${vectorValue([1, 2, 3])}`.as('d'));
 */
export function vectorValue(value: VectorInput, type?: VectorType): RawBuilder<unknown> {
  const t = type ?? typeOfValue(value);
  const v = toVectorValue(value, t);
  return sql`${v.toSql()}::${sql.raw(paramCast(t, v))}`;
}

/**
 * `(<column> <op> <value>)` for `distance`. The operator is chosen for the value's type (or `type`);
 * UNSUPPORTED when pgvector lacks that distance for it.
 *
 * @example
 * db.selectFrom('items').selectAll().orderBy(vectorDistance('embedding', 'cosine', [1, 2, 3])).limit(5);
 */
export function vectorDistance(
  column: VectorRef,
  name: DistanceName,
  value: VectorInput,
  type?: VectorType,
): RawBuilder<number> {
  const t = type ?? typeOfValue(value);
  // A Kysely expression (likeId's subquery) is used as it is; any other value is bound.
  const right = isExpression(value) ? value : vectorValue(value, t);
  return sql<number>`(${refSql(column)} ${sql.raw(operatorFor(t, name))} ${right})`;
}

/**
 * Euclidean distance `<->`.
 *
 * @example
 * db.selectFrom('documents').selectAll().orderBy(l2Distance('embedding', [0.5, 0.2, 0.9, 0.3])).limit(5);
 */
export function l2Distance(column: VectorRef, value: VectorInput, type?: VectorType): RawBuilder<number> {
  return vectorDistance(column, 'l2', value, type);
}

/**
 * Negative inner product `<#>` (ascending = largest inner product first).
 *
 * @example
 * db.selectFrom('documents').selectAll().orderBy(maxInnerProduct('embedding', q)).limit(5);
 */
export function maxInnerProduct(column: VectorRef, value: VectorInput, type?: VectorType): RawBuilder<number> {
  return vectorDistance(column, 'ip', value, type);
}

/**
 * Cosine distance `<=>`.
 *
 * @example
 * db.selectFrom('science_data').select(['name', cosineDistance('features', target).as('distance')]);
 */
export function cosineDistance(column: VectorRef, value: VectorInput, type?: VectorType): RawBuilder<number> {
  return vectorDistance(column, 'cosine', value, type);
}

/**
 * Taxicab distance `<+>`.
 *
 * @example
 * db.selectFrom('documents').selectAll().orderBy(l1Distance('embedding', q));
 */
export function l1Distance(column: VectorRef, value: VectorInput, type?: VectorType): RawBuilder<number> {
  return vectorDistance(column, 'l1', value, type);
}

/**
 * Hamming distance `<~>` between bit strings.
 *
 * @example
 * db.selectFrom('images').selectAll().orderBy(hammingDistance('hash', '10110000'));
 */
export function hammingDistance(column: VectorRef, value: VectorInput): RawBuilder<number> {
  return vectorDistance(column, 'hamming', value, 'bit');
}

/**
 * Jaccard distance `<%>` between bit strings.
 *
 * @example
 * db.selectFrom('images').selectAll().orderBy(jaccardDistance('hash', '10110000'));
 */
export function jaccardDistance(column: VectorRef, value: VectorInput): RawBuilder<number> {
  return vectorDistance(column, 'jaccard', value, 'bit');
}

const [EXACT_HEAD, EXACT_TAIL] = exactOrderSql('\u0000').split('\u0000') as [string, string];

/**
 * The SQL layer's exact ordering around a distance (`(<distance>) + 0`): no HNSW/IVFFlat index can
 * serve it, so the top k are the true top k even with an index.
 *
 * @example
 * db.selectFrom('items').selectAll().orderBy(exact(l2Distance('embedding', q))).limit(10);
 */
export function exact(distanceExpression: Expression<number>): RawBuilder<number> {
  return sql<number>`${sql.raw(EXACT_HEAD)}${distanceExpression}${sql.raw(EXACT_TAIL)}`;
}
