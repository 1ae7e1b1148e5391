/**
 * MikroORM on the embedded PGlite, handed to MikroORM through `driverOptions`: on MikroORM 6 its
 * own PostgreSQL Knex dialect with queries sent to one PGlite instance (MikroORM reuses a Knex
 * instance it is given there), on MikroORM 7 vecpg's Kysely dialect for PGlite (MikroORM 7 runs on
 * Kysely and reuses a dialect it is given). Nothing global changes.
 */
import { registerPgliteTypesWhenCreated } from '../../drivers/pglite.ts';
import { importDriver } from '../../drivers/optional-import.ts';
import type { PgliteLike } from '../../drivers/pglite-like.ts';
import { type ClientClass, pgliteClientClass } from '../knex/pglite.ts';

type MikroPostgres = typeof import('@mikro-orm/postgresql');

/** The part of a MikroORM config that points it at PGlite: spread it into `MikroORM.init({...})`. */
export interface PgliteMikroOptions {
  driver: MikroPostgres['PostgreSqlDriver'];
  dbName: string;
  driverOptions: Record<string, unknown>;
}

/**
 * MikroORM options for an embedded PGlite with the pgvector plugin loaded (e.g. from `openPglite`;
 * the extension may be created later by a migration: the parsers are registered once it exists). One connection: PGlite runs one statement at a time. `orm.close()` ends the
 * Knex pool but leaves the PGlite instance open (it is yours).
 *
 * @example
 * const { pglite } = await openPglite();
 * const orm = await MikroORM.init({ ...(await mikroOrmPglite(pglite)), entities: [Document] });
 */
export async function mikroOrmPglite(pglite: PgliteLike): Promise<PgliteMikroOptions> {
  const mod = await importDriver<MikroPostgres>('@mikro-orm/postgresql', 'vecpg/mikro-orm');
  await registerPgliteTypesWhenCreated(pglite);
  if (typeof (mod as Partial<MikroPostgres>).knex !== 'function') {
    // MikroORM 7: no Knex; it takes a Kysely dialect (Kysely is its own dependency).
    const { PgliteDialect } = await import('../kysely/pglite-dialect.ts');
    const dialect = new PgliteDialect({ pglite });
    return {
      driver: mod.PostgreSqlDriver,
      dbName: 'postgres',
      driverOptions: dialect as unknown as Record<string, unknown>,
    };
  }
  const Client = pgliteClientClass(pglite, mod.PostgreSqlKnexDialect as unknown as ClientClass);
  const knex = mod.knex({ client: Client as never, connection: {}, pool: { min: 1, max: 1 } });
  return {
    driver: mod.PostgreSqlDriver,
    dbName: 'postgres',
    driverOptions: knex as unknown as Record<string, unknown>,
  };
}
