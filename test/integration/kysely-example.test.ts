/**
 * examples/kysely.ts (the Django walkthrough in Kysely) runs on both targets and finds what the
 * seed promises; every TypeScript block of docs/kysely.md is code from that example, verbatim.
 */
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { PgliteDialect, PgvectorPlugin } from 'vecpg/kysely';
import { registerVectorTypes as registerTypes } from 'vecpg/pg';
import { registerVectorTypes as registerPgliteTypes } from 'vecpg/pglite';
import { type Database, migrate, walkthrough } from '../../examples/kysely.ts';
import { describeEachTarget } from '../support/db.ts';
import { expectDocBlocksIn } from '../support/doc-blocks.ts';

it('every TypeScript block of docs/kysely.md is taken from examples/kysely.ts', async () => {
  await expectDocBlocksIn('docs/kysely.md', 'examples/kysely.ts', { languages: ['ts'], minBlocks: 5 });
});

describeEachTarget('kysely example', (tdb) => {
  it('migrates (twice) and runs the walkthrough', async () => {
    const t = tdb();
    // A database without pgvector: the first migration creates it.
    await t.query('DROP EXTENSION IF EXISTS vector');
    let db: Kysely<Database>;
    let register: () => Promise<unknown>;
    let pool: pg.Pool | undefined;
    if (t.target === 'pglite') {
      const pglite = t.raw as PGlite;
      db = new Kysely<Database>({ dialect: new PgliteDialect({ pglite }), plugins: [new PgvectorPlugin()] });
      register = () => registerPgliteTypes(pglite);
    } else {
      const p = new pg.Pool({ connectionString: t.url, max: 2 });
      pool = p;
      db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: p }), plugins: [new PgvectorPlugin()] });
      register = () => registerTypes(p);
    }
    try {
      await migrate(db);
      await migrate(db);
      await register();
      const lines: string[] = [];
      const r = await walkthrough(db, (...args) => lines.push(args.map(String).join(' ')));
      const server = await t.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`);
      expect(r.version).toBe(server[0]!.v);
      expect(r.orderedItems.map((x) => x.name)).toEqual(['Sample A', 'Sample B', 'Sample C']);
      expect(r.orderedItems[0]!.features.toObject()).toEqual({ 0: 5.5, 42: Math.fround(1.2) });
      expect(Object.fromEntries(r.annotatedItems.map((x) => [x.name, x.distance]))).toEqual({
        'Sample A': expect.closeTo(1 - 29.25 / Math.sqrt(31.69 * 27.01), 5),
        'Sample B': expect.closeTo(1 - 10.1 / Math.sqrt(26 * 27.01), 5),
        'Sample C': 1,
      });
      expect(r.similarItems.map((x) => x.name)).toEqual(['Sample A']);
      expect(r.doc).toEqual({ title: 'My First Doc', l2: 0, innerProduct: expect.closeTo(-1.19, 6), l1: 0 });
      expect(r.exactTop.map((x) => x.name)).toEqual(['Sample A', 'Sample B']);
      expect(r.approxTop.map((x) => x.name)).toEqual(['Sample A', 'Sample B']);
      expect(r.storedText).toBe('{1:1,3:2,5:3}/5');
      expect(lines.at(-1)).toBe('{"0":1,"2":2,"4":3} is stored as {1:1,3:2,5:3}/5');
      const storage = await t.query<{ s: string }>(
        `SELECT attstorage::text AS s FROM pg_attribute WHERE attrelid = 'documents'::regclass AND attname = 'embedding'`,
      );
      expect(storage[0]!.s).toBe('m');
      const idx = await t.query<{ def: string }>(
        `SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'science_data' AND indexname LIKE '%hnsw%'`,
      );
      expect(idx.map((i) => i.def)).toEqual([
        'CREATE INDEX science_data_features_hnsw_cosine_idx ON public.science_data USING hnsw (features sparsevec_cosine_ops)',
      ]);
    } finally {
      if (pool) await db.destroy();
    }
  });
});
