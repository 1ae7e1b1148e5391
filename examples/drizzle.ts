/**
 * "Adding pgvector to Django", step by step, with Drizzle ORM and vecpg/drizzle.
 * docs/drizzle.md shows this code; test/integration/drizzle-example.test.ts runs it.
 *
 *   npx tsx examples/drizzle.ts                          # embedded PostgreSQL (PGlite)
 *   DATABASE_URL=postgres://… npx tsx examples/drizzle.ts  # your server (node-postgres)
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { lt, sql } from 'drizzle-orm';
import { type PgDatabase, type PgQueryResultHKT, pgTable, serial, varchar } from 'drizzle-orm/pg-core';
import {
  SparseVector,
  cosineDistance,
  createVectorExtension,
  hnswIndex,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  vectorSearch,
  requirePgvector,
  sparsevec,
  vector,
} from 'vecpg/drizzle';

export const documents = pgTable('documents', {
  id: serial('id').primaryKey(),
  title: varchar('title', { length: 255 }).notNull(),
  embedding: vector('embedding', { dimensions: 4 }),
});

export const scienceData = pgTable(
  'science_data',
  {
    id: serial('id').primaryKey(),
    name: varchar('name', { length: 100 }).notNull(),
    features: sparsevec('features', { dimensions: 10000 }),
  },
  (t) => [hnswIndex(t.features, 'cosine')],
);

/** Any Drizzle PostgreSQL database: node-postgres, postgres-js or PGlite. */
export type Db = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/** Create the tables as `drizzle-kit generate` + `migrate` would (the same statements). */
async function createTables(db: Db): Promise<void> {
  const require = createRequire(import.meta.url);
  const kit = require('drizzle-kit/api') as typeof import('drizzle-kit/api');
  const statements = await kit.generateMigration(kit.generateDrizzleJson({}), kit.generateDrizzleJson({ documents, scienceData }));
  await db.execute(sql`DROP TABLE IF EXISTS documents, science_data`);
  for (const statement of statements) await db.execute(sql.raw(statement));
}

/** Runs the walkthrough and returns what it found, for the test to check. */
export async function walkthrough(db: Db, log: (...args: unknown[]) => void = console.log) {
  // 1. Enable the extension (in a project: the drizzle-kit custom migration) and check its version.
  await createVectorExtension(db);
  const info = await requirePgvector(db, 'sparsevec');
  log(`pgvector ${info.version}`);
  await createTables(db);

  // 2. Dense vectors: pass a plain array.
  await db.insert(documents).values({ title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3] });

  // 3. Sparse vectors: a SparseVector with 0-based keys and the total dimension count.
  await db.insert(scienceData).values({
    name: 'Sample A',
    // Pass the dictionary and the total dimension count (10000)
    features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000),
  });
  await db.insert(scienceData).values([
    { name: 'Sample B', features: new SparseVector({ 0: 1, 42: 5 }, 10000) },
    { name: 'Sample C', features: new SparseVector({ 7: 3 }, 10000) },
  ]);

  // 4. Querying. Pattern 1: just ordering.
  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
  const orderedItems = await db.select().from(scienceData).orderBy(cosineDistance(scienceData.features, target)).limit(10);

  // Pattern 2: just annotating.
  const annotatedItems = await db
    .select({ name: scienceData.name, distance: cosineDistance(scienceData.features, target) })
    .from(scienceData);

  // Pattern 3: annotate, filter and order.
  const distance = cosineDistance(scienceData.features, target);
  const similarItems = await db
    .select({ name: scienceData.name, distance })
    .from(scienceData)
    .where(lt(distance, 0.2)) // Only keep items with a distance less than 0.2
    .orderBy(distance); // Order from closest to furthest
  log('ordered:', orderedItems.map((r) => r.name));
  log('annotated:', annotatedItems.map((r) => `${r.name} ${r.distance.toFixed(4)}`));
  log('similar:', similarItems.map((r) => r.name));

  // 5. The other distances, same shape.
  const query = [0.5, 0.2, 0.9, 0.3];
  const [doc] = await db
    .select({
      title: documents.title,
      l2: l2Distance(documents.embedding, query),
      innerProduct: maxInnerProduct(documents.embedding, query),
      l1: l1Distance(documents.embedding, query),
    })
    .from(documents);
  log('distances:', doc);

  // 6. Exact by default, even with the HNSW index on science_data; approximate when asked.
  const exactTop = await vectorSearch(db, { table: scienceData, column: scienceData.features, query: target, distance: 'cosine', k: 2 });
  const approxTop = await vectorSearch(db, {
    table: scienceData,
    column: scienceData.features,
    query: target,
    distance: 'cosine',
    k: 2,
    approximate: { efSearch: 100 },
  });
  log('exact:', exactTop.map((r) => r.name), 'approximate:', approxTop.map((r) => r.name));

  // 7. 0-based in TypeScript, 1-based in PostgreSQL's text: vecpg shifts the keys for you.
  const myFeatures = new SparseVector({ 0: 1, 2: 2, 4: 3 }, 5);
  const stored = await db.execute<{ text: string }>(sql`SELECT ${myFeatures.toSql()}::sparsevec::text AS text`);
  const storedText = (Array.isArray(stored) ? stored : (stored as { rows: Array<{ text: string }> }).rows)[0]?.text;
  log(`${JSON.stringify(myFeatures.toObject())} is stored as ${storedText}`);

  return { version: info.version, orderedItems, annotatedItems, similarItems, doc, exactTop, approxTop, storedText };
}

async function main(): Promise<void> {
  if (process.env.DATABASE_URL) {
    const pg = (await import('pg')).default;
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
    try {
      await walkthrough(drizzle({ client: pool }));
    } finally {
      await pool.end();
    }
    return;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector: pgvector } = await import('@electric-sql/pglite-pgvector');
  const { drizzle } = await import('drizzle-orm/pglite');
  const pglite = await PGlite.create({ extensions: { vector: pgvector } });
  try {
    await walkthrough(drizzle({ client: pglite }));
  } finally {
    await pglite.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
