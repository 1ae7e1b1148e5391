/**
 * Matrix smoke for vecpg/knex with Objection: knex migrations (extension, table, HNSW index) from a
 * database without pgvector, withVectorTypes / knexPglite, an Objection model, vectorSearch().
 */
import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import type { SparseVector } from 'vecpg';
import {
  createVectorExtension,
  createVectorIndex,
  knexPglite,
  pgvectorInfo,
  requirePgvector,
  vectorColumn,
  vectorSearch,
  withVectorColumns,
  withVectorTypes,
} from 'vecpg/knex';
import * as c from './check.ts';

class Item extends withVectorColumns(Model, {
  embedding: { type: 'vector', dimensions: 3 },
  features: { type: 'sparsevec', dimensions: 10 },
}) {
  static override tableName = c.TABLE;
  declare id: number;
  declare name: string;
  declare embedding: number[];
  declare features: SparseVector;
}

const migrations: Record<string, Knex.Migration> = {
  '1_pgvector': {
    async up(knex) {
      await createVectorExtension(knex);
      await requirePgvector(knex, 'sparsevec');
    },
    async down() {},
  },
  '2_items': {
    async up(knex) {
      await knex.schema.createTable(c.TABLE, (t) => {
        t.increments('id');
        t.text('name').notNullable();
        vectorColumn(t, 'embedding', 'vector', 3).notNullable();
        vectorColumn(t, 'features', 'sparsevec', 10).notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable(c.TABLE);
    },
  },
  '3_index': {
    up: (knex) => createVectorIndex(knex, { table: c.TABLE, column: 'embedding', type: 'vector', distance: 'l2' }),
    async down() {},
  },
};

async function scenario(url: string | undefined): Promise<void> {
  let knex: Knex;
  let closePglite = async (): Promise<void> => {};
  if (url) {
    // The trial's failure: on a database without the extension, the pool's type registration must
    // not stop the migration that creates it. Start from a database without pgvector.
    const setup = knexFactory({ client: 'pg', connection: url });
    await setup.raw(`DROP TABLE IF EXISTS knex_migrations, knex_migrations_lock, ${c.TABLE}`);
    await setup.raw('DROP EXTENSION IF EXISTS vector CASCADE');
    await setup.destroy();
    knex = knexFactory(withVectorTypes({ client: 'pg', connection: url }));
  } else {
    const { openPglite } = await import('vecpg/pglite');
    const { pglite } = await openPglite();
    knex = await knexPglite(pglite);
    closePglite = () => pglite.close();
  }
  try {
    await knex.migrate.latest({
      migrationSource: {
        getMigrations: async () => Object.keys(migrations),
        getMigrationName: (name: string) => name,
        getMigration: async (name: string) => migrations[name]!,
      },
    });
    c.expectVersion((await pgvectorInfo(knex)).version);
    await Item.query(knex).insert(c.ITEMS);
    for (const metric of c.METRICS) {
      c.expectSearch(
        metric,
        await vectorSearch<{ name: string }>(knex, {
          table: c.TABLE,
          column: 'embedding',
          query: c.QUERY,
          distance: metric,
          k: 4,
        }),
      );
    }
    // Read back through a fresh pooled connection and through the model.
    const d = await Item.query(knex).findOne({ name: 'D' });
    c.expectFeatures(d?.features);
    c.expectEmbedding(d?.embedding);
    const stored = (await knex.raw(c.STORED_TEXT_SQL)) as { rows: Array<{ text: string }> };
    c.expectStoredText(stored.rows[0]?.text);
    const indexes = (await knex.raw(c.INDEXES_SQL)) as { rows: Array<{ indexdef: string }> };
    c.expectIndex(indexes.rows.map((r) => r.indexdef));
  } finally {
    await knex.destroy();
    await closePglite();
  }
}

await c.main('knex', scenario);
