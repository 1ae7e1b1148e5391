/**
 * examples/prisma.ts — the Django walkthrough with Prisma — runs as written on both targets (the
 * server through @prisma/adapter-pg, PGlite through pglite-prisma-adapter), and docs/prisma.md shows
 * that same code (every TypeScript block of the doc is a verbatim excerpt of the example).
 */
import type { PGlite } from '@electric-sql/pglite';
import { SparseVector, cosineDistance } from 'vecpg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Prisma } from '../../examples/prisma.ts';
import { generate } from '../fixtures/prisma/generate.mjs';
import { describeEachTarget } from '../support/db.ts';
import { expectDocBlocksIn } from '../support/doc-blocks.ts';

it('docs/prisma.md shows the code of examples/prisma.ts', async () => {
  await expectDocBlocksIn('docs/prisma.md', 'examples/prisma.ts', { languages: ['ts'], minBlocks: 6 });
  // The schema blocks are the fixture schema's own models.
  await expectDocBlocksIn('docs/prisma.md', 'test/fixtures/prisma/schema.prisma', {
    languages: ['prisma'],
    minBlocks: 2,
  });
});

describeEachTarget('examples/prisma.ts', (db) => {
  let prisma: Prisma;
  beforeAll(async () => {
    await generate();
    const example = await import('../../examples/prisma.ts');
    prisma = example.connect(db().target === 'server' ? db().url! : (db().raw as PGlite));
    await example.migrate(prisma);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
  });

  it('runs the walkthrough and gets the seed’s answers', async () => {
    const { walkthrough } = await import('../../examples/prisma.ts');
    const r = await walkthrough(prisma);
    const server = await db().query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'");
    expect(r.version).toBe(server[0]?.v);
    const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
    const d = {
      'Sample A': cosineDistance(new SparseVector({ 0: 5.5, 42: 1.2 }, 10000), target),
      'Sample B': cosineDistance(new SparseVector({ 0: 1, 42: 5 }, 10000), target),
      'Sample C': cosineDistance(new SparseVector({ 7: 3 }, 10000), target),
    };
    expect(d['Sample C']).toBe(1); // no shared index
    expect(d['Sample A']).toBeLessThan(0.2);
    expect(d['Sample B']).toBeGreaterThan(0.2);
    expect(r.orderedItems.map((x) => x.name)).toEqual(['Sample A', 'Sample B', 'Sample C']);
    for (const row of r.orderedItems) expect(row.distance).toBeCloseTo(d[row.name as keyof typeof d], 5);
    expect(r.annotatedItems.map((x) => x.name).sort()).toEqual(['Sample A', 'Sample B', 'Sample C']);
    for (const row of r.annotatedItems) expect(row.distance).toBeCloseTo(d[row.name as keyof typeof d], 5);
    expect(r.similarItems.map((x) => x.name)).toEqual(['Sample A']);
    expect(r.nearestDocs.map((x) => [x.title, x.distance, x.embedding])).toEqual([
      ['My First Doc', 0, [0.5, 0.2, 0.9, 0.3].map(Math.fround)],
    ]);
    expect(r.exact.map((x) => x.name)).toEqual(['Sample A', 'Sample B']);
    expect(r.approximate.map((x) => x.name)).toEqual(['Sample A', 'Sample B']);
    expect(r.keys).toEqual({ 0: Math.fround(5.5), 42: Math.fround(1.2) });
    expect(r.stored).toBe('{1:5.5,43:1.2}/10000');
  });

  it('vectorMigrationSql is idempotent and leaves the HNSW index with its opclass', async () => {
    const { vectorMigrationSql } = await import('../../examples/prisma.ts');
    for (const s of vectorMigrationSql.split(';\n').filter((x) => x.trim() !== '')) await db().query(s);
    const idx = await db().query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE tablename = 'ScienceData' AND indexname LIKE '%hnsw%'",
    );
    expect(idx.map((r) => r.indexdef)).toEqual([
      'CREATE INDEX "ScienceData_features_hnsw_cosine_idx" ON public."ScienceData" USING hnsw (features sparsevec_cosine_ops)',
    ]);
  });
});
