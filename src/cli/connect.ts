/**
 * Opening the database a CLI command works on: `--database-url` or `DATABASE_URL` gives a
 * node-postgres pool; otherwise the embedded default PGlite database (directory chosen by
 * `VECPG_HOME`, see `openDefaultDatabase`).
 */
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { ConnectionTarget } from '../drivers/connection-error.ts';
import { VecpgError, isVecpgError } from '../errors.ts';
import { type VecpgDb, refuseAfterAbort } from '../sql/executor.ts';
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
  /** Server connections: the `application_name` every connection of this command carries. */
  applicationName?: string;
  /**
   * Server connections: cancel every statement this command is running (`pg_cancel_backend` from a
   * connection of its own) and wait until none is active. Resolves to the number cancelled.
   */
  cancelRunning?: () => Promise<number>;
  /** Aborted on Ctrl-C / SIGTERM (by {@link withConnection}): hand it to library calls that take a `signal`. */
  signal?: AbortSignal;
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
      if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
        throw new TypeError('not a postgres: URL');
    } catch (error) {
      // node-postgres would read "localhost" as a relative URL and try the host "base".
      throw connectionFailed(
        Object.assign(new TypeError('Invalid URL'), { code: 'ERR_INVALID_URL', cause: error }),
        {},
        source,
      );
    }
    const pgModule = (await importDriver<{ default: typeof pg }>('pg', `vecpg with ${source} (a server connection)`))
      .default;
    // A name of its own, so an interrupt can find (and cancel) exactly this command's statements.
    const applicationName = `vecpg-cli-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const pool = new pgModule.Pool({
      connectionString: url,
      max: options.poolSize ?? 2,
      application_name: applicationName,
    });
    const cancelRunning = async (): Promise<number> => {
      const client = new pgModule.Client({ connectionString: url, application_name: `${applicationName}-cancel` });
      await client.connect();
      try {
        const cancelled = new Set<number>();
        // Cancel what is running and look again until nothing is (a parallel CREATE INDEX stops its workers
        // too); give up after 60 s. Every round cancels anew: a statement sent just before the interrupt can
        // show up as active only after the first look. Client backends only: parallel workers carry the
        // leader's name and stop with it.
        for (let i = 0; i < 600; i++) {
          const running = await client.query<{ pid: number; cancelled: boolean | null }>(
            `SELECT pid, CASE WHEN backend_type = 'client backend' THEN pg_cancel_backend(pid) END AS cancelled
               FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
            [applicationName],
          );
          if (running.rows.length === 0) break;
          for (const r of running.rows) if (r.cancelled === true) cancelled.add(r.pid);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return cancelled.size;
      } finally {
        await client.end();
      }
    };
    try {
      const db = await wrapPg(pool);
      return { db, pool, target: describeUrl(parsed), applicationName, cancelRunning, close: () => pool.end() };
    } catch (error) {
      await pool.end();
      if (isVecpgError(error) && error.code === 'CONNECTION_FAILED')
        throw connectionFailed(error.cause, urlTarget(parsed), source);
      throw error;
    }
  }
  const { openDefaultDatabase } = await import('../drivers/pglite.ts');
  const home = options.env.VECPG_HOME;
  const db = await openDefaultDatabase(home === undefined || home === '' ? {} : { home });
  return {
    db,
    pglite: db.pglite,
    target: `embedded (${db.pglite.dataDir ?? 'memory'})`,
    close: () => db.pglite.close(),
  };
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
  const conn = await openConnection({
    databaseUrl: typeof url === 'string' ? url : undefined,
    env: io.env,
  });
  let cancelling: Promise<number> | undefined;
  const cancel = conn.cancelRunning;
  const interrupted = new AbortController();
  const unregister =
    cancel === undefined
      ? undefined
      : io.onInterrupt?.(() => {
          // The client's own COPY ends first (a stalled input cannot hold it), then the server's statements.
          interrupted.abort();
          return (cancelling = cancel()).then(() => undefined);
        });
  try {
    const db = cancel === undefined ? conn.db : refuseAfterAbort(conn.db, interrupted.signal);
    return await fn({ ...conn, db, signal: interrupted.signal });
  } catch (error) {
    if (cancelling === undefined) throw error;
    const n = await cancelling.catch(() => 0);
    throw new VecpgError(
      'CANCELLED',
      n === 0
        ? // the client had ended its own statement (a COPY it was sending) before the server was asked
          `interrupted: stopped the command's statement on the server (${conn.target}); nothing of it is left running or committed`
        : `interrupted: cancelled ${n === 1 ? 'the statement' : `${n} statements`} running on the server (${conn.target}) and waited for ${n === 1 ? 'it' : 'them'} to stop`,
      { cause: error },
    );
  } finally {
    unregister?.();
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
