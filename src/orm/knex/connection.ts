/**
 * Reading pgvector columns through Knex: register vecpg's parsers on each connection Knex's pool
 * creates, through the pool's `afterCreate` hook. Explicit, per connection: nothing global in
 * Knex or `pg` changes.
 */
import type { Knex } from 'knex';
import type { Client } from 'pg';
import { registerVectorTypes as registerTypes } from '../../drivers/pg.ts';
import {
  VECTOR_TYPES_SQL,
  type TypeRow,
  type VectorTypeOptions,
  arrayTextParsers,
  oidsFromRows,
  textParsers,
} from '../../drivers/vector-types.ts';
import { isVecpgError } from '../../errors.ts';

/** Knex's pool hook: called with each new raw connection and a node-style callback. */
export type AfterCreate = (connection: unknown, done: (error: Error | null, connection: unknown) => void) => void;

/**
 * A pool `afterCreate` hook that registers vecpg's type parsers on every new connection, then
 * calls `next` (your own hook) if given. Needs the `pg` client. The extension need not exist yet: on
 * a fresh database the connection is made all the same, and the parsers are registered on it as soon
 * as the extension exists (looked up before each statement until then), so the migration that runs
 * `createVectorExtension(knex)` goes through this same connection setup.
 *
 * @example
 * const db = knex({ client: 'pg', connection: url, pool: { afterCreate: registerVectorTypes() } });
 */
export function registerVectorTypes(options: VectorTypeOptions = {}, next?: AfterCreate): AfterCreate {
  return (connection, done) => {
    const finish = (): void => (next ? next(connection, done) : done(null, connection));
    registerTypes(connection as Client, options).then(finish, (error: unknown) => {
      if (isVecpgError(error) && error.code === 'EXTENSION_MISSING') {
        registerWhenCreated(connection as Client, options);
        finish();
      } else {
        done(error instanceof Error ? error : new Error(String(error)), connection);
      }
    });
  };
}

type QueryFn = (...args: unknown[]) => unknown;

/**
 * Until pgvector's types exist, look them up before each statement on this one connection (its own
 * `query`, nothing shared), register the parsers when found and step aside.
 */
function registerWhenCreated(client: Client, options: VectorTypeOptions): void {
  const original = client.query as unknown as QueryFn;
  const target = client as unknown as { query: QueryFn };
  const lookup = async (): Promise<void> => {
    try {
      const result = (await original.call(client, VECTOR_TYPES_SQL)) as { rows: TypeRow[] };
      const oids = oidsFromRows(result.rows);
      for (const [oid, parse] of [...textParsers(oids, options), ...arrayTextParsers(oids, options)])
        client.setTypeParser(oid, 'text', parse);
      delete (target as Partial<typeof target>).query; // back to pg's own method: no more lookups
    } catch {
      // not there yet (or the transaction is aborted): the statement itself runs and reports its own error
    }
  };
  target.query = function query(config: unknown, values?: unknown, callback?: unknown): unknown {
    // Streams and cursors (objects with submit) go straight through.
    if (typeof (config as { submit?: unknown } | null)?.submit === 'function')
      return original.call(client, config, values, callback);
    const cb = typeof values === 'function' ? values : callback;
    const params = typeof values === 'function' ? undefined : values;
    const result = lookup().then(() => original.call(client, config, params) as Promise<unknown>);
    if (typeof cb !== 'function') return result;
    result.then(
      (r) => (cb as (e: Error | null, r?: unknown) => void)(null, r),
      (e: unknown) => (cb as (e: Error) => void)(e instanceof Error ? e : new Error(String(e))),
    );
    return undefined;
  };
}

/**
 * A copy of a Knex config whose pool registers vecpg's type parsers on each connection (keeping
 * any `afterCreate` you already had, which runs after).
 *
 * @example
 * const db = knex(withVectorTypes({ client: 'pg', connection: process.env.DATABASE_URL }));
 */
export function withVectorTypes(config: Knex.Config, options: VectorTypeOptions = {}): Knex.Config {
  const pool = config.pool ?? {};
  const previous = pool.afterCreate as AfterCreate | undefined;
  return { ...config, pool: { ...pool, afterCreate: registerVectorTypes(options, previous) } };
}
