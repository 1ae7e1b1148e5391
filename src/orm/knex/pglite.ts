/**
 * Knex on the embedded PGlite: a small Knex client class (Knex's own PostgreSQL dialect, with
 * queries sent to one PGlite instance instead of a `pg` connection). Nothing global changes: the
 * class is handed to `knex({ client })`, and rows are parsed by the parsers vecpg registers on
 * that PGlite instance only.
 */
import type { Knex } from 'knex';
import { registerPgliteTypesWhenCreated } from '../../drivers/pglite.ts';
import { importDriver } from '../../drivers/optional-import.ts';
import type { PgliteLike } from '../../drivers/pglite-like.ts';
import { VecpgError } from '../../errors.ts';

interface KnexQueryObject {
  sql?: string;
  bindings?: unknown[];
  method?: string;
  response?: unknown;
}

interface PgLikeResponse {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: unknown[];
}

/** The SQL command tag knex's PostgreSQL dialect expects on a `pg` result. */
function commandOf(obj: KnexQueryObject): string {
  switch (obj.method) {
    case 'select':
    case 'first':
    case 'pluck':
      return 'SELECT';
    case 'insert':
      return 'INSERT';
    case 'update':
    case 'counter':
      return 'UPDATE';
    case 'del':
      return 'DELETE';
    default:
      return (/^\s*([A-Za-z]+)/.exec(obj.sql ?? '')?.[1] ?? '').toUpperCase();
  }
}

function hasToPostgres(v: unknown): v is { toPostgres(): unknown } {
  return typeof v === 'object' && v !== null && typeof (v as { toPostgres?: unknown }).toPostgres === 'function';
}

type KnexModule = typeof import('knex');
/** A Knex client class (what `knex({ client })` accepts). */
export type ClientClass = new (config: Knex.Config) => Knex.Client;

async function knexPostgresDialect(): Promise<ClientClass> {
  // Knex's PostgreSQL dialect (CommonJS, no exports map): reused for SQL generation.
  const mod = await importDriver<{ default: ClientClass }>('knex/lib/dialects/postgres/index.js', 'vecpg/knex', [
    'knex',
  ]);
  return mod.default;
}

/**
 * A Knex client class sending every query to one PGlite instance, built on a Knex PostgreSQL
 * dialect class (`Base`): Knex's own, or an ORM's subclass of it (MikroORM's).
 *
 * @example
 * const Client = pgliteClientClass(pglite, PostgreSqlKnexDialect);
 * const db = knex({ client: Client, connection: {}, pool: { min: 1, max: 1 } });
 */
export function pgliteClientClass(pglite: PgliteLike, Base: ClientClass): ClientClass {
  const connection = { pglite };
  return class PgliteKnexClient extends (Base as unknown as new (config: Knex.Config) => Record<string, unknown>) {
    dialect = 'postgresql';
    driverName = 'pglite';
    _driver(): unknown {
      return {};
    }
    async acquireRawConnection(): Promise<unknown> {
      return connection;
    }
    async destroyRawConnection(): Promise<void> {}
    validateConnection(): boolean {
      return !pglite.closed;
    }
    async checkVersion(): Promise<string> {
      const r = await pglite.query<{ v: string }>('SHOW server_version');
      return r.rows[0]?.v ?? '';
    }
    async _query(_conn: unknown, obj: KnexQueryObject): Promise<KnexQueryObject> {
      if (!obj.sql) throw new Error('The query is empty');
      // A fresh database: pgvector's parsers are registered as soon as a migration created the extension.
      await registerPgliteTypesWhenCreated(pglite);
      const bindings = obj.bindings ?? [];
      const toResponse = (result: { rows: unknown[]; affectedRows?: number; fields: unknown[] }): PgLikeResponse => ({
        rows: result.rows,
        rowCount: result.affectedRows ?? result.rows.length,
        command: commandOf(obj),
        fields: result.fields,
      });
      let response: PgLikeResponse | PgLikeResponse[];
      if (bindings.length === 0) {
        // Like pg's simple query protocol: several statements are allowed (schema generators send them).
        const results = (await pglite.exec(obj.sql)).map(toResponse);
        response = results.length === 1 ? results[0]! : results;
      } else {
        // Like node-postgres: a value with a toPostgres() hook (vecpg's Vector, SparseVector…) is sent as its text.
        const params = bindings.map((v) => (hasToPostgres(v) ? v.toPostgres() : v));
        response = toResponse(await pglite.query(obj.sql, params));
      }
      obj.response = response;
      return obj;
    }
    _stream(): never {
      throw new VecpgError('UNSUPPORTED', 'streaming is not supported by the PGlite Knex client');
    }
  } as unknown as ClientClass;
}

/**
 * A Knex instance on an embedded PGlite with the pgvector plugin loaded (e.g. from `openPglite`; the
 * extension may be created later, by a migration: the parsers are registered once it exists). One connection: PGlite runs one statement at a time. vecpg's parsers are registered
 * on this instance, so vector columns come back as `number[]`, sparsevec as `SparseVector`.
 *
 * @example
 * const { pglite } = await openPglite();
 * const knex = await knexPglite(pglite);
 * await knex.schema.createTable('items', (t) => vectorColumn(t, 'embedding', 'vector', 3));
 */
export async function knexPglite(
  pglite: PgliteLike,
  config: Omit<Knex.Config, 'client' | 'connection'> = {},
): Promise<Knex> {
  const Client = pgliteClientClass(pglite, await knexPostgresDialect());
  const { default: knex } = await importDriver<{ default: KnexModule['knex'] }>('knex', 'vecpg/knex');
  await registerPgliteTypesWhenCreated(pglite);
  return knex({
    ...config,
    client: Client as unknown as typeof Knex.Client,
    connection: {},
    pool: { min: 1, max: 1, ...config.pool },
  });
}
