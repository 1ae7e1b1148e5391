/**
 * The statements behind the Prisma extension. Pure functions: every value is a bound parameter
 * (`$1`, `$2`, …), every identifier comes from the resolved configuration (quoted once by
 * `quoteIdent`), operators come from the SQL layer's table, and exact ordering uses its
 * `exactOrderSql`. Rows are selected by primary key (`id = ANY($n)`), the ids coming from Prisma's
 * own `findMany` with the caller's `where`, so no user filter is ever turned into SQL text here.
 */
import { VecpgError, describeValue } from '../../errors.ts';
import { isBit } from '../../types/bit.ts';
import { Bit } from '../../types/bit.ts';
import { HalfVector } from '../../types/halfvec.ts';
import { SparseVector } from '../../types/sparsevec.ts';
import { Vector } from '../../types/vector.ts';
import { type DistanceName, checkDistance, operatorFor } from '../../sql/operators.ts';
import { paramCast, toVectorValue } from '../../sql/params.ts';
import { type SqlQuery, distanceSql, exactOrderSql } from '../../sql/query.ts';
import { checkDistanceBound, checkSearchCount } from '../../sql/search-options.ts';
import { type RowId, likeConditionsSql, likeVectorSql } from '../../sql/like.ts';
import type { ResolvedField, ResolvedModel, VectorOutput } from './config.ts';

/**
 * Bounds on the distance, as in Prisma's number filters.
 *
 * @example
 * const close: DistanceFilter = { lt: 0.2 };
 */
export interface DistanceFilter {
  lt?: number;
  lte?: number;
  gt?: number;
  gte?: number;
}

const BOUND_OPS: Readonly<Record<keyof DistanceFilter, string>> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

class Params {
  readonly values: unknown[] = [];
  bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * Validate a value for a vector field (type and dimensions) and bind it cast to the field's type.
 * DIMENSION_MISMATCH names the field and both sizes.
 */
function bindVector(params: Params, field: ResolvedField, value: unknown): string {
  const v = toVectorValue(value, field.type);
  const size = isBit(v) ? v.length : v.dimensions;
  if (size !== field.dimensions) {
    throw new VecpgError(
      'DIMENSION_MISMATCH',
      `${field.field} is ${field.columnType}, got a value with ${size} ${isBit(v) ? 'bits' : 'dimensions'}`,
      {
        details: { field: field.field, expected: field.dimensions, actual: size },
      },
    );
  }
  return `${params.bind(v.toSql())}::${paramCast(field.type, v)}`;
}

/** `<column> <op> $1::type`, refusing a distance the column's type lacks (UNSUPPORTED) before looking at the value. */
function distanceTo(params: Params, field: ResolvedField, distance: string, to: unknown): string {
  const name: DistanceName = checkDistance(distance);
  operatorFor(field.type, name);
  return distanceSql(field.columnSql, field.type, name, bindVector(params, field, to));
}

/**
 * Options of {@link rankStatement}.
 *
 * @example
 * const options: RankOptions = { exact: true, take: 10, ids: [1, 2, 3], bounds: { lt: 0.2 } };
 */
export interface RankOptions {
  /** Restrict to these primary keys (from Prisma's `findMany` with the caller's `where`). */
  ids?: readonly unknown[] | undefined;
  bounds?: DistanceFilter | undefined;
  take?: number | undefined;
  skip?: number | undefined;
  /** Exact (default): order by an expression no ANN index can serve. */
  exact: boolean;
  /** Vector fields to return as text (columns `v0`, `v1`, …). */
  vectors?: readonly ResolvedField[] | undefined;
  /** "More like this": the row with this id is the query (a scalar subquery of the statement) and is left out. */
  likeId?: RowId | undefined;
}

/**
 * `SELECT id, <distance> AS distance FROM table WHERE <column> IS NOT NULL [AND id = ANY($n)]
 * [AND <distance> < $n] ORDER BY … [LIMIT $n] [OFFSET $n]`: the nearest rows' ids, best first.
 *
 * @example
 * rankStatement(model, field, 'cosine', [1, 0, 0, 0], { exact: true, take: 3 }).text;
 * // 'SELECT "id" AS "id", ("embedding" <=> $1::vector) + 0 AS "distance" FROM "Document" WHERE "embedding" IS NOT NULL ORDER BY ("embedding" <=> $1::vector) + 0 LIMIT $2'
 */
export function rankStatement(
  model: ResolvedModel,
  field: ResolvedField,
  distance: string,
  to: unknown,
  options: RankOptions,
): SqlQuery {
  const params = new Params();
  const where = [`${field.columnSql} IS NOT NULL`];
  let dist: string;
  if (options.likeId === undefined) dist = distanceTo(params, field, distance, to);
  else {
    // The stored row's vector, computed once by PostgreSQL (an InitPlan); that row itself is left out.
    const name: DistanceName = checkDistance(distance);
    const row = { table: model.tableSql, column: field.columnSql, id: model.idSql };
    const id = params.bind(typeof options.likeId === 'bigint' ? options.likeId.toString() : options.likeId);
    dist = distanceSql(field.columnSql, field.type, name, likeVectorSql(row, id));
    where.push(...likeConditionsSql(row, id));
  }
  // The distance column is the ORDER BY expression itself, so PostgreSQL computes it once per row.
  const order = options.exact ? exactOrderSql(dist) : dist;
  const columns = [`${model.idSql} AS "id"`, `${order} AS "distance"`];
  (options.vectors ?? []).forEach((f, i) => columns.push(`${f.columnSql}::text AS "v${i}"`));
  if (options.ids !== undefined) where.push(`${model.idSql} = ANY(${params.bind(options.ids)})`);
  for (const [key, bound] of Object.entries(options.bounds ?? {})) {
    if (bound === undefined) continue;
    const op = BOUND_OPS[key as keyof DistanceFilter];
    if (op === undefined) {
      throw new VecpgError('INVALID_OPTION', `unknown distance filter ${JSON.stringify(key)}; use lt, lte, gt or gte`, {
        details: { option: key },
      });
    }
    const upper = key === 'lt' || key === 'lte';
    where.push(
      `${dist} ${op} ${params.bind(checkDistanceBound(`distance.${key}`, bound, checkDistance(distance), upper))}`,
    );
  }
  let text = `SELECT ${columns.join(', ')} FROM ${model.tableSql} WHERE ${where.join(' AND ')}`;
  text += ` ORDER BY ${order}`;
  if (options.take !== undefined) text += ` LIMIT ${params.bind(checkSearchCount('take', options.take, 1))}`;
  if (options.skip !== undefined) text += ` OFFSET ${params.bind(checkSearchCount('skip', options.skip, 0))}`;
  return { text, values: params.values };
}

/**
 * The distance of each given row (annotate only; the caller keeps Prisma's order).
 *
 * @example
 * distanceStatement(model, field, 'l2', [1, 0, 0, 0], [1, 2]).text;
 * // 'SELECT "id" AS "id", "embedding" <-> $1::vector AS "distance" FROM "Document" WHERE "id" = ANY($2)'
 */
export function distanceStatement(
  model: ResolvedModel,
  field: ResolvedField,
  distance: string,
  to: unknown,
  ids: readonly unknown[],
): SqlQuery {
  const params = new Params();
  const dist = distanceTo(params, field, distance, to);
  const text = `SELECT ${model.idSql} AS "id", ${dist} AS "distance" FROM ${model.tableSql} WHERE ${model.idSql} = ANY(${params.bind(ids)})`;
  return { text, values: params.values };
}

/**
 * `UPDATE table SET col = $1::type, … WHERE id = ANY($n)`; a null value clears the column.
 *
 * @example
 * updateStatement(model, [[field, [0.5, 0.2, 0.9, 0.3]]], [1]).text;
 * // 'UPDATE "Document" SET "embedding" = $1::vector WHERE "id" = ANY($2)'
 */
export function updateStatement(
  model: ResolvedModel,
  data: ReadonlyArray<readonly [ResolvedField, unknown]>,
  ids: readonly unknown[],
): SqlQuery {
  if (data.length === 0) throw new VecpgError('INVALID_OPTION', `no vector fields to write for model ${model.name}`);
  const params = new Params();
  const sets = data.map(([f, v]) => `${f.columnSql} = ${v === null ? 'NULL' : bindVector(params, f, v)}`);
  return {
    text: `UPDATE ${model.tableSql} SET ${sets.join(', ')} WHERE ${model.idSql} = ANY(${params.bind(ids)})`,
    values: params.values,
  };
}

/**
 * The vector columns of the given rows, as pgvector text (decoded with {@link decodeVector}).
 *
 * @example
 * readStatement(model, [field], [1]).text; // 'SELECT "id" AS "id", "embedding"::text AS "v0" FROM "Document" WHERE "id" = ANY($1)'
 */
export function readStatement(
  model: ResolvedModel,
  fields: readonly ResolvedField[],
  ids: readonly unknown[],
): SqlQuery {
  const columns = [`${model.idSql} AS "id"`, ...fields.map((f, i) => `${f.columnSql}::text AS "v${i}"`)];
  return { text: `SELECT ${columns.join(', ')} FROM ${model.tableSql} WHERE ${model.idSql} = ANY($1)`, values: [ids] };
}

/**
 * The server's text for a vector column → `number[]` (vector, halfvec), `SparseVector`, or the bit string.
 *
 * @example
 * decodeVector(sparseField, '{1:5.5,43:1.2}/10000'); // SparseVector { 0: 5.5, 42: 1.2 } of 10000
 */
export function decodeVector<T extends keyof VectorOutput>(field: { type: T }, text: unknown): VectorOutput[T] | null;
export function decodeVector(
  field: { type: keyof VectorOutput },
  text: unknown,
): VectorOutput[keyof VectorOutput] | null {
  if (text === null || text === undefined) return null;
  if (typeof text !== 'string')
    throw new VecpgError('INVALID_TEXT', `expected pgvector text from the server, got ${describeValue(text)}`);
  switch (field.type) {
    case 'vector':
      return Vector.fromSql(text).toArray();
    case 'halfvec':
      return HalfVector.fromSql(text).toArray();
    case 'sparsevec':
      return SparseVector.fromSql(text);
    case 'bit':
      return Bit.fromSql(text).toString();
  }
}
