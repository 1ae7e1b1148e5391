/**
 * "Adding pgvector to Django", step by step, with MikroORM 6 and vecpg (docs/mikro-orm.md shows this code).
 *
 *   DATABASE_URL=postgres://… npx tsx examples/mikro-orm.ts   # a server with pgvector
 *   npx tsx examples/mikro-orm.ts                             # embedded PGlite, nothing to set up
 */
import { EntitySchema } from '@mikro-orm/core';
import { Migration, Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SparseVector } from 'vecpg';
import {
  createVectorExtension,
  cosineDistance,
  dropVectorExtension,
  l2Distance,
  mikroOrmPglite,
  vectorSearch,
  requirePgvector,
  setVectorStorage,
  vectorIndex,
  vectorProperty,
} from 'vecpg/mikro-orm';

// Step 1: turn on the extension in a migration (Django's VectorExtension / RunSQL with a reverse).
export class EnableVector extends Migration {
  override async up(): Promise<void> {
    createVectorExtension(this); // CREATE EXTENSION IF NOT EXISTS vector
  }
  override async down(): Promise<void> {
    dropVectorExtension(this); // DROP EXTENSION IF EXISTS vector
  }
}

// Step 2: dense vectors. Django's VectorField(dimensions=4):
export interface Document {
  id: number;
  title: string;
  embedding: number[];
}
export const DocumentSchema = new EntitySchema<Document>({
  name: 'Document',
  tableName: 'documents',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    title: { type: 'string', length: 255 },
    embedding: vectorProperty('vector', 4),
  },
});

// Step 3: sparse vectors. Django's SparseVectorField(dimensions=10000), with an (optional) HNSW index:
export interface ScienceData {
  id: number;
  name: string;
  features: SparseVector;
}
export const ScienceDataSchema = new EntitySchema<ScienceData>({
  name: 'ScienceData',
  tableName: 'science_data',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    name: { type: 'string', length: 100 },
    features: vectorProperty('sparsevec', 10000),
  },
  indexes: [vectorIndex({ table: 'science_data', column: 'features', type: 'sparsevec', distance: 'cosine', method: 'hnsw' })],
});

// The tables' migration: what `npx mikro-orm migration:create` generates from the schemas, plus STORAGE MAIN.
export class CreateTables extends Migration {
  override async up(): Promise<void> {
    await requirePgvector(this.getEntityManager(), 'sparsevec'); // fails clearly below pgvector 0.7
    this.addSql('create table "documents" ("id" serial primary key, "title" varchar(255) not null, "embedding" vector(4) not null);');
    setVectorStorage(this, 'documents', 'embedding'); // STORAGE MAIN: vectors stay in the row
    this.addSql('create table "science_data" ("id" serial primary key, "name" varchar(100) not null, "features" sparsevec(10000) not null);');
    this.addSql(ScienceDataSchema.meta.indexes[0]!.expression as string);
  }
  override async down(): Promise<void> {
    this.addSql('drop table "science_data";');
    this.addSql('drop table "documents";');
  }
}

export const options: Options = {
  entities: [DocumentSchema, ScienceDataSchema],
  extensions: [Migrator],
  migrations: { migrationsList: [{ name: '0001_enable_vector', class: EnableVector }, { name: '0002_tables', class: CreateTables }] },
};

// Connect to the server at DATABASE_URL, or to an embedded PGlite.
export async function connect(): Promise<{ orm: MikroORM; close: () => Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const orm = await MikroORM.init({ ...options, driver: PostgreSqlDriver, clientUrl: process.env.DATABASE_URL });
    return { orm, close: () => orm.close() };
  }
  const { openPglite } = await import('vecpg/pglite');
  const { pglite } = await openPglite(); // embedded PostgreSQL with pgvector
  const orm = await MikroORM.init({ ...options, ...(await mikroOrmPglite(pglite)) });
  return { orm, close: async () => (await orm.close(), await pglite.close()) };
}

export async function walkthrough(orm: MikroORM) {
  await orm.migrator.up();
  const em = orm.em.fork();

  // Step 2: save a document with a plain array, like Document.objects.create(...).
  em.create(DocumentSchema, { title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3] });
  em.create(DocumentSchema, { title: 'My Second Doc', embedding: [0.1, 0.8, 0.1, 0.1] });

  // Step 3: sparse vectors: 0-based indices and the total dimension count.
  em.create(ScienceDataSchema, { name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) });
  em.create(ScienceDataSchema, { name: 'Sample B', features: new SparseVector({ 0: 1.0, 42: 5.0 }, 10000) });
  em.create(ScienceDataSchema, { name: 'Sample C', features: new SparseVector({ 7: 3.0 }, 10000) });
  await em.flush();
  em.clear(); // read back from the database below, not from the identity map

  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);

  // Query 1: just ordering (ScienceData.objects.order_by(CosineDistance('features', target))[:10]).
  const orderedItems = await em.find(ScienceDataSchema, {}, { orderBy: { [cosineDistance('features', target)]: 'asc' }, limit: 10 });

  // Query 2: just annotating (.annotate(distance=CosineDistance('features', target))).
  const annotatedItems = await em
    .createQueryBuilder(ScienceDataSchema)
    .select(['name', cosineDistance('features', target).as('distance')])
    .execute<Array<{ name: string; distance: number }>>();

  // Query 3: annotate, filter (distance__lt=0.2) and order by distance.
  const similarItems = await em
    .createQueryBuilder(ScienceDataSchema)
    .select(['name', cosineDistance('features', target).as('distance')])
    .where({ [cosineDistance('features', target)]: { $lt: 0.2 } })
    .orderBy({ [cosineDistance('features', target)]: 'asc' })
    .execute<Array<{ name: string; distance: number }>>();

  // The filter works in em.find too, with entities back:
  const similarEntities = await em.find(ScienceDataSchema, { [cosineDistance('features', target)]: { $lt: 0.2 } });

  // Dense vectors work the same way.
  const nearestDocs = await em.find(DocumentSchema, {}, { orderBy: { [l2Distance('embedding', [0.5, 0.2, 0.9, 0.3])]: 'asc' } });

  // Exact versus approximate: exact by default (the true top-k even with the HNSW index above)…
  const exact = await vectorSearch(em, ScienceDataSchema, { column: 'features', query: target, distance: 'cosine', k: 2 });
  // …or approximate, with HNSW settings applied by SET LOCAL inside a transaction.
  const approximate = await vectorSearch(em, ScienceDataSchema, {
    column: 'features',
    query: target,
    distance: 'cosine',
    k: 2,
    approximate: { efSearch: 100 },
  });

  // 0- versus 1-based: the object keeps 0-based indices; only PostgreSQL's text is 1-based.
  const [stored] = await em.execute<Array<{ text: string }>>("select features::text as text from science_data where name = 'Sample A'");

  return { orderedItems, annotatedItems, similarItems, similarEntities, nearestDocs, exact, approximate, stored };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { orm, close } = await connect();
  try {
    console.log(await walkthrough(orm));
  } finally {
    await close();
  }
}
