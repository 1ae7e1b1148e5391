import { VecpgError, describeValue } from '../errors.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from './identifiers.ts';
import { type DistanceName, type VectorType, checkDistance, operatorFor, typeOfValue } from './operators.ts';
import { type VectorInput, paramCast, toVectorValue } from './params.ts';
import { binaryColumnSql, readsBinary } from './vector-output.ts';

/** A statement with bound parameters. */
export interface SqlQuery {
  readonly text: string;
  readonly values: unknown[];
}

/** A value for an equality filter; `null` becomes `IS NULL`. */
export type WhereValue = string | number | bigint | boolean | Date | null;

/** Options of {@link buildSimilarityQuery}. */
export interface SimilarityQueryOptions {
  table: QualifiedName;
  /** The vector column. */
  column?: string;
  /** Instead of `column`: trusted SQL matching an expression index, e.g. `castExpression('embedding', 'halfvec', 3072)`. */
  expression?: string;
  /** The query vector (Vector, HalfVector, SparseVector, Bit, array, `{ indices, values, dimensions }`, 0/1 string). */
  query: VectorInput;
  distance: DistanceName;
  /** The column's type; inferred from `query` when omitted. */
  type?: VectorType;
  /** Columns to return; default `*`. */
  select?: '*' | readonly string[];
  /** Equality filters, ANDed: `{ category: 'x', tenant_id: 3, deleted_at: null }`. */
  where?: Readonly<Record<string, WhereValue>>;
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

function checkCount(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new VecpgError('INVALID_OPTION', `${name} must be an integer >= ${min}, got ${describeValue(value)}`, {
      details: { option: name },
    });
  }
  return value;
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
  const type = options.type ?? typeOfValue(options.query);
  const value = toVectorValue(options.query, type);
  const values: unknown[] = [options.binaryParams === true ? value.toBinary() : value.toSql()];
  const bind = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };

  if ((options.column === undefined) === (options.expression === undefined)) {
    throw new VecpgError('INVALID_OPTION', 'a similarity query needs exactly one of column or expression');
  }
  const target = options.column !== undefined ? quoteIdent(options.column) : `(${options.expression})`;
  const dist = distanceSql(target, type, distance, `$1::${paramCast(type, value)}`);

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

  const conditions: string[] = [];
  for (const [key, v] of Object.entries(options.where ?? {})) {
    if (v === undefined) {
      throw new VecpgError('INVALID_OPTION', `where.${key} is undefined; use null for IS NULL or leave the key out`, {
        details: { column: key },
      });
    }
    conditions.push(v === null ? `${quoteIdent(key)} IS NULL` : `${quoteIdent(key)} = ${bind(v)}`);
  }
  if (options.maxDistance !== undefined) {
    if (typeof options.maxDistance !== 'number' || Number.isNaN(options.maxDistance)) {
      throw new VecpgError('INVALID_OPTION', `maxDistance must be a number, got ${describeValue(options.maxDistance)}`);
    }
    conditions.push(`${dist} < ${bind(options.maxDistance)}`);
  }

  let text = `SELECT ${columns.join(', ')} FROM ${quoteQualified(options.table)}`;
  if (conditions.length > 0) text += ` WHERE ${conditions.join(' AND ')}`;
  if (orderBy) text += ` ORDER BY ${order}`;
  if (options.k !== undefined) text += ` LIMIT ${bind(checkCount('k', options.k, 1))}`;
  if (options.offset !== undefined) text += ` OFFSET ${bind(checkCount('offset', options.offset, 0))}`;
  return { text, values };
}
