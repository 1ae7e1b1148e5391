/** Matrix smoke for vecpg/drizzle: vector/sparsevec columns, createVectorExtension, vectorSearch(). */
import { eq, sql } from 'drizzle-orm';
import { type PgDatabase, type PgQueryResultHKT, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { createIndexSql } from 'vecpg';
import { createVectorExtension, vectorSearch, requirePgvector, sparsevec, vector } from 'vecpg/drizzle';
import * as c from './check.ts';

const items = pgTable(c.TABLE, {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  embedding: vector('embedding', { dimensions: 3 }).notNull(),
  features: sparsevec('features', { dimensions: 10 }).notNull(),
});

type Db = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

async function rowsOf<R>(db: Db, text: string): Promise<R[]> {
  const result = (await db.execute(sql.raw(text))) as unknown as { rows: R[] };
  return result.rows;
}

async function exercise(db: Db): Promise<void> {
  await db.execute(sql.raw(`DROP TABLE IF EXISTS ${c.TABLE}`));
  await createVectorExtension(db);
  c.expectVersion((await requirePgvector(db, 'sparsevec')).version);
  await db.execute(sql.raw(c.CREATE_TABLE));
  await db.insert(items).values(c.ITEMS);
  for (const metric of c.METRICS) {
    c.expectSearch(
      metric,
      await vectorSearch(db, { table: items, column: items.embedding, query: c.QUERY, distance: metric, k: 4 }),
    );
  }
  const [d] = await db.select().from(items).where(eq(items.name, 'D'));
  c.expectFeatures(d?.features);
  c.expectEmbedding(d?.embedding);
  c.expectStoredText((await rowsOf<{ text: string }>(db, c.STORED_TEXT_SQL))[0]?.text);
  await db.execute(sql.raw(createIndexSql({ table: c.TABLE, column: 'embedding', type: 'vector', distance: 'l2' })));
  c.expectIndex((await rowsOf<{ indexdef: string }>(db, c.INDEXES_SQL)).map((r) => r.indexdef));
}

async function scenario(url: string | undefined): Promise<void> {
  if (url) {
    const pg = (await import('pg')).default;
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.Pool({ connectionString: url });
    try {
      await exercise(drizzle(pool));
    } finally {
      await pool.end();
    }
    return;
  }
  const { openPglite } = await import('vecpg/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { pglite } = await openPglite();
  try {
    await exercise(drizzle(pglite));
  } finally {
    await pglite.close();
  }
}

await c.main('drizzle', scenario);
