/**
 * examples/drizzle.ts (the Django walkthrough in Drizzle) runs on both targets and finds what the
 * seed promises; every TypeScript block of docs/drizzle.md is code from that example, verbatim.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Pool } from 'pg';
import { expect, it } from 'vitest';
import { type Db, walkthrough } from '../../examples/drizzle.ts';
import { describeEachTarget } from '../support/db.ts';
import { expectDocBlocksIn } from '../support/doc-blocks.ts';

it('every TypeScript block of docs/drizzle.md is taken from examples/drizzle.ts', async () => {
  await expectDocBlocksIn('docs/drizzle.md', 'examples/drizzle.ts', { languages: ['ts'], minBlocks: 5 });
});

describeEachTarget('drizzle example', (tdb) => {
  it('runs the walkthrough', async () => {
    const t = tdb();
    const db = (t.target === 'pglite'
      ? (await import('drizzle-orm/pglite')).drizzle({ client: t.raw as PGlite })
      : (await import('drizzle-orm/node-postgres')).drizzle({ client: t.raw as Pool })) as unknown as Db;
    const lines: string[] = [];
    const r = await walkthrough(db, (...args) => lines.push(args.map(String).join(' ')));
    const server = await t.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`);
    expect(r.version).toBe(server[0]!.v);
    // cos(A, T) ≈ 0.99977, cos(B, T) ≈ 0.381, C shares no index with T.
    expect(r.orderedItems.map((x) => x.name)).toEqual(['Sample A', 'Sample B', 'Sample C']);
    expect(r.orderedItems[0]!.features!.toObject()).toEqual({ 0: 5.5, 42: Math.fround(1.2) });
    expect(Object.fromEntries(r.annotatedItems.map((x) => [x.name, x.distance]))).toEqual({
      'Sample A': expect.closeTo(1 - 29.25 / Math.sqrt(31.69 * 27.01), 5),
      'Sample B': expect.closeTo(1 - 10.1 / Math.sqrt(26 * 27.01), 5),
      'Sample C': 1,
    });
    expect(r.similarItems.map((x) => x.name)).toEqual(['Sample A']);
    // The query equals the stored document: l2 0, inner product -(0.25+0.04+0.81+0.09), l1 0.
    expect(r.doc).toEqual({ title: 'My First Doc', l2: 0, innerProduct: expect.closeTo(-1.19, 6), l1: 0 });
    expect(r.exactTop.map((x) => x.name)).toEqual(['Sample A', 'Sample B']);
    expect(r.approxTop.map((x) => x.name)).toEqual(['Sample A', 'Sample B']);
    expect(r.storedText).toBe('{1:1,3:2,5:3}/5');
    expect(lines.at(-1)).toBe('{"0":1,"2":2,"4":3} is stored as {1:1,3:2,5:3}/5');
  });
});
