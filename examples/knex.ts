/**
 * "Adding pgvector to Django", step by step, with Knex (and Objection) and vecpg (docs/knex.md shows this code).
 *
 *   DATABASE_URL=postgres://… npx tsx examples/knex.ts   # a server with pgvector
 *   npx tsx examples/knex.ts                             # embedded PGlite, nothing to set up
 */
import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import { SparseVector } from 'vecpg';
import {
  applySimilarity,
  cosineDistance,
  createVectorExtension,
  createVectorIndex,
  dropVectorExtension,
  dropVectorIndex,
  formatVectorRow,
  knexPglite,
  vectorSearch,
  l2Distance,
  requirePgvector,
  setVectorStorage,
  vectorColumn,
  withVectorColumns,
  withVectorTypes,
} from 'vecpg/knex';

// Connect. `withVectorTypes` registers vecpg's parsers on each pooled connection (pool.afterCreate):
// vector columns come back as number[], sparsevec as SparseVector, bit as '0101' strings.
export async function connect(): Promise<{ knex: Knex; close: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const knex = knexFactory(withVectorTypes({ client: 'pg', connection: process.env.DATABASE_URL }));
    return { knex, close: () => knex.destroy() };
  }
  const { openPglite } = await import('vecpg/pglite');
  const { pglite } = await openPglite(); // embedded PostgreSQL with pgvector
  const knex = await knexPglite(pglite);
  return { knex, close: async () => (await knex.destroy(), await pglite.close()) };
}

// Step 1: turn on the extension in a migration (Django's VectorExtension / RunSQL with a reverse).
export const enableVector: Knex.Migration = {
  async up(knex) {
    await createVectorExtension(knex); // CREATE EXTENSION IF NOT EXISTS vector
    await requirePgvector(knex, 'sparsevec'); // fails clearly below pgvector 0.7
  },
  async down(knex) {
    await dropVectorExtension(knex); // DROP EXTENSION IF EXISTS vector
  },
};

// Steps 2 and 3: the tables. Django's VectorField(dimensions=4) and SparseVectorField(dimensions=10000).
export const createTables: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('documents', (t) => {
      t.increments('id');
      t.string('title', 255).notNullable();
      vectorColumn(t, 'embedding', 'vector', 4);
    });
    await setVectorStorage(knex, 'documents', 'embedding'); // STORAGE MAIN: vectors stay in the row
    await knex.schema.createTable('science_data', (t) => {
      t.increments('id');
      t.string('name', 100).notNullable();
      vectorColumn(t, 'features', 'sparsevec', 10000);
    });
  },
  async down(knex) {
    await knex.schema.dropTable('science_data');
    await knex.schema.dropTable('documents');
  },
};

// Optional: an approximate (HNSW) index. Searches stay exact unless you ask for approximate.
export const indexFeatures: Knex.Migration = {
  up: (knex) => createVectorIndex(knex, { table: 'science_data', column: 'features', type: 'sparsevec', distance: 'cosine', method: 'hnsw' }),
  down: (knex) => dropVectorIndex(knex, 'science_data_features_hnsw_cosine_idx'),
};

export const migrations: Record<string, Knex.Migration> = {
  '0001_enable_vector': enableVector,
  '0002_create_tables': createTables,
  '0003_index_features': indexFeatures,
};

// Objection models (optional): plain arrays and SparseVectors are converted for these columns.
export class Document extends withVectorColumns(Model, { embedding: { type: 'vector', dimensions: 4 } }) {
  static override tableName = 'documents';
  declare id: number;
  declare title: string;
  declare embedding: number[];
}

export async function walkthrough(knex: Knex) {
  await knex.migrate.latest({
    migrationSource: {
      getMigrations: async () => Object.keys(migrations),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => migrations[name]!,
    },
  });

  // Step 2: save a document with a plain array, like Document.objects.create(...).
  await knex('documents').insert(
    formatVectorRow({ title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3] }, { embedding: { type: 'vector', dimensions: 4 } }),
  );
  // …or through an Objection model:
  await Document.query(knex).insert({ title: 'My Second Doc', embedding: [0.1, 0.8, 0.1, 0.1] });

  // Step 3: sparse vectors: 0-based indices and the total dimension count.
  await knex('science_data').insert([
    { name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) },
    { name: 'Sample B', features: new SparseVector({ 0: 1.0, 42: 5.0 }, 10000) },
    { name: 'Sample C', features: new SparseVector({ 7: 3.0 }, 10000) },
  ]);

  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);

  // Query 1: just ordering (ScienceData.objects.order_by(CosineDistance('features', target))[:10]).
  const orderedItems = await knex('science_data')
    .select('name')
    .orderBy(cosineDistance(knex, 'features', target))
    .limit(10);

  // Query 2: just annotating (.annotate(distance=CosineDistance('features', target))).
  const annotatedItems = await knex('science_data').select('name', cosineDistance(knex, 'features', target, { as: 'distance' }));

  // Query 3: annotate, filter (distance__lt=0.2) and order by distance.
  const similarItems = await knex('science_data')
    .select('name', cosineDistance(knex, 'features', target, { as: 'distance' }))
    .where(cosineDistance(knex, 'features', target), '<', 0.2)
    .orderBy('distance');

  // The same three in one call, on any Knex or Objection query builder:
  const similarToo = await applySimilarity(knex('science_data').select('name'), knex, {
    column: 'features',
    query: target,
    distance: 'cosine',
    maxDistance: 0.2,
  });

  // Dense vectors work the same way; here with an Objection query.
  const nearestDocs = await Document.query(knex)
    .select('title', l2Distance(knex, 'embedding', [0.5, 0.2, 0.9, 0.3], { as: 'distance' }))
    .orderBy('distance');

  // Exact versus approximate: exact by default (the true top-k even with the HNSW index above)…
  const exact = await vectorSearch(knex, { table: 'science_data', column: 'features', query: target, distance: 'cosine', k: 2 });
  // …or approximate, with HNSW settings applied by SET LOCAL inside a transaction.
  const approximate = await vectorSearch(knex, {
    table: 'science_data',
    column: 'features',
    query: target,
    distance: 'cosine',
    k: 2,
    approximate: { efSearch: 100 },
  });

  // 0- versus 1-based: the object keeps 0-based indices; only PostgreSQL's text is 1-based.
  const stored = await knex('science_data').select(knex.raw('features::text AS text')).where('name', 'Sample A').first();

  return { orderedItems, annotatedItems, similarItems, similarToo, nearestDocs, exact, approximate, stored };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { knex, close } = await connect();
  try {
    console.log(await walkthrough(knex));
  } finally {
    await close();
  }
}
