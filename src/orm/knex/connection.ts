/**
 * Reading pgvector columns through Knex: register vecpg's parsers on each connection Knex's pool
 * creates, through the pool's `afterCreate` hook. Explicit, per connection: nothing global in
 * Knex or `pg` changes.
 */
import type { Knex } from 'knex';
import type { Client } from 'pg';
import { registerTypes } from '../../drivers/pg.ts';
import type { VectorTypeOptions } from '../../drivers/vector-types.ts';

/** Knex's pool hook: called with each new raw connection and a node-style callback. */
export type AfterCreate = (connection: unknown, done: (error: Error | null, connection: unknown) => void) => void;

/**
 * A pool `afterCreate` hook that registers vecpg's type parsers on every new connection, then
 * calls `next` (your own hook) if given. Needs the `pg` client and the extension installed in the
 * database (else the connection fails with EXTENSION_MISSING).
 *
 * @example
 * const db = knex({ client: 'pg', connection: url, pool: { afterCreate: registerVectorTypes() } });
 */
export function registerVectorTypes(options: VectorTypeOptions = {}, next?: AfterCreate): AfterCreate {
  return (connection, done) => {
    registerTypes(connection as Client, options).then(
      () => (next ? next(connection, done) : done(null, connection)),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error)), connection),
    );
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
