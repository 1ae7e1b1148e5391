/**
 * examples/knex.ts — the Django walkthrough with Knex and Objection — runs as written on PGlite and
 * the server, and docs/knex.md shows that same code (every TypeScript block of the doc is a
 * verbatim excerpt of the example).
 */
import type { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SparseVector, cosineDistance } from 'vecpg';
import { knexPglite, withVectorTypes } from 'vecpg/knex';
import { walkthrough } from '../../examples/knex.ts';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { expectDocBlocksIn } from '../support/doc-blocks.ts';

async function knexFor(t: TestDb): Promise<Knex> {
  if (t.target === 'pglite') return knexPglite(t.raw as PGlite);
  return knexFactory(withVectorTypes({ client: 'pg', connection: t.url!, pool: { min: 0, max: 4 } }));
}

it('docs/knex.md shows the code of examples/knex.ts', async () => {
  await expectDocBlocksIn('docs/knex.md', 'examples/knex.ts', { languages: ['ts'], minBlocks: 6 });
});

describeEachTarget('examples/knex.ts', (db) => {
  let knex: Knex;
  beforeAll(async () => {
    knex = await knexFor(db());
  });
  afterAll(async () => {
    await knex?.destroy();
  });

  it('runs the walkthrough and gets the seed’s answers', async () => {
    const r = await walkthrough(knex);
    const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
    const d = {
      'Sample A': cosineDistance(new SparseVector({ 0: 5.5, 42: 1.2 }, 10000), target),
      'Sample B': cosineDistance(new SparseVector({ 0: 1, 42: 5 }, 10000), target),
      'Sample C': cosineDistance(new SparseVector({ 7: 3 }, 10000), target),
    };
    expect(d['Sample C']).toBe(1); // no shared index
    expect(r.orderedItems.map((x) => x.name)).toEqual(['Sample A', 'Sample B', 'Sample C']);
    expect(r.annotatedItems).toHaveLength(3);
    for (const row of r.annotatedItems) expect(row.distance).toBeCloseTo(d[row.name as keyof typeof d], 5);
    expect(r.similarItems.map((x) => x.name)).toEqual(['Sample A']);
    expect(r.similarToo.map((x) => x.name)).toEqual(['Sample A']);
    expect(
      (r.nearestDocs as unknown as Array<{ title: string; distance: number }>).map((x) => [x.title, x.distance === 0]),
    ).toEqual([
      ['My First Doc', true],
      ['My Second Doc', false],
    ]);
    expect(r.exact.map((x) => x.name)).toEqual(['Sample A', 'Sample B']);
    expect(r.exact[0]!.features).toBeInstanceOf(SparseVector);
    expect(r.approximate.map((x) => x.name)).toEqual(['Sample A', 'Sample B']);
    expect(r.stored.text).toBe('{1:5.5,43:1.2}/10000');
  });
});
