/**
 * "Adding pgvector to Django", step by step, with Kysely and vecpg/kysely.
 * docs/kysely.md shows this code; test/integration/kysely-example.test.ts runs it.
 *
 *   npx tsx examples/kysely.ts                          # embedded PostgreSQL (PGlite), no server
 *   DATABASE_URL=postgres://… npx tsx examples/kysely.ts  # your server (PostgresDialect)
 */
import { pathToFileURL } from 'node:url';
import { type Generated, Kysely, type Migration, Migrator, PostgresDialect, sql } from 'kysely';
import {
  PgliteDialect,
  PgvectorPlugin,
  SparseVector,
  type SparsevecColumn,
  type VectorColumn,
  cosineDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  vectorSearch,
  vectorExtensionMigration,
  requirePgvector,
  setVectorStorage,
  vectorDataType,
  vectorIndexMigration,
} from 'vecpg/kysely';

export interface Database {
  documents: { id: Generated<number>; title: string; embedding: VectorColumn };
  science_data: { id: Generated<number>; name: string; features: SparsevecColumn };
}

export const migrations: Record<string, Migration> = {
  '0001_pgvector': vectorExtensionMigration(),
  '0002_documents': {
    async up(db) {
      await db.schema
        .createTable('documents')
        .addColumn('id', 'serial', (col) => col.primaryKey())
        .addColumn('title', 'varchar(255)', (col) => col.notNull())
        .addColumn('embedding', vectorDataType('vector', 4), (col) => col.notNull())
        .execute();
      await setVectorStorage(db, 'documents', 'embedding');
    },
    async down(db) {
      await db.schema.dropTable('documents').execute();
    },
  },
  '0003_science_data': {
    async up(db) {
      await db.schema
        .createTable('science_data')
        .addColumn('id', 'serial', (col) => col.primaryKey())
        .addColumn('name', 'varchar(100)', (col) => col.notNull())
        .addColumn('features', vectorDataType('sparsevec', 10000), (col) => col.notNull())
        .execute();
    },
    async down(db) {
      await db.schema.dropTable('science_data').execute();
    },
  },
  '0004_science_data_hnsw': vectorIndexMigration({ table: 'science_data', column: 'features', type: 'sparsevec', distance: 'cosine' }),
};

/** Apply the migrations (idempotent: a second run does nothing). */
export async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

/** Runs the walkthrough on migrated tables and returns what it found, for the test to check. */
export async function walkthrough(db: Kysely<Database>, log: (...args: unknown[]) => void = console.log) {
  const info = await requirePgvector(db, 'sparsevec');
  log(`pgvector ${info.version}`);

  // Dense vectors: pass a plain array.
  await db.insertInto('documents').values({ title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3] }).execute();

  // Sparse vectors: a SparseVector with 0-based keys and the total dimension count.
  await db
    .insertInto('science_data')
    .values({
      name: 'Sample A',
      // Pass the dictionary and the total dimension count (10000)
      features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000),
    })
    .execute();
  await db
    .insertInto('science_data')
    .values([
      { name: 'Sample B', features: new SparseVector({ 0: 1, 42: 5 }, 10000) },
      { name: 'Sample C', features: new SparseVector({ 7: 3 }, 10000) },
    ])
    .execute();

  // 1. Just ordering.
  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
  const orderedItems = await db.selectFrom('science_data').selectAll().orderBy(cosineDistance('features', target)).limit(10).execute();

  // 2. Just annotating.
  const annotatedItems = await db
    .selectFrom('science_data')
    .select(['name', cosineDistance('features', target).as('distance')])
    .execute();

  // 3. Annotate, filter and order.
  const distance = cosineDistance('features', target);
  const similarItems = await db
    .selectFrom('science_data')
    .select(['name', distance.as('distance')])
    .where(distance, '<', 0.2) // Only keep items with a distance less than 0.2
    .orderBy('distance') // Order from closest to furthest
    .execute();
  log('ordered:', orderedItems.map((r) => r.name));
  log('annotated:', annotatedItems.map((r) => `${r.name} ${r.distance.toFixed(4)}`));
  log('similar:', similarItems.map((r) => r.name));

  // The other distances.
  const query = [0.5, 0.2, 0.9, 0.3];
  const doc = await db
    .selectFrom('documents')
    .select([
      'title',
      l2Distance('embedding', query).as('l2'),
      maxInnerProduct('embedding', query).as('innerProduct'),
      l1Distance('embedding', query).as('l1'),
    ])
    .executeTakeFirstOrThrow();
  log('distances:', doc);

  // Exact by default, even with the HNSW index; approximate when asked.
  const exactTop = await vectorSearch(db, { table: 'science_data', column: 'features', query: target, distance: 'cosine', k: 2 });
  const approxTop = await vectorSearch(db, {
    table: 'science_data',
    column: 'features',
    query: target,
    distance: 'cosine',
    k: 2,
    approximate: { efSearch: 100 },
  });
  log('exact:', exactTop.map((r) => r.name), 'approximate:', approxTop.map((r) => r.name));

  // 0-based in TypeScript, 1-based in PostgreSQL's text.
  const myFeatures = new SparseVector({ 0: 1, 2: 2, 4: 3 }, 5);
  const { rows } = await sql<{ text: string }>`SELECT ${myFeatures}::sparsevec::text AS text`.execute(db);
  const storedText = rows[0]?.text;
  log(`${JSON.stringify(myFeatures.toObject())} is stored as ${storedText}`);

  return { version: info.version, orderedItems, annotatedItems, similarItems, doc, exactTop, approxTop, storedText };
}

async function main(): Promise<void> {
  if (process.env.DATABASE_URL) {
    const pg = (await import('pg')).default;
    const { registerVectorTypes } = await import('vecpg/pg');
    const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new PgvectorPlugin()] });
    try {
      await migrate(db);
      await registerVectorTypes(pool); // after the extension exists: vectors come back as number[] / SparseVector
      await walkthrough(db);
    } finally {
      await db.destroy();
    }
    return;
  }
  const { openPglite } = await import('vecpg/pglite');
  const { pglite } = await openPglite();
  const db = new Kysely<Database>({ dialect: new PgliteDialect({ pglite, closeOnDestroy: true }), plugins: [new PgvectorPlugin()] });
  try {
    await migrate(db);
    await walkthrough(db);
  } finally {
    await db.destroy();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
