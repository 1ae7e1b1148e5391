/**
 * vecpg/prisma's aggregateVectors / groupByVectors (Prisma's aggregate / groupBy shapes) on PGlite and
 * the server, on the fixture schema's own tables: per-category avg and sum of Document.embedding
 * (vector(4)) and Item.half (halfvec(3), mapped column, string ids), read as `number[]`, checked against a
 * float64 oracle and pgvector's plain-SQL aggregate (test/support/aggregates.ts); each centroid as the query
 * of `nearest` finds the rows plain SQL finds; `where` narrows the rows; sparsevec and bit are refused.
 */
import { readFile } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { beforeAll, afterAll, expect, expectTypeOf, it } from 'vitest';
import { l2Distance, pgvector, vectorExtensionMigration } from 'vecpg/prisma';
import type { PrismaClient as GeneratedClient } from '../fixtures/prisma/generated/client.ts';
import { generate } from '../fixtures/prisma/generate.mjs';
import {
  type AggregateLayout,
  type DenseName,
  byCategory,
  checkAggregates,
  nearestIds,
  parseVectorText,
  seedAggregates,
  serverAggregates,
  type StoredRow,
} from '../support/aggregates.ts';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { codeOfRejection } from '../support/errors.ts';
import { pgliteAdapter } from '../support/prisma-pglite.ts';

const MIGRATIONS = new URL('../fixtures/prisma/migrations/', import.meta.url);

const config = {
  Document: { vectors: { embedding: { type: 'vector', dimensions: 4 } } },
  ScienceData: { vectors: { features: { type: 'sparsevec', dimensions: 10000 } } },
  Item: {
    table: 'vecpg_items',
    vectors: { half: { type: 'halfvec', dimensions: 3, column: 'half_vec' }, bits: { type: 'bit', dimensions: 8 } },
  },
} as const;

const DOCUMENTS: AggregateLayout = {
  table: '"Document"',
  category: 'category',
  vector: { column: 'embedding', dimensions: 4 },
  extra: { title: "'t'" },
};
const ITEMS: AggregateLayout = {
  table: 'vecpg_items',
  category: 'label',
  halfvec: { column: 'half_vec', dimensions: 3 },
  textIds: true,
};

async function openPrisma(db: TestDb) {
  await generate();
  const { PrismaClient } = (await import('../fixtures/prisma/generated/client.ts')) as {
    PrismaClient: typeof GeneratedClient;
  };
  const adapter =
    db.target === 'server' ? new PrismaPg({ connectionString: db.url! }) : pgliteAdapter(db.raw as PGlite);
  return new PrismaClient({ adapter }).$extends(pgvector(config));
}

async function applyMigrations(db: TestDb): Promise<void> {
  await db.query(vectorExtensionMigration().up);
  for (const m of ['20250101000000_init', '20250101000001_vector']) {
    const text = await readFile(new URL(`${m}/migration.sql`, MIGRATIONS), 'utf8');
    for (const statement of text.split(/;\s*$/m)) {
      const sql = statement.replace(/^--.*$/gm, '').trim();
      if (sql !== '') await db.query(sql);
    }
  }
}

describeEachTarget('prisma aggregates', (t) => {
  let prisma: Awaited<ReturnType<typeof openPrisma>>;
  let documents: StoredRow[] = [];
  let items: StoredRow[] = [];
  beforeAll(async () => {
    await applyMigrations(t());
    prisma = await openPrisma(t());
    documents = await seedAggregates(t(), DOCUMENTS);
    items = await seedAggregates(t(), ITEMS, 41);
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  it('groupByVectors: avg and sum of a vector field per category; each centroid finds what plain SQL finds', async () => {
    const groups = await prisma.document.groupByVectors({
      by: ['category'],
      _avg: { embedding: true },
      _sum: { embedding: true },
    });
    expectTypeOf(groups[0]!._avg.embedding).toEqualTypeOf<number[] | null>();
    expectTypeOf(groups[0]!.category).toEqualTypeOf<string>();
    // _count is Prisma's: every row of the group, including one whose vector is NULL.
    const counts = await t().query<{ category: string; n: string }>(
      'SELECT category, count(*)::text AS n FROM "Document" GROUP BY category',
    );
    expect(new Map(groups.map((g) => [g.category, g._count]))).toEqual(
      new Map(counts.map((c) => [c.category, Number(c.n)])),
    );
    for (const aggregate of ['avg', 'sum'] as const) {
      const got = byCategory(
        groups,
        (g) => g.category,
        (g) => (aggregate === 'avg' ? g._avg : g._sum).embedding,
      );
      checkAggregates(documents, aggregate, 'vector', got, await serverAggregates(t(), DOCUMENTS, aggregate, 'vector'));
    }
    for (const g of groups) {
      const found = await prisma.document.nearest({ by: l2Distance('embedding', g._avg.embedding!), take: 10 });
      expect(found.map((r) => r.id)).toEqual(await nearestIds(t(), DOCUMENTS, 'vector', g._avg.embedding!, 10));
    }
  });

  it('groupByVectors on a halfvec field with a mapped column and string ids', async () => {
    const groups = await prisma.item.groupByVectors({ by: ['label'], _avg: { half: true }, _sum: { half: true } });
    for (const aggregate of ['avg', 'sum'] as const) {
      const got = byCategory(
        groups,
        (g) => g.label,
        (g) => (aggregate === 'avg' ? g._avg : g._sum).half,
      );
      const type: DenseName = 'halfvec';
      checkAggregates(items, aggregate, type, got, await serverAggregates(t(), ITEMS, aggregate, type));
    }
    for (const g of groups) {
      const found = await prisma.item.nearest({ by: l2Distance('half', g._avg.half!), take: 10 });
      expect(found.map((r) => r.id)).toEqual(await nearestIds(t(), ITEMS, 'halfvec', g._avg.half!, 10));
    }
  });

  it("aggregateVectors: the whole table, or the rows Prisma's where selects", async () => {
    const all = await prisma.document.aggregateVectors({ _avg: { embedding: true } });
    const [plain] = await t().query<{ v: string; n: string }>(
      'SELECT avg(embedding)::text AS v, count(*)::text AS n FROM "Document"',
    );
    expect(all._avg.embedding).toEqual(parseVectorText(plain!.v));
    expect(all._count).toBe(Number(plain!.n));
    const beta = await prisma.document.aggregateVectors({ where: { category: 'beta' }, _sum: { embedding: true } });
    const sums = await serverAggregates(t(), DOCUMENTS, 'sum', 'vector');
    expect(beta._sum.embedding).toEqual(sums.get('beta'));
    const none = await prisma.document.aggregateVectors({ where: { category: 'none' }, _avg: { embedding: true } });
    expect(none).toEqual({ _avg: { embedding: null }, _sum: {}, _count: 0 });
  });

  it('refuses sparsevec and bit fields with UNSUPPORTED, and an empty pick', async () => {
    expect(await codeOfRejection(prisma.scienceData.aggregateVectors({ _avg: { features: true } }))).toBe(
      'UNSUPPORTED',
    );
    expect(await codeOfRejection(prisma.item.groupByVectors({ by: ['label'], _sum: { bits: true } }))).toBe(
      'UNSUPPORTED',
    );
    expect(await codeOfRejection(prisma.item.aggregateVectors({}))).toBe('INVALID_OPTION');
  });
});
