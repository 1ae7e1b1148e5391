/**
 * Telling "could not connect" apart from "the statement failed": a refused connection, an unknown
 * host, a bad URL or a rejected login is a `CONNECTION_FAILED` VecpgError naming where vecpg tried to
 * connect (host, port, database, user — never the password) and what to check, instead of a
 * QUERY_FAILED quoting a statement the user never wrote.
 */
import { VecpgError, isVecpgError } from '../errors.ts';

/** Where a driver connects, as far as it is known. Never holds the password. */
export interface ConnectionTarget {
  host?: string | undefined;
  port?: number | string | undefined;
  database?: string | undefined;
  user?: string | undefined;
}

/** Socket-level codes of a connection that never got established. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CONNECT_TIMEOUT',
]);
/** SQLSTATEs the server answers a connection attempt with (login, database, startup, capacity). */
const CONNECT_SQLSTATES = new Set(['28000', '28P01', '3D000', '08001', '08004', '57P03', '53300']);

type ErrorLike = {
  code?: unknown;
  message?: unknown;
  severity?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
};

/**
 * True when `error` says the connection could not be established (as opposed to a statement that
 * failed, or a connection lost mid-statement, which stay QUERY_FAILED).
 *
 * @example
 * isConnectionFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })); // true
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error === null || typeof error !== 'object' || isVecpgError(error)) return false;
  const e = error as ErrorLike;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || e.code === 'ERR_INVALID_URL')) return true;
  // The server refuses a connection with a FATAL error; the same SQLSTATE as an ERROR is a statement's
  // (DROP DATABASE of a missing database is 3D000 too).
  if (typeof e.code === 'string' && CONNECT_SQLSTATES.has(e.code)) return e.severity === 'FATAL';
  if (error instanceof URIError) return true; // a malformed %-escape in the URL (postgres.js)
  // node-postgres's connectionTimeoutMillis
  return (
    typeof e.message === 'string' &&
    /^(timeout expired|Connection terminated due to connection timeout)$/.test(e.message)
  );
}

function hostPort(target: ConnectionTarget, e: ErrorLike): string | undefined {
  const host = typeof e.address === 'string' ? e.address : typeof e.hostname === 'string' ? e.hostname : target.host;
  const port = e.port !== undefined && typeof e.address === 'string' ? e.port : target.port;
  if (host === undefined || host === '') return undefined;
  const shown = host.includes(':') && !host.startsWith('/') ? `[${host}]` : host;
  return port === undefined || port === '' ? shown : `${shown}:${String(port)}`;
}

function isReadyArgs(target: ConnectionTarget, e: ErrorLike): string {
  const host = typeof e.address === 'string' ? e.address : target.host;
  const port = typeof e.address === 'string' && e.port !== undefined ? e.port : target.port;
  return `${host === undefined ? '' : ` -h ${host}`}${port === undefined ? '' : ` -p ${String(port)}`}`;
}

function hintFor(
  code: string | undefined,
  target: ConnectionTarget,
  e: ErrorLike,
  where: string,
  source: string,
): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing accepts connections there: is PostgreSQL running, and are the host and port in ${source} right? (check with pg_isready${isReadyArgs(target, e)})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      // node-postgres resolves a string that is not a URL against "postgres://base".
      return e.hostname === 'base' && target.host !== 'base'
        ? `${source} is not a connection URL: write postgres://user:password@host:5432/database`
        : `the host name does not resolve: check the host in ${source} (postgres://user:password@host:5432/database)`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'CONNECT_TIMEOUT':
      return `no answer from ${where}: check the host and port in ${source}, and that a firewall lets you through`;
    case '28P01':
    case '28000':
      return `the server refused the login${target.user === undefined ? '' : ` of user "${target.user}"`}: check the user and password in ${source} (or PGPASSWORD, ~/.pgpass) and the server's pg_hba.conf`;
    case '3D000':
      return `create the database (createdb${target.database === undefined ? '' : ` ${target.database}`}) or fix its name at the end of ${source}`;
    case '57P03':
      return 'the server is starting up or shutting down: try again in a moment';
    case '53300':
      return 'the server has no free connection slots: close idle connections or raise max_connections';
    case 'ERR_INVALID_URL':
    case 'URIError':
      return `${source} is not a valid URL: write postgres://user:password@host:5432/database, with special characters of the password %-encoded`;
    default:
      return `check the host, port, user and password in ${source}`;
  }
}

/**
 * The CONNECTION_FAILED VecpgError for a driver's connection error: where (host:port, database,
 * user), the driver's reason, and the fix. `source` names where the settings came from (default
 * "the connection settings"; the CLI says `--database-url` or `DATABASE_URL`). The password is never
 * part of the message or the details; an invalid URL's text (which may hold it) is not kept either.
 *
 * @example
 * throw connectionFailed(error, { host: 'db', port: 5432, database: 'app', user: 'me' });
 */
export function connectionFailed(
  error: unknown,
  target: ConnectionTarget = {},
  source = 'the connection settings',
): VecpgError {
  const e = (error ?? {}) as ErrorLike;
  const invalidUrl = e.code === 'ERR_INVALID_URL' || error instanceof URIError;
  const code = invalidUrl
    ? e.code === 'ERR_INVALID_URL'
      ? 'ERR_INVALID_URL'
      : 'URIError'
    : typeof e.code === 'string'
      ? e.code
      : undefined;
  const where = hostPort(target, e);
  const place = [
    where,
    target.database === undefined ? undefined : `database "${target.database}"`,
    target.user === undefined ? undefined : `user "${target.user}"`,
  ].filter((x) => x !== undefined);
  const reason = invalidUrl ? 'invalid connection URL' : typeof e.message === 'string' ? e.message : String(error);
  const message = `cannot connect to PostgreSQL${place.length === 0 ? '' : ` at ${place.join(', ')}`}: ${reason}; ${hintFor(code, target, e, where ?? 'the server', source)}`;
  const details: Record<string, unknown> = {};
  if (where !== undefined) details.address = where;
  if (target.host !== undefined) details.host = target.host;
  if (target.port !== undefined) details.port = target.port;
  if (target.database !== undefined) details.database = target.database;
  if (target.user !== undefined) details.user = target.user;
  if (code !== undefined) details.reason = code;
  // An invalid URL error carries the URL (and so the password) in `input`: keep it out.
  return new VecpgError('CONNECTION_FAILED', message, invalidUrl ? { details } : { cause: error, details });
}
