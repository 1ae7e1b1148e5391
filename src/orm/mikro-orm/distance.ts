/**
 * The six distances as MikroORM raw fragments (`raw()` from @mikro-orm/core), usable as keys in
 * `where` and `orderBy` (EntityManager and QueryBuilder alike) and, with `.as('distance')`, in a
 * QueryBuilder's select list. Operators come from vecpg's one table, identifiers from its quoter
 * (written without `?`, which MikroORM would take for placeholders).
 */
import { type RawQueryFragment, raw } from '@mikro-orm/core';
import { quoteIdentWithoutQuestionMarks } from '../../sql/identifiers.ts';
import { type DistanceName, type VectorType, typeOfValue } from '../../sql/operators.ts';
import { paramCast, toVectorValue } from '../../sql/params.ts';
import { distanceSql, exactOrderSql } from '../../sql/query.ts';

/** Options of the distance helpers. */
export interface MikroDistanceOptions {
  /** The column's type when the value alone does not say (`halfvec` for a plain array against a halfvec column). */
  type?: VectorType;
  /**
   * In WHERE and ORDER BY, qualify the column with the query's root alias (default true: MikroORM
   * replaces it with the alias it uses, `s0`…). `.as('distance')` (for a select list) is unqualified.
   */
  qualify?: boolean;
  /** For ORDER BY: `(<distance>) + 0`, an expression no HNSW/IVFFlat index can serve — the top-k stays exact. */
  exact?: boolean;
  /**
   * @internal Instead of binding `value`: this SQL (with `?` placeholders for `params`) is the other side,
   * e.g. `vectorSearch`'s likeId subquery. `type` is then required.
   */
  against?: { sql: string; params: readonly unknown[] };
}

/**
 * A MikroORM raw fragment. Typed as also a string because, like everything `raw()` returns, it is
 * usable as a computed key (`{ [cosineDistance(…)]: 'asc' }`): MikroORM serializes it to a key it
 * recognises.
 */
export type DistanceFragment = RawQueryFragment & string;

/**
 * `<column> <op> ?::<type>` for any distance, as a MikroORM raw fragment. `column` is the
 * database column name.
 *
 * @example
 * await em.find(Document, {}, { orderBy: { [vectorDistance('embedding', 'cosine', query)]: 'asc' }, limit: 5 });
 */
export function vectorDistance(
  column: string,
  distance: DistanceName,
  value: unknown,
  options: MikroDistanceOptions = {},
): DistanceFragment {
  const type = options.type ?? typeOfValue(value);
  let right: string;
  let param: unknown[];
  if (options.against !== undefined) {
    right = options.against.sql;
    param = [...options.against.params];
  } else {
    const v = toVectorValue(value, type);
    right = `?::${paramCast(type, v)}`;
    param = [v.toSql()];
  }
  const render = (target: string): string => {
    const sql = distanceSql(target, type, distance, right);
    return options.exact ? exactOrderSql(sql) : sql;
  };
  // MikroORM rewrites `?` in raw fragments once or twice, so names are written without any `?` in them.
  const column_ = quoteIdentWithoutQuestionMarks(column);
  // In WHERE and ORDER BY, MikroORM replaces the alias placeholder with the query's root alias.
  const fragment = raw<object, DistanceFragment>(
    (alias: string) => render(options.qualify === false ? column_ : `${alias}.${column_}`),
    param,
  );
  // MikroORM 6.6 does not replace that placeholder in a select list: `.as()` renders the column unqualified.
  Object.defineProperty(fragment, 'as', {
    value: (name: string): RawQueryFragment =>
      raw(`${render(column_)} as ${quoteIdentWithoutQuestionMarks(name)}`, param),
  });
  return fragment;
}

/**
 * Euclidean distance `<->`.
 *
 * @example
 * await em.find(Document, {}, { orderBy: { [l2Distance('embedding', [0.5, 0.2, 0.9, 0.3])]: 'asc' } });
 */
export function l2Distance(column: string, value: unknown, options?: MikroDistanceOptions): DistanceFragment {
  return vectorDistance(column, 'l2', value, options);
}

/**
 * Negative inner product `<#>` (smaller is more similar).
 *
 * @example
 * em.createQueryBuilder(Document).select(['*', maxInnerProduct('embedding', q).as('distance')]);
 */
export function maxInnerProduct(column: string, value: unknown, options?: MikroDistanceOptions): DistanceFragment {
  return vectorDistance(column, 'ip', value, options);
}

/**
 * Cosine distance `<=>`.
 *
 * @example
 * await em.find(ScienceData, { [cosineDistance('features', target)]: { $lt: 0.2 } });
 */
export function cosineDistance(column: string, value: unknown, options?: MikroDistanceOptions): DistanceFragment {
  return vectorDistance(column, 'cosine', value, options);
}

/**
 * Taxicab distance `<+>`.
 *
 * @example
 * await em.find(Document, {}, { orderBy: { [l1Distance('embedding', q)]: 'asc' } });
 */
export function l1Distance(column: string, value: unknown, options?: MikroDistanceOptions): DistanceFragment {
  return vectorDistance(column, 'l1', value, options);
}

/**
 * Hamming distance `<~>` on a `bit(n)` column.
 *
 * @example
 * await em.find(Image, {}, { orderBy: { [hammingDistance('bits', '10101010')]: 'asc' } });
 */
export function hammingDistance(column: string, value: unknown, options?: MikroDistanceOptions): DistanceFragment {
  return vectorDistance(column, 'hamming', value, { type: 'bit', ...options });
}

/**
 * Jaccard distance `<%>` on a `bit(n)` column.
 *
 * @example
 * await em.find(Image, {}, { orderBy: { [jaccardDistance('bits', '10101010')]: 'asc' } });
 */
export function jaccardDistance(column: string, value: unknown, options?: MikroDistanceOptions): DistanceFragment {
  return vectorDistance(column, 'jaccard', value, { type: 'bit', ...options });
}
