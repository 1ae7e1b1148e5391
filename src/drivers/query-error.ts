import { VecpgError, isVecpgError } from '../errors.ts';
import { type ConnectionTarget, connectionFailed, isConnectionFailure } from './connection-error.ts';

/**
 * Wrap a driver's error for a failed statement in a `VecpgError` with code QUERY_FAILED.
 * The database's SQLSTATE is kept in `details.sqlstate`, the original error in `cause`. When the
 * statement never ran because no connection could be made, CONNECTION_FAILED instead, naming
 * `target()` (host, port, database, user) when the driver knows it.
 *
 * @example
 * try { await pool.query(text, params) } catch (e) { throw queryFailed(e, text) }
 */
export function queryFailed(error: unknown, text: string, target?: () => ConnectionTarget): VecpgError {
  if (isVecpgError(error)) return error;
  if (isConnectionFailure(error)) return connectionFailed(error, target?.());
  const e = error as { message?: unknown; code?: unknown; detail?: unknown; hint?: unknown; position?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const sqlstate = typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  const statement = text.length > 200 ? `${text.slice(0, 197)}...` : text;
  const details: Record<string, unknown> = { statement };
  if (sqlstate !== undefined) details.sqlstate = sqlstate;
  if (typeof e?.detail === 'string') details.detail = e.detail;
  if (typeof e?.hint === 'string') details.hint = e.hint;
  if (e?.position !== undefined) details.position = e.position;
  const where = sqlstate === undefined ? '' : ` (SQLSTATE ${sqlstate})`;
  // 42704 undefined_object: pgvector's types are unknown here — not installed, or installed in a schema
  // (managed services use "extensions") that is not on the search_path.
  if (sqlstate === '42704' && /^type "(vector|halfvec|sparsevec)" does not exist/.test(message)) {
    return new VecpgError(
      'EXTENSION_MISSING',
      `${message}${where}: the pgvector extension is not installed in this database (run CREATE EXTENSION vector), ` +
        `or it is installed in a schema that is not on the search_path (add that schema, e.g. "extensions", to search_path); in statement: ${statement}`,
      { cause: error, details },
    );
  }
  // 22P02: a JavaScript array bound where a vector was expected, sent by the driver as a PostgreSQL array.
  const arrayForVector =
    sqlstate === '22P02' && /^invalid input syntax for type (vector|halfvec|sparsevec): "\{"/.test(message);
  const fix = arrayForVector
    ? ": an array parameter went out as a PostgreSQL array; pass a Vector / HalfVector / SparseVector, or cast the parameter in the statement ($1::vector), which vecpg's drivers convert"
    : '';
  return new VecpgError('QUERY_FAILED', `${message}${where}${fix} in statement: ${statement}`, {
    cause: error,
    details,
  });
}
