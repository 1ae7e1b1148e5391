/**
 * "More like this" (`likeId`), the same way for `search()` and the ORM helpers: the stored row's vector
 * is a scalar subquery of the search statement itself (PostgreSQL computes it once, as an InitPlan, and
 * an HNSW index can still serve the ORDER BY, as pgvector's README shows); that row is left out; and
 * when the search comes back empty, {@link explainNoLikeRow} says whether the row is missing.
 */
import { VecpgError, describeValue, optionHintText } from '../errors.ts';
import type { SqlExecutor } from './executor.ts';
import type { DistanceName, VectorType } from './operators.ts';

/** The id of a stored row, for `likeId`. */
export type RowId = string | number | bigint;

/** The stored row's vector, rendered by the caller's host (quoted names, its own placeholder for the id). */
export interface LikeRowSql {
  /** The table, quoted (and qualified) as the host writes it. */
  readonly table: string;
  /** The vector column, quoted. */
  readonly column: string;
  /** The id column, quoted. */
  readonly id: string;
}

/**
 * `(SELECT <column> FROM <table> WHERE <id> = <param>)`: the query vector of a `likeId` search.
 *
 * @example
 * likeVectorSql({ table: '"items"', column: '"embedding"', id: '"id"' }, '$1');
 * // '(SELECT "embedding" FROM "items" WHERE "id" = $1)'
 */
export function likeVectorSql(row: LikeRowSql, param: string): string {
  return `(SELECT ${row.column} FROM ${row.table} WHERE ${row.id} = ${param})`;
}

/**
 * The conditions of a `likeId` search: not the row itself (`IS DISTINCT FROM`, so rows with a NULL id
 * stay), and nothing at all when the row has no vector or does not exist.
 *
 * @example
 * likeConditionsSql({ table: '"items"', column: '"embedding"', id: '"id"' }, '$1');
 * // ['"id" IS DISTINCT FROM $1', '(SELECT "embedding" FROM "items" WHERE "id" = $1) IS NOT NULL']
 */
export function likeConditionsSql(row: LikeRowSql, param: string): string[] {
  return [`${row.id} IS DISTINCT FROM ${param}`, `${likeVectorSql(row, param)} IS NOT NULL`];
}

/** Names for the messages of {@link explainNoLikeRow}, as the caller wrote them. */
export interface LikeRowNames {
  readonly table: string;
  readonly column: string;
  readonly idColumn: string;
  /** The option that names the id column in this integration (`idColumn`). */
  readonly idOption?: string;
}

/**
 * After a `likeId` search returned no row: throw NOT_FOUND when no row has that id, INVALID_VALUE when
 * its vector is NULL; return quietly when the row exists (its neighbours were all filtered out).
 *
 * @example
 * if (rows.length === 0) await explainNoLikeRow(db, { table: '"items"', column: '"embedding"', id: '"id"' }, { table: 'items', column: 'embedding', idColumn: 'id' }, 42);
 */
export async function explainNoLikeRow(
  db: SqlExecutor,
  row: LikeRowSql,
  names: LikeRowNames,
  likeId: RowId,
): Promise<void> {
  const found = await db.query<{ missing: boolean }>(
    `SELECT ${row.column} IS NULL AS missing FROM ${row.table} WHERE ${row.id} = $1 LIMIT 1`,
    [likeId],
  );
  const where = `${names.idColumn} = ${describeValue(likeId)}`;
  const details = { table: names.table, idColumn: names.idColumn, likeId, column: names.column };
  if (found.length === 0) {
    const hint = { option: names.idOption ?? 'idColumn', text: 'is the id in another column? name it with {option}' };
    throw new VecpgError('NOT_FOUND', `likeId: no row of ${names.table} has ${where} (${optionHintText(hint)})`, {
      details,
      hint,
    });
  }
  if (found[0]?.missing === true) {
    throw new VecpgError(
      'INVALID_VALUE',
      `likeId: the row of ${names.table} with ${where} has no ${names.column} (NULL)`,
      {
        details,
      },
    );
  }
}

/**
 * A `likeId`: a string, a bigint or a safe integer.
 *
 * @example
 * checkRowId(42); // 42
 */
export function checkRowId(id: unknown): RowId {
  if (typeof id === 'string' || typeof id === 'bigint' || (typeof id === 'number' && Number.isSafeInteger(id))) {
    return id;
  }
  throw new VecpgError('INVALID_OPTION', `likeId must be a string, a bigint or an integer, got ${describeValue(id)}`, {
    details: { option: 'likeId' },
  });
}

/**
 * The `likeId` of a search helper's options, checked against `query` (exactly one of them): `undefined`
 * for a search by `query`.
 *
 * @example
 * checkLikeOptions({ likeId: 42 }); // 42
 * checkLikeOptions({ query: [1, 2, 3] }); // undefined
 */
export function checkLikeOptions(options: {
  query?: unknown;
  likeId?: unknown;
  idColumn?: unknown;
}): RowId | undefined {
  if (options.likeId === undefined) {
    if (options.query === undefined) {
      throw new VecpgError('INVALID_OPTION', 'a search needs query (a vector) or likeId (a stored row)', {
        details: { option: 'query' },
      });
    }
    if (options.idColumn !== undefined) {
      throw new VecpgError('INVALID_OPTION', 'idColumn applies with likeId only', { details: { option: 'idColumn' } });
    }
    return undefined;
  }
  const id = checkRowId(options.likeId);
  if (options.query !== undefined) {
    throw new VecpgError('INVALID_OPTION', 'give query or likeId, not both: likeId takes the stored row as the query', {
      details: { option: 'likeId' },
    });
  }
  return id;
}

/**
 * The column type a `likeId` search assumes when not told: `bit` for hamming and jaccard, else `vector`
 * (vector, halfvec and sparsevec share their operators, and PostgreSQL picks the one for the column).
 *
 * @example
 * likeVectorType('cosine'); // 'vector'
 */
export function likeVectorType(distance: DistanceName): VectorType {
  return distance === 'hamming' || distance === 'jaccard' ? 'bit' : 'vector';
}

/**
 * The one id column of a `likeId` search: the one the caller named (`idColumn`, looked up by the host:
 * `undefined` when it has no such column), else the entity's single primary key column.
 * INVALID_OPTION naming `idColumn` otherwise.
 *
 * @example
 * likeIdColumn('Doc', metadata.primaryColumns, undefined); // the one primary column
 */
export function likeIdColumn<C>(
  entity: string,
  primary: readonly C[],
  named: { name: string; column: C | undefined } | undefined,
): C {
  if (named !== undefined) {
    if (named.column === undefined) {
      throw new VecpgError('INVALID_OPTION', `idColumn: ${entity} has no column ${describeValue(named.name)}`, {
        details: { option: 'idColumn' },
      });
    }
    return named.column;
  }
  if (primary.length !== 1) {
    throw new VecpgError(
      'INVALID_OPTION',
      `likeId needs idColumn: ${entity} has ${primary.length === 0 ? 'no' : 'a composite'} primary key`,
      { details: { option: 'idColumn' } },
    );
  }
  return primary[0]!;
}
