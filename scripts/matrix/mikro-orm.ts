/**
 * Matrix smoke for vecpg/mikro-orm: vectorProperty columns, migration helpers in a Migration class
 * (requirePgvector on its entity manager), pgvectorInfo, vectorSearch() exact and approximate.
 */
import { EntitySchema, type Opt } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/postgresql';
import type { SparseVector } from 'vecpg';
import {
  type MigrationLike,
  createVectorExtension,
  createVectorIndex,
  mikroOrmPglite,
  vectorSearch,
  pgvectorInfo,
  requirePgvector,
  vectorProperty,
} from 'vecpg/mikro-orm';
import * as c from './check.ts';

interface Item {
  id: Opt<number>;
  name: string;
  embedding: number[];
  features: SparseVector;
}

const ItemSchema = new EntitySchema<Item>({
  name: 'Item',
  tableName: c.TABLE,
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    name: { type: 'string' },
    embedding: vectorProperty('vector', 3),
    features: vectorProperty('sparsevec', 10),
  },
});

/** A migration as the docs write it: the helpers take the migration, requirePgvector its entity manager. */
class PgvectorMigration extends Migration {
  override async up(): Promise<void> {
    createVectorExtension(this);
    await requirePgvector(this.getEntityManager(), 'sparsevec');
  }
}

/** The SQL a migration helper adds, collected to run here. */
function sqlOf(add: (migration: MigrationLike) => void): string[] {
  const statements: string[] = [];
  add({ addSql: (s) => statements.push(s) });
  return statements;
}

async function scenario(url: string | undefined): Promise<void> {
  let closePglite = async (): Promise<void> => {};
  let orm: MikroORM;
  if (url) {
    orm = await MikroORM.init({ clientUrl: url, entities: [ItemSchema] });
  } else {
    const { openPglite } = await import('vecpg/pglite');
    const { pglite } = await openPglite();
    closePglite = () => pglite.close();
    orm = await MikroORM.init({ ...(await mikroOrmPglite(pglite)), entities: [ItemSchema] });
  }
  try {
    const em = orm.em.fork();
    await em.execute(`DROP TABLE IF EXISTS ${c.TABLE}`);
    for (const s of sqlOf((m) => createVectorExtension(m))) await em.execute(s);
    c.expectVersion((await pgvectorInfo(em)).version);
    // MikroORM 6 gives a migration's entity manager Knex, 7 Kysely: requirePgvector works on both.
    const migration = new PgvectorMigration(orm.em.getDriver(), orm.config);
    await migration.up();
    const queued = migration.getQueries();
    if (queued.length !== 1 || !/CREATE EXTENSION IF NOT EXISTS/.test(String(queued[0])))
      throw new Error(`the migration queued ${JSON.stringify(queued.map(String))}`);
    await em.execute(c.CREATE_TABLE);
    for (const item of c.ITEMS) em.create(ItemSchema, { ...item });
    await em.flush();
    for (const metric of c.METRICS) {
      const rows = await vectorSearch(orm.em.fork(), ItemSchema, {
        column: 'embedding',
        query: c.QUERY,
        distance: metric,
        k: 4,
      });
      c.expectSearch(
        metric,
        rows.map((r) => ({ name: r.entity.name, distance: r.distance })),
      );
    }
    const d = await orm.em.fork().findOneOrFail(ItemSchema, { name: 'D' });
    c.expectFeatures(d.features);
    c.expectEmbedding(d.embedding);
    c.expectStoredText((await em.execute<Array<{ text: string }>>(c.STORED_TEXT_SQL))[0]?.text);
    for (const s of sqlOf((m) =>
      createVectorIndex(m, { table: c.TABLE, column: 'embedding', type: 'vector', distance: 'l2' }),
    ))
      await em.execute(s);
    c.expectIndex((await em.execute<Array<{ indexdef: string }>>(c.INDEXES_SQL)).map((r) => r.indexdef));
    // Approximate: SET LOCAL hnsw.ef_search inside em.transactional, the index answers (all 4 rows: ef_search > 4).
    const approximate = await vectorSearch(orm.em.fork(), ItemSchema, {
      column: 'embedding',
      query: c.QUERY,
      distance: 'l2',
      k: 4,
      approximate: { efSearch: 40 },
    });
    c.expectSearch(
      'l2',
      approximate.map((r) => ({ name: r.entity.name, distance: r.distance })),
    );
  } finally {
    await orm.close();
    await closePglite();
  }
}

await c.main('mikro-orm', scenario);
