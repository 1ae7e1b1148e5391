/**
 * "Adding pgvector to Django", step by step, with Prisma 7 and vecpg (docs/prisma.md shows this code).
 *
 *   node test/fixtures/prisma/generate.mjs                        # generate the Prisma Client (offline)
 *   npx tsx examples/prisma.ts                                    # embedded PGlite, in memory
 *   DATABASE_URL=postgres://… npx tsx examples/prisma.ts          # a server with pgvector
 *
 * The schema is test/fixtures/prisma/schema.prisma; its migrations are in test/fixtures/prisma/migrations.
 */
import { readFile, readdir } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { SparseVector } from 'vecpg';
import {
  requirePgvector,
  cosineDistance,
  vectorExtensionMigration,
  vectorIndexMigration,
  l2Distance,
  pgvector,
  vectorStorageMigration,
} from 'vecpg/prisma';
import { PrismaClient } from '../test/fixtures/prisma/generated/client.ts';

// Step 1: the migration that enables pgvector (or declare `extensions = [vector]` in the datasource).
// Create it with `npx prisma migrate dev --create-only --name vector` and paste this SQL:
export const vectorMigrationSql = [
  vectorExtensionMigration().up, // CREATE EXTENSION IF NOT EXISTS vector;
  vectorStorageMigration('Document', 'embedding').up, // keep vectors in the row: faster exact scans
  vectorIndexMigration({ table: 'ScienceData', column: 'features', type: 'sparsevec', distance: 'cosine' }).up,
].join('');
// …and add the index to the model so `prisma migrate dev` keeps it:
export const scienceDataIndexLine = vectorIndexMigration({
  table: 'ScienceData',
  column: 'features',
  type: 'sparsevec',
  distance: 'cosine',
}).schema;
// '@@index([features], map: "ScienceData_features_hnsw_cosine_idx")'

// Step 2: the extended client, on a server or on embedded PGlite (with pgvector loaded).
// Keys are model names; each lists its Unsupported("…") vector fields.
export function connect(database: string | PGlite) {
  const adapter =
    typeof database === 'string' ? new PrismaPg({ connectionString: database }) : new PrismaPGlite(database);
  return new PrismaClient({ adapter }).$extends(
    pgvector({
      Document: { vectors: { embedding: { type: 'vector', dimensions: 4 } } },
      ScienceData: { vectors: { features: { type: 'sparsevec', dimensions: 10000 } } },
    }),
  );
}
export type Prisma = ReturnType<typeof connect>;

export async function walkthrough(prisma: Prisma) {
  // Step 3: check the installed pgvector (sparsevec needs 0.7.0).
  const { version } = await requirePgvector(prisma, ['sparsevec']);

  // Step 4: dense vectors — pass a plain array.
  await prisma.document.createWithVectors({
    data: { title: 'My First Doc' },
    vectors: { embedding: [0.5, 0.2, 0.9, 0.3] },
  });

  // Step 5: sparse vectors — 0-based indices and the total dimension count.
  await prisma.scienceData.createWithVectors({
    data: { name: 'Sample A' },
    vectors: { features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) },
  });
  await prisma.scienceData.createWithVectors({
    data: { name: 'Sample B' },
    vectors: { features: new SparseVector({ 0: 1, 42: 5 }, 10000) },
  });
  await prisma.scienceData.createWithVectors({
    data: { name: 'Sample C' },
    vectors: { features: new SparseVector({ 7: 3 }, 10000) },
  });

  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);

  // Query 1: just ordering.
  const orderedItems = await prisma.scienceData.nearest({
    by: cosineDistance('features', target),
    take: 10,
  });

  // Query 2: just annotating (Prisma's own order and filters; each row gets `distance`).
  const annotatedItems = await prisma.scienceData.withDistance({
    by: cosineDistance('features', target),
  });

  // Query 3: annotate, filter on the distance, and order by it.
  const similarItems = await prisma.scienceData.nearest({
    by: cosineDistance('features', target),
    distance: { lt: 0.2 },
  });

  // Any Prisma `where` works alongside the distance, and vectors can be read back.
  const nearestDocs = await prisma.document.nearest({
    by: l2Distance('embedding', [0.5, 0.2, 0.9, 0.3]),
    where: { title: { startsWith: 'My' } },
    vectors: ['embedding'],
  });

  // Exact vs approximate: exact by default, even with the HNSW index present…
  const exact = await prisma.scienceData.nearest({ by: cosineDistance('features', target), take: 2 });
  // …or ask for the index, with settings applied by SET LOCAL in a transaction.
  const approximate = await prisma.scienceData.nearest({
    by: cosineDistance('features', target),
    take: 2,
    approximate: { efSearch: 100, iterativeScan: 'relaxed_order' },
  });

  // 0-indexing vs 1-indexing: read back as a SparseVector with the keys you wrote.
  const [sampleA] = await prisma.scienceData.findManyWithVectors({
    where: { name: 'Sample A' },
    vectors: ['features'],
  });
  const keys = sampleA?.features?.toObject(); // { 0: 5.5, 42: 1.2 }
  // PostgreSQL stores '{1:5.5,43:1.2}/10000'.
  const stored = await prisma.$queryRaw<
    Array<{ text: string }>
  >`SELECT features::text AS text FROM "ScienceData" WHERE name = 'Sample A'`;

  return {
    version,
    orderedItems,
    annotatedItems,
    similarItems,
    nearestDocs,
    exact,
    approximate,
    keys,
    stored: stored[0]?.text,
  };
}

/** Apply the migrations in order, as `prisma migrate deploy` would (the schema engine is not needed for this). */
export async function migrate(prisma: Prisma, dir = new URL('../test/fixtures/prisma/migrations/', import.meta.url)) {
  for (const name of (await readdir(dir)).sort()) {
    const sql = await readFile(new URL(`${name}/migration.sql`, dir), 'utf8');
    for (const statement of sql.split(/;\s*$/m).map((s) => s.replace(/^--.*$/gm, '').trim())) {
      if (statement !== '') await prisma.$executeRawUnsafe(statement);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { openPglite } = await import('vecpg/pglite');
  const embedded = process.env.DATABASE_URL ? undefined : await openPglite();
  const prisma = connect(embedded?.pglite ?? process.env.DATABASE_URL!);
  await migrate(prisma);
  console.dir(await walkthrough(prisma), { depth: 4 });
  await prisma.$disconnect();
  await embedded?.pglite.close();
}
