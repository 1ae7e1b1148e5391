/**
 * examples/mikro-orm.ts — the Django walkthrough with MikroORM — runs as written on PGlite and the
 * server; its hand-written migrations match the entity schemas (no diff afterwards); and
 * docs/mikro-orm.md shows that same code (every TypeScript block is an excerpt of the example).
 */
import type { PGlite } from '@electric-sql/pglite';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SparseVector, cosineDistance } from 'vecpg';
import { mikroOrmPglite } from 'vecpg/mikro-orm';
import { options, walkthrough } from '../../examples/mikro-orm.ts';
import { describeEachTarget } from '../support/db.ts';
import { expectDocBlocksIn } from '../support/doc-blocks.ts';

it('docs/mikro-orm.md shows the code of examples/mikro-orm.ts', async () => {
  await expectDocBlocksIn('docs/mikro-orm.md', 'examples/mikro-orm.ts', { languages: ['ts'], minBlocks: 6 });
});

describeEachTarget('examples/mikro-orm.ts', (db) => {
  let orm: MikroORM;
  beforeAll(async () => {
    const t = db();
    const target =
      t.target === 'pglite' ? await mikroOrmPglite(t.raw as PGlite) : { driver: PostgreSqlDriver, clientUrl: t.url! };
    orm = await MikroORM.init({ ...options, ...target });
  });
  afterAll(async () => {
    await orm?.close();
  });

  it('runs the walkthrough and gets the seed’s answers', async () => {
    const r = await walkthrough(orm);
    // the migrations create exactly what the entity schemas declare
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
    const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
    const d = {
      'Sample A': cosineDistance(new SparseVector({ 0: 5.5, 42: 1.2 }, 10000), target),
      'Sample B': cosineDistance(new SparseVector({ 0: 1, 42: 5 }, 10000), target),
      'Sample C': cosineDistance(new SparseVector({ 7: 3 }, 10000), target),
    };
    expect(d['Sample C']).toBe(1); // no shared index
    expect(r.orderedItems.map((x) => x.name)).toEqual(['Sample A', 'Sample B', 'Sample C']);
    expect(r.orderedItems[0]!.features).toBeInstanceOf(SparseVector);
    expect(r.annotatedItems).toHaveLength(3);
    for (const row of r.annotatedItems) expect(row.distance).toBeCloseTo(d[row.name as keyof typeof d], 5);
    expect(r.similarItems.map((x) => x.name)).toEqual(['Sample A']);
    expect(r.similarEntities.map((x) => x.name)).toEqual(['Sample A']);
    expect(r.nearestDocs.map((x) => x.title)).toEqual(['My First Doc', 'My Second Doc']);
    expect(r.nearestDocs[0]!.embedding).toEqual([0.5, 0.2, 0.9, 0.3].map(Math.fround));
    expect(r.exact.map((x) => [x.entity.name, x.distance])).toEqual([
      ['Sample A', expect.closeTo(d['Sample A'], 5)],
      ['Sample B', expect.closeTo(d['Sample B'], 5)],
    ]);
    expect(r.approximate.map((x) => x.entity.name)).toEqual(['Sample A', 'Sample B']);
    expect(r.stored?.text).toBe('{1:5.5,43:1.2}/10000');
  });
});
