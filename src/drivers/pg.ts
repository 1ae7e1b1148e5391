/**
 * node-postgres (`pg`) support: per-client type parsers for pgvector's types, and `wrapPg`, which
 * turns a `Client` or `Pool` into the `VecpgDb` the SQL layer runs on. Nothing here changes `pg`'s
 * process-wide parsers (`pg.types`): every registration is on a client, or on each client a pool
 * hands out.
 */
import type { Client, Pool, PoolClient } from 'pg';
import type { Row, SqlExecutor, VecpgDb } from '../sql/executor.ts';
import type { ConnectionTarget } from './connection-error.ts';
import { LazyTypes } from './lazy-types.ts';
import { queryFailed } from './query-error.ts';
import { prepareVectorParams } from './vector-params.ts';
import {
  VECTOR_TYPES_SQL,
  type TypeRow,
  type VectorTypeOids,
  type VectorTypeOptions,
  arrayTextParsers,
  oidsFromRows,
  textParsers,
} from './vector-types.ts';

/** A node-postgres `Client` (or a pool's `PoolClient`) or a `Pool`. */
export type PgClientOrPool = Client | PoolClient | Pool;

type Parser = (text: string) => unknown;

const poolListeners = new WeakMap<Pool, (client: PoolClient) => void>();

function isPool(x: PgClientOrPool): x is Pool {
  return typeof (x as Partial<Client>).setTypeParser !== 'function';
}

function applyParsers(client: Client | PoolClient, parsers: Map<number, Parser>): void {
  for (const [oid, parse] of parsers) client.setTypeParser(oid, 'text', parse);
}

/**
 * Look up pgvector's type OIDs (in whatever schema the extension lives in) and register parsers on
 * this client, or on every client the pool hands out (now and later). Throws `EXTENSION_MISSING`
 * when the extension is not installed.
 *
 * Rows then come back with `number[]` for `vector`/`halfvec` (exact float32/float16 values),
 * `SparseVector` for `sparsevec`, and `'0101'` strings for `bit` — see {@link VectorTypeOptions}.
 *
 * @example
 * const pool = new pg.Pool({ connectionString });
 * await registerVectorTypes(pool);
 * const { rows } = await pool.query('SELECT embedding FROM items');
 */
export async function registerVectorTypes(
  clientOrPool: PgClientOrPool,
  options: VectorTypeOptions = {},
): Promise<VectorTypeOids> {
  let rows: TypeRow[];
  try {
    rows = (await clientOrPool.query<TypeRow>(VECTOR_TYPES_SQL)).rows;
  } catch (error) {
    throw queryFailed(error, VECTOR_TYPES_SQL, () => pgConnectionTarget(clientOrPool));
  }
  const oids = oidsFromRows(rows);
  install(clientOrPool, oids, options);
  return oids;
}

/** Register the parsers for known OIDs on the client, or on every client the pool hands out; returns them. */
function install(clientOrPool: PgClientOrPool, oids: VectorTypeOids, options: VectorTypeOptions): Map<number, Parser> {
  const parsers = new Map<number, Parser>([...textParsers(oids, options), ...arrayTextParsers(oids, options)]);
  if (isPool(clientOrPool)) {
    const previous = poolListeners.get(clientOrPool);
    if (previous) clientOrPool.removeListener('acquire', previous);
    // 'acquire' fires synchronously for every checkout (new or idle client) before it runs a query.
    const listener = (client: PoolClient): void => applyParsers(client, parsers);
    poolListeners.set(clientOrPool, listener);
    clientOrPool.on('acquire', listener);
  } else {
    applyParsers(clientOrPool, parsers);
  }
  return parsers;
}

interface PgParams {
  host?: unknown;
  port?: unknown;
  database?: unknown;
  user?: unknown;
}

const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

/**
 * Where a node-postgres client or pool connects (host, port, database, user; never the password), as
 * node-postgres itself resolves it from the connection string, the options and the PG* variables.
 *
 * @example
 * pgConnectionTarget(new pg.Pool({ connectionString: 'postgres://me:pw@db:5432/app' })); // { host: 'db', port: 5432, database: 'app', user: 'me' }
 */
export function pgConnectionTarget(clientOrPool: PgClientOrPool): ConnectionTarget {
  try {
    const pool = clientOrPool as unknown as { Client?: new (options: unknown) => PgParams; options?: unknown };
    // A pool's settings as a Client resolves them (constructing a Client does not connect).
    const params: PgParams =
      isPool(clientOrPool) && pool.Client ? new pool.Client(pool.options) : (clientOrPool as unknown as PgParams);
    const port = typeof params.port === 'number' ? params.port : str(params.port);
    return { host: str(params.host), port, database: str(params.database), user: str(params.user) };
  } catch {
    return {};
  }
}

async function run<R extends Row>(
  target: PgClientOrPool,
  text: string,
  params: readonly unknown[] | undefined,
): Promise<R[]> {
  try {
    const values = prepareVectorParams(text, params);
    const result = await target.query<R>(text, values === undefined ? undefined : [...values]);
    return result.rows;
  } catch (error) {
    throw queryFailed(error, text, () => pgConnectionTarget(target));
  }
}

/**
 * Wrap a node-postgres `Client` or `Pool` as a `VecpgDb`. The extension need not exist yet: the type
 * parsers are registered as soon as it does (looked up at wrap time, then before each statement until
 * found), so `db.query(createExtensionSql())` works on a fresh database. A server that cannot be
 * reached fails here with CONNECTION_FAILED. `transaction` checks one client out of a pool for its
 * duration; on a single `Client` it runs BEGIN/COMMIT on that client, so don't share the client with
 * other work meanwhile.
 *
 * @example
 * const db = await wrapPg(new pg.Pool({ connectionString }));
 * await db.query(createExtensionSql());
 * const rows = await db.query('SELECT $1::vector AS v', [new Vector([1, 2, 3])]);
 */
export async function wrapPg(clientOrPool: PgClientOrPool, options: VectorTypeOptions = {}): Promise<VecpgDb> {
  let parsers: Map<number, Parser> | undefined;
  const types = new LazyTypes((oids) => {
    parsers = install(clientOrPool, oids, options);
  });
  const lookupOn = (target: PgClientOrPool) => (text: string) => run(target, text, undefined);
  await types.ensure(lookupOn(clientOrPool));
  return {
    kind: 'pg',
    // node-postgres sends a Uint8Array parameter in binary format (verified in test/integration/fastpath.test.ts).
    binaryParams: true,
    vectorOutput: { ...options },
    async query(text, params) {
      await types.beforeStatement(lookupOn(clientOrPool));
      return run(clientOrPool, text, params);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const pooled = isPool(clientOrPool);
      let client: Client | PoolClient;
      try {
        client = pooled ? await clientOrPool.connect() : clientOrPool;
      } catch (error) {
        throw queryFailed(error, 'BEGIN', () => pgConnectionTarget(clientOrPool));
      }
      const knownBefore = types.oids !== undefined;
      let applied = knownBefore;
      const tx: SqlExecutor = {
        async query(text, params) {
          if (!applied) {
            // The extension may appear inside this transaction (a migration): parse this client's rows too.
            await types.beforeStatement(lookupOn(client));
            if (parsers !== undefined) {
              applyParsers(client, parsers);
              applied = true;
            }
          }
          return run(client, text, params);
        },
      };
      let broken: Error | undefined;
      // A checked-out client has no 'error' listener of the pool's: without this one, a backend killed
      // mid-transaction (pg_terminate_backend, a failover) would be an uncaught 'error' event.
      const onError = (error: Error): void => {
        broken = error;
      };
      if (pooled) client.on('error', onError);
      try {
        await run(client, 'BEGIN', undefined);
        try {
          const result = await fn(tx);
          await run(client, 'COMMIT', undefined);
          return result;
        } catch (error) {
          // Types found inside a rolled-back transaction may be gone with it: look again next time.
          if (!knownBefore) types.reset();
          try {
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            // The connection is unusable: have the pool discard it instead of reusing it.
            broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          }
          throw error;
        }
      } finally {
        if (pooled) {
          client.removeListener('error', onError);
          (client as PoolClient).release(broken);
        }
      }
    },
  };
}

export type { VectorTypeOids, VectorTypeOptions };
