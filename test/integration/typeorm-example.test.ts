import type { PGlite } from '@electric-sql/pglite';
import { isSparseVector, isVecpgError } from 'vecpg';
import { pgliteOptions, requirePgvector } from 'vecpg/typeorm';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDataSource, walkthrough } from '../../examples/typeorm.ts';
import { describeEachTarget } from '../support/db.ts';
import { expectDocBlocksIn } from '../support/doc-blocks.ts';

const norm = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0));
// Hand-derived cosine distances of the Django walkthrough's samples to the target {0: 5.1, 42: 1.0}.
const cosine = {
  'Sample A': 1 - (5.5 * 5.1 + 1.2 * 1.0) / (norm([5.5, 1.2]) * norm([5.1, 1])),
  'Sample B': 1 - 5.1 / (norm([1, 1]) * norm([5.1, 1])),
  'Sample C': 1 - 3 / (3 * norm([5.1, 1])),
};

describeEachTarget('typeorm example (docs/typeorm.md)', (db) => {
  let ds: DataSource;
  const extension = async () =>
    (await db().query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`))[0]?.v;
  beforeAll(async () => {
    const t = db();
    ds = createDataSource(t.target === 'server' ? { type: 'postgres', url: t.url! } : pgliteOptions(t.raw as PGlite));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  it('the migrations create what the entities declare: no diff, storage MAIN, the HNSW index with its opclass', async () => {
    const ran = await ds.runMigrations();
    expect(ran.map((m) => m.name)).toEqual(['EnableVector1700000000000', 'CreateTables1700000000001']);
    expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
    const storage = await db().query<{ a: string; s: string }>(
      `SELECT attname AS a, attstorage AS s FROM pg_attribute WHERE attrelid IN ('document'::regclass, 'science_data'::regclass) AND attname IN ('embedding', 'features') ORDER BY 1`,
    );
    expect(storage).toEqual([
      { a: 'embedding', s: 'm' },
      { a: 'features', s: 'm' },
    ]);
    const index = await db().query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'science_data_features_hnsw'`,
    );
    expect(index[0]?.indexdef).toContain('USING hnsw (features sparsevec_cosine_ops)');
  });

  it("runs the walkthrough with the seed's results", async () => {
    const r = await walkthrough(ds);
    expect(r.orderedItems.map((x) => x.name)).toEqual(['Sample A', 'Sample B', 'Sample C']);
    expect(isSparseVector(r.orderedItems[0]!.features)).toBe(true);
    for (const { entity, distance } of r.annotatedItems)
      expect(distance).toBeCloseTo(cosine[entity.name as keyof typeof cosine], 5);
    expect(r.similarItems.map((x) => x.entity.name)).toEqual(['Sample A']);
    // [0.5,0.2,0.9,0.3] against itself and [0.4,0.3,0.8,0.2]
    expect(r.others.l2.map((x) => x.distance)).toEqual([0, expect.closeTo(0.2, 6)]);
    expect(r.others.maxInnerProduct.map((x) => x.distance)).toEqual([
      expect.closeTo(-1.19, 6),
      expect.closeTo(-1.04, 6),
    ]);
    expect(r.others.l1.map((x) => x.distance)).toEqual([0, expect.closeTo(0.4, 6)]);
    // '10100000' against '10110000' (1 bit apart; 2 shared of 3 set) and '10100011' (2 apart; 2 of 4)
    expect(r.others.hamming.map((x) => [x.entity.title, x.distance])).toEqual([
      ['My First Doc', 1],
      ['Second Doc', 2],
    ]);
    expect(r.others.jaccard.map((x) => x.distance)).toEqual([expect.closeTo(1 / 3, 6), expect.closeTo(0.5, 6)]);
    expect(r.exact.map((x) => x.entity.name)).toEqual(['Sample A', 'Sample B']);
    expect(r.approximate.map((x) => x.entity.name)).toEqual(['Sample A', 'Sample B']);
    expect(r.stored.text).toBe('{1:5.5,43:1.2}/10000');
    expect(r.info.version).toBe(await extension());
  });

  it('the extension migration is reversible and the version check fails clearly without it', async () => {
    await ds.undoLastMigration();
    await ds.undoLastMigration();
    expect(await extension()).toBeUndefined();
    const error = await requirePgvector(ds, 'sparsevec').catch((e: unknown) => e);
    expect(isVecpgError(error) && error.code).toBe('EXTENSION_MISSING');
    await ds.runMigrations();
    expect((await requirePgvector(ds, 'iterativeScan')).version).toBe(await extension());
  });
});

it('every code block of docs/typeorm.md is in examples/typeorm.ts, which the tests above run', async () => {
  await expectDocBlocksIn('docs/typeorm.md', 'examples/typeorm.ts', { languages: ['ts'], minBlocks: 11 });
});
