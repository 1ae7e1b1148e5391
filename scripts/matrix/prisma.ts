/**
 * Matrix smoke for vecpg/prisma: a Prisma Client generated offline (the `prisma-client` generator,
 * no engines: driver adapters), the migrations' SQL, the pgvector() client extension
 * (createWithVectors, nearest, findManyWithVectors), requirePgvector. scripts/matrix.mjs writes the
 * schema (model Item → matrix_items, vector fields as Unsupported) and generates ./generated.
 */
import {
  cosineDistance,
  l2Distance,
  maxInnerProduct,
  pgvector,
  requirePgvector,
  vectorExtensionMigration,
  vectorIndexMigration,
} from 'vecpg/prisma';
import { PrismaClient } from './generated/client.ts';
import * as c from './check.ts';

// Prisma's create cannot set Unsupported fields: createWithVectors creates, then sets the vectors
// in the same transaction, so the vector columns are nullable here.
const CREATE_TABLE = `CREATE TABLE ${c.TABLE} (id serial PRIMARY KEY, name text NOT NULL, embedding vector(3), features sparsevec(10))`;

type Adapter = ConstructorParameters<typeof PrismaClient>[0] extends infer O
  ? O extends { adapter?: infer A }
    ? NonNullable<A>
    : never
  : never;

async function scenario(url: string | undefined): Promise<void> {
  let adapter: Adapter;
  let closePglite = async (): Promise<void> => {};
  if (url) {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    adapter = new PrismaPg({ connectionString: url }) as unknown as Adapter;
  } else {
    const { openPglite } = await import('vecpg/pglite');
    // Not a static import: the Prisma 7.0 line has no pglite-prisma-adapter (its releases for 7 need 7.1).
    const adapterPackage: string = 'pglite-prisma-adapter';
    const { PrismaPGlite } = (await import(adapterPackage)) as { PrismaPGlite: new (pglite: unknown) => unknown };
    const { pglite } = await openPglite();
    adapter = new PrismaPGlite(pglite) as unknown as Adapter;
    closePglite = () => pglite.close();
  }
  const prisma = new PrismaClient({ adapter }).$extends(
    pgvector({
      Item: {
        table: c.TABLE, // the model's @@map
        vectors: { embedding: { type: 'vector', dimensions: 3 }, features: { type: 'sparsevec', dimensions: 10 } },
      },
    }),
  );
  try {
    await prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS ${c.TABLE}`);
    await prisma.$executeRawUnsafe(vectorExtensionMigration().up);
    c.expectVersion((await requirePgvector(prisma, ['sparsevec'])).version);
    await prisma.$executeRawUnsafe(CREATE_TABLE);
    for (const { name, embedding, features } of c.ITEMS)
      await prisma.item.createWithVectors({ data: { name }, vectors: { embedding, features } });
    const distances = { l2: l2Distance, cosine: cosineDistance, ip: maxInnerProduct };
    for (const metric of c.METRICS) {
      const rows = await prisma.item.nearest({ by: distances[metric]('embedding', c.QUERY), take: 4 });
      c.expectSearch(metric, rows);
    }
    const [d] = await prisma.item.findManyWithVectors({ where: { name: 'D' }, vectors: ['embedding', 'features'] });
    c.expectFeatures(d?.features);
    c.expectEmbedding(d?.embedding);
    c.expectStoredText((await prisma.$queryRawUnsafe<Array<{ text: string }>>(c.STORED_TEXT_SQL))[0]?.text);
    await prisma.$executeRawUnsafe(
      vectorIndexMigration({ table: c.TABLE, column: 'embedding', type: 'vector', distance: 'l2' }).up,
    );
    c.expectIndex((await prisma.$queryRawUnsafe<Array<{ indexdef: string }>>(c.INDEXES_SQL)).map((r) => r.indexdef));
  } finally {
    await prisma.$disconnect();
    await closePglite();
  }
}

await c.main('prisma', scenario);
