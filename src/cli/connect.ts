/**
 * Opening the database a CLI command works on: `--database-url` or `DATABASE_URL` gives a
 * node-postgres pool; otherwise the embedded default PGlite database (directory chosen by
 * `VECPG_HOME`, see `openDefaultDatabase`).
 */
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { ConnectionTarget } from '../drivers/connection-error.ts';
import { isVecpgError } from '../errors.ts';
import type { VecpgDb } from '../sql/executor.ts';
import type { CliIO } from './command.ts';

export interface OpenConnectionOptions {
  /** Connection string; wins over `env.DATABASE_URL`. */
  databaseUrl?: string | undefined;
  env: Record<string, string | undefined>;
  /** Pool size for a server connection (default 2: one for work, one to watch progress). */
  poolSize?: number;
}

export interface CliConnection {
  db: VecpgDb;
  /** Set for a server connection. */
  pool?: pg.Pool;
  /** Set for the embedded database. */
  pglite?: PGlite;
  /** A short, password-free description of where we are connected, for messages. */
  target: string;
  close(): Promise<void>;
}

/**
 * Open the database for a command.
 *
 * @example
 * const conn = await openConnection({ databaseUrl: undefined, env: process.env });
 * try { await conn.db.query('SELECT 1') } finally { await conn.close() }
 */
export async function openConnection(options: OpenConnectionOptions): Promise<CliConnection> {
  const url = options.databaseUrl ?? options.env.DATABASE_URL;
  if (url !== undefined && url !== '') {
    const source = options.databaseUrl === undefined ? 'DATABASE_URL' : '--database-url';
    const { wrapPg } = await import('../drivers/pg.ts');
    const { importDriver } = await import('../drivers/optional-import.ts');
    const { connectionFailed } = await import('../drivers/connection-error.ts');
    let parsed: URL;
    try {
      parsed = new URL(url);
      if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new TypeError('not a postgres: URL');
    } catch (error) {
      // node-postgres would read "localhost" as a relative URL and try the host "base".
      throw connectionFailed(Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL', cause: error }), {}, source);
    }
    const pgModule = (await importDriver<{ default: typeof pg }>('pg', `vecpg with ${source} (a server connection)`)).default;
    const pool = new pgModule.Pool({ connectionString: url, max: options.poolSize ?? 2 });
    try {
      const db = await wrapPg(pool);
      return { db, pool, target: describeUrl(parsed), close: () => pool.end() };
    } catch (error) {
      await pool.end();
      if (isVecpgError(error) && error.code === 'CONNECTION_FAILED') throw connectionFailed(error.cause, urlTarget(parsed), source);
      throw error;
    }
  }
  const { openDefaultDatabase } = await import('../drivers/pglite.ts');
  const home = options.env.VECPG_HOME;
  const db = await openDefaultDatabase(home === undefined || home === '' ? {} : { home });
  return { db, pglite: db.pglite, target: `embedded (${db.pglite.dataDir ?? 'memory'})`, close: () => db.pglite.close() };
}

function describeUrl(u: URL): string {
  return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

/** Host, port, database and user of a connection URL (the password is left out). */
function urlTarget(u: URL): ConnectionTarget {
  const decode = (s: string): string | undefined => {
    if (s === '') return undefined;
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return {
    host: decode(u.hostname.replace(/^\[(.*)\]$/, '$1')) ?? 'localhost',
    port: u.port === '' ? 5432 : Number(u.port),
    database: decode(u.pathname.slice(1)),
    user: decode(u.username),
  };
}

/**
 * Open the connection named by the parsed `--database-url` flag (or the environment), run `fn`,
 * and close it whatever happens.
 *
 * @example
 * return withConnection(values, io, async ({ db }) => { await db.query('SELECT 1'); return 0; });
 */
export async function withConnection<T>(
  values: Readonly<Record<string, unknown>>,
  io: CliIO,
  fn: (conn: CliConnection) => Promise<T>,
): Promise<T> {
  const url = values['database-url'];
  const conn = await openConnection({ databaseUrl: typeof url === 'string' ? url : undefined, env: io.env });
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

/**
 * `--table` plus optional `--schema` as a table name for the library.
 *
 * @example
 * tableName('items', 'public') // ['public', 'items']
 */
export function tableName(table: string, schema: string | undefined): string | [string, string] {
  return schema === undefined || schema === '' ? table : [schema, table];
}
