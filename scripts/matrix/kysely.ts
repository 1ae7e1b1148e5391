/** Matrix smoke for vecpg/kysely: Migrator migrations, PgvectorPlugin, vectorSearch(). */
import { type Generated, Kysely, PostgresDialect, sql } from 'kysely';
import {
  type MigrationLike,
  PgliteDialect,
  PgvectorPlugin,
  type SparsevecColumn,
  type VectorColumn,
  vectorSearch,
  vectorExtensionMigration,
  requirePgvector,
  vectorIndexMigration,
} from 'vecpg/kysely';
import * as c from './check.ts';

/** The part of Kysely's Migrator the smoke uses (the same in 0.27, 0.28 and 0.29). */
type MigratorClass = new (options: {
  db: Kysely<Database>;
  provider: { getMigrations(): Promise<Record<string, MigrationLike>> };
}) => { migrateToLatest(): Promise<{ error?: unknown }> };

/**
 * Kysely 0.29 moved Migrator to 'kysely/migration' (its 'kysely' export is an error type); 0.27 and 0.28
 * have no such subpath. A consumer supporting all three finds it by feature: the subpath when it resolves.
 */
async function loadMigrator(): Promise<MigratorClass> {
  const subpath: string = 'kysely/migration';
  const mod = (await import(subpath).catch(() => import('kysely'))) as { Migrator: MigratorClass };
  return mod.Migrator;
}

interface Database {
  matrix_items: { id: Generated<number>; name: string; embedding: VectorColumn; features: SparsevecColumn };
}

async function scenario(url: string | undefined): Promise<void> {
  let db: Kysely<Database>;
  let register: () => Promise<unknown> = async () => undefined;
  if (url) {
    const pg = (await import('pg')).default;
    const { registerVectorTypes } = await import('vecpg/pg');
    const pool = new pg.Pool({ connectionString: url });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new PgvectorPlugin()] });
    register = () => registerVectorTypes(pool);
    await sql`DROP TABLE IF EXISTS kysely_migration, kysely_migration_lock, matrix_items`.execute(db);
  } else {
    const { openPglite } = await import('vecpg/pglite');
    const { pglite } = await openPglite();
    db = new Kysely<Database>({
      dialect: new PgliteDialect({ pglite, closeOnDestroy: true }),
      plugins: [new PgvectorPlugin()],
    });
  }
  try {
    const migrations = {
      '1_pgvector': vectorExtensionMigration(),
      '2_items': {
        async up(m: Kysely<unknown>) {
          await sql.raw(c.CREATE_TABLE).execute(m);
        },
      },
      '3_index': vectorIndexMigration({ table: c.TABLE, column: 'embedding', type: 'vector', distance: 'l2' }),
    };
    const Migrator = await loadMigrator();
    const { error } = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateToLatest();
    if (error) throw error;
    await register();
    c.expectVersion((await requirePgvector(db, 'sparsevec')).version);
    await db.insertInto('matrix_items').values(c.ITEMS).execute();
    for (const metric of c.METRICS) {
      c.expectSearch(
        metric,
        await vectorSearch(db, { table: 'matrix_items', column: 'embedding', query: c.QUERY, distance: metric, k: 4 }),
      );
    }
    const d = await db.selectFrom('matrix_items').selectAll().where('name', '=', 'D').executeTakeFirstOrThrow();
    c.expectFeatures(d.features);
    c.expectEmbedding(d.embedding);
    c.expectStoredText(
      (await sql<{ text: string }>`SELECT features::text AS text FROM matrix_items WHERE name = 'D'`.execute(db))
        .rows[0]?.text,
    );
    c.expectIndex(
      (
        await sql<{ indexdef: string }>`SELECT indexdef FROM pg_indexes WHERE tablename = 'matrix_items'`.execute(db)
      ).rows.map((r) => r.indexdef),
    );
  } finally {
    await db.destroy();
  }
}

await c.main('kysely', scenario);
