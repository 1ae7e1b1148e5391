/**
 * The six distances for Sequelize queries: a `literal` with the column quoted by vecpg's one quoter
 * and the query vector as a **bind parameter** (`$vecpg_0::sparsevec`, sent to PostgreSQL as `$1`),
 * never spliced into the SQL. Pass the expression's `bind` in the query options; use `literal` in
 * `attributes`, `where(…)` in `where`, `exact` in `order`.
 */
import { Op, literal, where } from 'sequelize';
import { VecpgError, describeValue } from '../../errors.ts';
import { type QualifiedName, quoteQualified } from '../../sql/identifiers.ts';
import { type DistanceName, type VectorType, typeOfValue } from '../../sql/operators.ts';
import { paramCast, toVectorValue } from '../../sql/params.ts';
import { distanceSql, exactOrderSql } from '../../sql/query.ts';

/** Options of the distance helpers. */
export interface SequelizeDistanceOptions {
  /** The column's type (`'halfvec'` for a halfvec column queried with a plain array); inferred from the value otherwise. */
  type?: VectorType;
  /** Name of the bind parameter (default: a fresh `vecpg_<n>`). */
  bind?: string;
}

/** A distance between a column and a query vector, for Sequelize's `attributes`, `where` and `order`. */
export interface SequelizeDistance {
  /** `"features" <=> $vecpg_0::sparsevec`, for `attributes: { include: [[d.literal, 'distance']] }` and approximate `order`. */
  readonly literal: Literal;
  /** `("features" <=> $vecpg_0::sparsevec) + 0`: an ORDER BY no HNSW/IVFFlat index can serve, so the top-k is exact. */
  readonly exact: Literal;
  /** The bind parameters to pass as the query's `bind` option (merge them when you have several). */
  readonly bind: Readonly<Record<string, string>>;
  /** The SQL text of `literal`. */
  readonly sql: string;
  /** `where(d.literal, Op.lt, max)`: keep rows whose distance is strictly below `max`. */
  below(max: number): Where;
}

/** Sequelize's `literal(…)` and `where(…)` results. */
type Literal = ReturnType<typeof literal>;
type Where = ReturnType<typeof where>;

const BIND_NAME = /^[A-Za-z_]\w*$/;
let counter = 0;

/**
 * The distance `distance` between `column` (`'features'`, or `['ScienceData', 'features']` with
 * the model's alias) and `query`.
 *
 * @example
 * const d = vectorDistance('embedding', 'l2', [1, 2, 3]);
 * await Item.findAll({ order: d.exact, limit: 5, bind: d.bind });
 */
export function vectorDistance(
  column: QualifiedName,
  distance: DistanceName,
  query: unknown,
  options: SequelizeDistanceOptions = {},
): SequelizeDistance {
  const name = options.bind ?? `vecpg_${counter++}`;
  if (!BIND_NAME.test(name)) {
    throw new VecpgError(
      'INVALID_IDENTIFIER',
      `a bind parameter name must be letters, digits and _, got ${describeValue(name)}`,
    );
  }
  const type = options.type ?? typeOfValue(query);
  const value = toVectorValue(query, type);
  const sql = distanceSql(quoteQualified(column), type, distance, `$${name}::${paramCast(type, value)}`);
  const expr = literal(sql);
  return {
    literal: expr,
    exact: literal(exactOrderSql(sql)),
    bind: { [name]: value.toSql() },
    sql,
    below: (max: number) => {
      if (typeof max !== 'number' || Number.isNaN(max))
        throw new VecpgError('INVALID_OPTION', `a distance threshold must be a number, got ${describeValue(max)}`);
      return where(expr, Op.lt, max);
    },
  };
}

/**
 * Euclidean distance (`<->`), for vector, halfvec and sparsevec columns.
 *
 * @example
 * const d = l2Distance('embedding', [0.5, 0.2, 0.9, 0.3]);
 */
export function l2Distance(
  column: QualifiedName,
  query: unknown,
  options?: SequelizeDistanceOptions,
): SequelizeDistance {
  return vectorDistance(column, 'l2', query, options);
}

/**
 * Negative inner product (`<#>`): ascending order is most similar first.
 *
 * @example
 * const d = maxInnerProduct('embedding', [0.5, 0.2, 0.9, 0.3]);
 */
export function maxInnerProduct(
  column: QualifiedName,
  query: unknown,
  options?: SequelizeDistanceOptions,
): SequelizeDistance {
  return vectorDistance(column, 'ip', query, options);
}

/**
 * Cosine distance (`<=>`), `1 - cos`.
 *
 * @example
 * const d = cosineDistance('features', new SparseVector({ 0: 5.1, 42: 1.0 }, 10000));
 */
export function cosineDistance(
  column: QualifiedName,
  query: unknown,
  options?: SequelizeDistanceOptions,
): SequelizeDistance {
  return vectorDistance(column, 'cosine', query, options);
}

/**
 * Taxicab distance (`<+>`).
 *
 * @example
 * const d = l1Distance('embedding', [0.5, 0.2, 0.9, 0.3]);
 */
export function l1Distance(
  column: QualifiedName,
  query: unknown,
  options?: SequelizeDistanceOptions,
): SequelizeDistance {
  return vectorDistance(column, 'l1', query, options);
}

/**
 * Hamming distance (`<~>`) between bit columns.
 *
 * @example
 * const d = hammingDistance('bits', '10100000');
 */
export function hammingDistance(
  column: QualifiedName,
  query: unknown,
  options?: SequelizeDistanceOptions,
): SequelizeDistance {
  return vectorDistance(column, 'hamming', query, options);
}

/**
 * Jaccard distance (`<%>`) between bit columns.
 *
 * @example
 * const d = jaccardDistance('bits', '10100000');
 */
export function jaccardDistance(
  column: QualifiedName,
  query: unknown,
  options?: SequelizeDistanceOptions,
): SequelizeDistance {
  return vectorDistance(column, 'jaccard', query, options);
}
