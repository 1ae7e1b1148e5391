import { VecpgError, describeValue } from '../errors.ts';
import { type SearchFilter, filterSql } from './filters.ts';
import { type RowId, checkLikeOptions, likeConditionsSql, likeVectorSql, likeVectorType } from './like.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from './identifiers.ts';
import { type DistanceName, type VectorType, checkDistance, operatorFor, typeOfValue } from './operators.ts';
import { type VectorInput, paramCast, toVectorValue } from './params.ts';
import { checkDistanceBound, checkSearchCount } from './search-options.ts';
import type { SqlQuery } from './executor.ts';
import { binaryColumnSql, readsBinary } from './vector-output.ts';

export type { SqlQuery } from './executor.ts';

export type { WhereValue } from './filters.ts';

export type { RowId } from './like.ts';

/** Options of {@link buildSimilarityQuery}. */
export interface SimilarityQueryOptions {
  table: QualifiedName;
  /** The vector column. */
  column?: string;
  /** Instead of `column`: trusted SQL matching an expression index, e.g. `castExpression('embedding', 'halfvec', 3072)`. */
  expression?: string;
  /**
   * The query vector (Vector, HalfVector, SparseVector, Bit, array, `{ indices, values, dimensions }`, 0/1
   * string). Give this or `likeId`.
   */
  query?: VectorInput;
  /**
   * "More like this": the query vector is the `column` of the stored row whose `idColumn` equals this,
   * read by the same statement (a scalar subquery); that row itself is left out of the results.
   */
  likeId?: RowId;
  /** The id column for `likeId` (default `id`). */
  idColumn?: string;
  distance: DistanceName;
  /**
   * The column's type; inferred from `query` when omitted (with `likeId`: `bit` for hamming and jaccard,
   * else `vector`, whose operators halfvec and sparsevec share).
   */
  type?: VectorType;
  /** Columns to return; default `*`. */
  select?: '*' | readonly string[];
  /**
   * Filters, ANDed: `{ category: 'x', price: { lt: 10 }, tag: { in: ['a', 'b'] }, deleted_at: null }`, a
   * `sqlFilter('price * qty < $1', [100])`, or a list of both (see docs/search.md).
   */
  where?: SearchFilter;
  /** Keep rows whose distance is strictly below this. */
  maxDistance?: number;
  /** Return the distance as a column (default true). */
  annotate?: boolean;
  /** Name of that column (default `distance`). */
  distanceAlias?: string;
  /** Order by distance, nearest first (default true). */
  orderBy?: boolean;
  /** LIMIT (none when omitted). */
  k?: number;
  offset?: number;
  /** Exact unless false: ordered so that no HNSW/IVFFlat index can serve it (see {@link exactOrderSql}). */
  exact?: boolean;
  /**
   * Bind the query vector in pgvector's binary send format (`toBinary()`) instead of text. Only for a
   * driver that sends `Uint8Array` parameters in binary (see `VecpgDb.binaryParams`).
   */
  binaryParams?: boolean;
  /**
   * Select the vector `column`, where `select` lists it, as `vector_send(column)` (bytea) under its own
   * name; decode it with `decodeVectorColumn`. Not for `bit` (its text is already compact).
   */
  readBinary?: boolean;
}

/**
 * `<target> <op> <param>`: the distance between a column (or expression) and a parameter, with the
 * operator for `type` and `distance`. `targetSql` and `paramSql` are SQL already rendered by the caller.
 *
 * @example
 * distanceSql('"embedding"', 'vector', 'cosine', '$1::vector'); // '"embedding" <=> $1::vector'
 */
export function distanceSql(targetSql: string, type: VectorType, distance: DistanceName, paramSql: string): string {
  return `${targetSql} ${operatorFor(type, distance)} ${paramSql}`;
}

/**
 * The ORDER BY expression that keeps a search exact: `(<distance>) + 0`. pgvector's indexes can
 * only serve `ORDER BY <column> <op> <value>`; adding zero leaves every distance (and the order)
 * unchanged (only a negative-zero inner product, `-0`, becomes `0`) but is an expression no HNSW or
 * IVFFlat index matches, so PostgreSQL computes every distance, with no transaction and no planner
 * setting, and B-tree indexes still serve the filters. ORMs wrap their own rendered distance with it;
 * selecting the same expression as the distance column makes PostgreSQL compute it once per row.
 *
 * @example
 * exactOrderSql('"embedding" <-> $1::vector'); // '("embedding" <-> $1::vector) + 0'
 */
export function exactOrderSql(distance: string): string {
  return `(${distance}) + 0`;
}

/**
 * Build a similarity query covering the three usual shapes: ordered by distance (`annotate: false`),
 * annotated with the distance (`orderBy: false`), and annotated + filtered by `maxDistance` + ordered.
 * Every value is a bound parameter (`$1` is the query vector), every identifier is quoted.
 *
 * @example
 * buildSimilarityQuery({ table: 'items', column: 'embedding', query: [1, 2, 3], distance: 'l2', k: 5 });
 * // { text: 'SELECT *, ("embedding" <-> $1::vector) + 0 AS "distance" FROM "items" ORDER BY ("embedding" <-> $1::vector) + 0 LIMIT $2',
 * //   values: ['[1,2,3]', 5] }
 */
export function buildSimilarityQuery(options: SimilarityQueryOptions): SqlQuery {
  const distance = checkDistance(options.distance);
  if ((options.column === undefined) === (options.expression === undefined)) {
    throw new VecpgError('INVALID_OPTION', 'a similarity query needs exactly one of column or expression');
  }
  const target = options.column !== undefined ? quoteIdent(options.column) : `(${options.expression})`;
  const like = likeSource(options);
  const type = options.type ?? (like !== undefined ? likeVectorType(distance) : typeOfValue(options.query));
  const values: unknown[] = [];
  const bind = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  let querySql: string;
  if (like !== undefined) {
    bind(like.id);
    querySql = like.vectorSql;
  } else {
    const value = toVectorValue(options.query, type);
    bind(options.binaryParams === true ? value.toBinary() : value.toSql());
    querySql = `$1::${paramCast(type, value)}`;
  }
  const dist = distanceSql(target, type, distance, querySql);

  const select = options.select ?? '*';
  if (select !== '*' && (!Array.isArray(select) || select.length === 0)) {
    throw new VecpgError(
      'INVALID_OPTION',
      `select must be '*' or a non-empty array of column names, got ${describeValue(select)}`,
    );
  }
  const binaryRead = options.readBinary === true && readsBinary(type) ? type : undefined;
  const columns =
    select === '*'
      ? ['*']
      : select.map((c: string) =>
          binaryRead !== undefined && c === options.column ? binaryColumnSql(c, binaryRead) : quoteIdent(c),
        );
  const orderBy = options.orderBy ?? true;
  const order = orderBy && (options.exact ?? true) ? exactOrderSql(dist) : dist;
  // The annotated distance is the ORDER BY expression itself: PostgreSQL then sorts on that select-list
  // entry and computes each distance once (a different expression would be evaluated twice per row).
  if (options.annotate ?? true)
    columns.push(`${orderBy ? order : dist} AS ${quoteIdent(options.distanceAlias ?? 'distance')}`);

  const conditions: string[] = like === undefined ? [] : like.conditions;
  conditions.push(...filterSql(options.where, bind));
  if (options.maxDistance !== undefined) {
    conditions.push(`${dist} < ${bind(checkDistanceBound('maxDistance', options.maxDistance, distance, true))}`);
  }

  let text = `SELECT ${columns.join(', ')} FROM ${quoteQualified(options.table)}`;
  if (conditions.length > 0) text += ` WHERE ${conditions.join(' AND ')}`;
  if (orderBy) text += ` ORDER BY ${order}`;
  if (options.k !== undefined) text += ` LIMIT ${bind(checkSearchCount('k', options.k, 1))}`;
  if (options.offset !== undefined) text += ` OFFSET ${bind(checkSearchCount('offset', options.offset, 0))}`;
  return { text, values };
}

/**
 * For `likeId`: the stored row's vector as a scalar subquery on `$1` (PostgreSQL computes it once, as an
 * InitPlan, and an HNSW index can still serve the ORDER BY), and the conditions leaving that row out and
 * returning nothing when it has no vector (or does not exist; {@link search} then says which).
 */
function likeSource(
  options: SimilarityQueryOptions,
): { id: RowId; vectorSql: string; conditions: string[] } | undefined {
  const likeId = checkLikeOptions(options);
  if (likeId === undefined) return undefined;
  if (options.column === undefined) {
    throw new VecpgError('INVALID_OPTION', 'likeId needs column (the vector column to read the stored row from)', {
      details: { option: 'column' },
    });
  }
  const row = {
    table: quoteQualified(options.table),
    column: quoteIdent(options.column),
    id: quoteIdent(options.idColumn ?? 'id'),
  };
  return { id: likeId, vectorSql: likeVectorSql(row, '$1'), conditions: likeConditionsSql(row, '$1') };
}
