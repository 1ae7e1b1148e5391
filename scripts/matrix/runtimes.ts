/** Matrix smoke for the core with each driver: vecpg/pglite, and on a server vecpg/pg and vecpg/postgres. */
import { Vector, type VecpgDb, createExtensionSql, createIndexSql, extensionInfo, search } from 'vecpg';
import * as c from './check.ts';

async function exercise(db: VecpgDb): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${c.TABLE}`);
  await db.query(createExtensionSql());
  c.expectVersion((await extensionInfo(db)).version);
  await db.query(c.CREATE_TABLE);
  for (const item of c.ITEMS) {
    await db.query(`INSERT INTO ${c.TABLE} (name, embedding, features) VALUES ($1, $2, $3)`, [
      item.name,
      new Vector(item.embedding),
      item.features,
    ]);
  }
  for (const metric of c.METRICS) {
    c.expectSearch(
      metric,
      await search(db, { table: c.TABLE, column: 'embedding', query: c.QUERY, distance: metric, k: 4 }),
    );
  }
  const [d] = await db.query<{ embedding: unknown; features: unknown }>(
    `SELECT embedding, features FROM ${c.TABLE} WHERE name = 'D'`,
  );
  c.expectFeatures(d?.features);
  c.expectEmbedding(d?.embedding);
  c.expectStoredText((await db.query<{ text: string }>(c.STORED_TEXT_SQL))[0]?.text);
  await db.query(createIndexSql({ table: c.TABLE, column: 'embedding', type: 'vector', distance: 'l2' }));
  c.expectIndex((await db.query<{ indexdef: string }>(c.INDEXES_SQL)).map((r) => r.indexdef));
}

async function scenario(url: string | undefined): Promise<void> {
  if (!url) {
    const { openPglite } = await import('vecpg/pglite');
    const db = await openPglite();
    try {
      await exercise(db);
    } finally {
      await db.pglite.close();
    }
    return;
  }
  const pg = (await import('pg')).default;
  const { wrapPg } = await import('vecpg/pg');
  const pool = new pg.Pool({ connectionString: url });
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS vector');
    await exercise(await wrapPg(pool));
  } finally {
    await pool.end();
  }
  const postgres = (await import('postgres')).default;
  const { wrapPostgres } = await import('vecpg/postgres');
  const sql = postgres(url, { onnotice: () => {} });
  try {
    await exercise(await wrapPostgres(sql));
  } finally {
    await sql.end();
  }
}

await c.main('runtimes', scenario);
