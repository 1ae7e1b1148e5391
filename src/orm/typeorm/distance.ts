/**
 * The six distances as TypeORM QueryBuilder expressions: SQL text naming the column by its
 * property path (`'doc.features'`, which TypeORM maps to the quoted column) and the query vector as
 * a named parameter, never spliced. Use them in `addSelect`, `where` and `orderBy`. Operators come
 * from vecpg's one table (`operatorFor`), the parameter from its one encoder (`toVectorValue`).
 */
import { VecpgError, describeValue } from '../../errors.ts';
import type { DistanceName, VectorType } from '../../sql/operators.ts';
import { typeOfValue } from '../../sql/operators.ts';
import { paramCast, toVectorValue } from '../../sql/params.ts';
import { distanceSql, exactOrderSql } from '../../sql/query.ts';

/** Options of the distance helpers. */
export interface DistanceOptions {
  /** The column's type (`'halfvec'` for a halfvec column queried with a plain array); inferred from the value otherwise. */
  type?: VectorType;
  /** Name of the TypeORM parameter holding the query vector (default: a fresh `vecpg_<n>`). */
  param?: string;
}

/** A distance between a column and a query vector, ready for a TypeORM QueryBuilder. */
export interface DistanceExpression {
  /** `alias.property <op> CAST(:param AS type)`: for `addSelect`, `where`, and approximate `orderBy`. */
  readonly sql: string;
  /**
   * `(sql) + 0`: the same distance as an ORDER BY no HNSW/IVFFlat index can serve, so the top-k is
   * exact even when the table has an index (vecpg's exact ordering, `exactOrderSql`).
   */
  readonly exactSql: string;
  /** The parameter to pass to `setParameters` (the query vector in pgvector's text form). */
  readonly parameters: Readonly<Record<string, string>>;
  /** The type the parameter is cast to. */
  readonly type: VectorType;
  toString(): string;
}

export const PROPERTY_PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/;
const PARAM_NAME = /^[A-Za-z_][\w]*$/;
let counter = 0;

/**
 * The distance `distance` between `column` (a property path: `'alias.property'`) and `query`.
 *
 * @example
 * const d = vectorDistance('doc.embedding', 'l2', [1, 2, 3]);
 * await repo.createQueryBuilder('doc').orderBy(d.exactSql).setParameters(d.parameters).limit(5).getMany();
 */
export function vectorDistance(
  column: string,
  distance: DistanceName,
  query: unknown,
  options: DistanceOptions = {},
): DistanceExpression {
  if (typeof column !== 'string' || !PROPERTY_PATH.test(column)) {
    throw new VecpgError(
      'INVALID_IDENTIFIER',
      `a distance column must be a TypeORM property path like "doc.embedding", got ${describeValue(column)}`,
    );
  }
  const param = options.param ?? `vecpg_${counter++}`;
  if (!PARAM_NAME.test(param)) {
    throw new VecpgError(
      'INVALID_IDENTIFIER',
      `a TypeORM parameter name must be letters, digits and _, got ${describeValue(param)}`,
    );
  }
  const type = options.type ?? typeOfValue(query);
  const value = toVectorValue(query, type);
  // CAST(… AS …) rather than `::`: TypeORM reads `:name` as a parameter anywhere in the text.
  const sql = distanceSql(column, type, distance, `CAST(:${param} AS ${paramCast(type, value)})`);
  return { sql, exactSql: exactOrderSql(sql), parameters: { [param]: value.toSql() }, type, toString: () => sql };
}

/**
 * Euclidean distance (`<->`), for vector, halfvec and sparsevec columns.
 *
 * @example
 * const d = l2Distance('doc.embedding', [0.5, 0.2, 0.9, 0.3]);
 */
export function l2Distance(column: string, query: unknown, options?: DistanceOptions): DistanceExpression {
  return vectorDistance(column, 'l2', query, options);
}

/**
 * Negative inner product (`<#>`): ascending order is most similar first.
 *
 * @example
 * const d = maxInnerProduct('doc.embedding', [0.5, 0.2, 0.9, 0.3]);
 */
export function maxInnerProduct(column: string, query: unknown, options?: DistanceOptions): DistanceExpression {
  return vectorDistance(column, 'ip', query, options);
}

/**
 * Cosine distance (`<=>`), `1 - cos`.
 *
 * @example
 * const d = cosineDistance('data.features', new SparseVector({ 0: 5.1, 42: 1.0 }, 10000));
 */
export function cosineDistance(column: string, query: unknown, options?: DistanceOptions): DistanceExpression {
  return vectorDistance(column, 'cosine', query, options);
}

/**
 * Taxicab distance (`<+>`).
 *
 * @example
 * const d = l1Distance('doc.embedding', [0.5, 0.2, 0.9, 0.3]);
 */
export function l1Distance(column: string, query: unknown, options?: DistanceOptions): DistanceExpression {
  return vectorDistance(column, 'l1', query, options);
}

/**
 * Hamming distance (`<~>`) between bit columns: the number of differing bits.
 *
 * @example
 * const d = hammingDistance('doc.bits', '10100000');
 */
export function hammingDistance(column: string, query: unknown, options?: DistanceOptions): DistanceExpression {
  return vectorDistance(column, 'hamming', query, options);
}

/**
 * Jaccard distance (`<%>`) between bit columns.
 *
 * @example
 * const d = jaccardDistance('doc.bits', '10100000');
 */
export function jaccardDistance(column: string, query: unknown, options?: DistanceOptions): DistanceExpression {
  return vectorDistance(column, 'jaccard', query, options);
}
