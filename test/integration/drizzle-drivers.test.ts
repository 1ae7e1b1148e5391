/**
 * vecpg/drizzle on the drivers the main suite does not cover: postgres-js (server), and a PGlite
 * the application created itself without vecpg's parsers (values arrive as pgvector text and the
 * columns decode them). Round trip of every type and the Django walkthrough's filtered query on each.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector as pgliteVector } from '@electric-sql/pglite-pgvector';
import { asc, lt } from 'drizzle-orm';
import { type PgDatabase, type PgQueryResultHKT, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SparseVector } from 'vecpg';
import {
  bit,
  cosineDistance,
  createVectorExtension,
  halfvec,
  hammingDistance,
  l2Distance,
  vectorSearch,
  sparsevec,
  vector,
} from 'vecpg/drizzle';
import { describeEachTarget, pgliteTemplate } from '../support/db.ts';

const things = pgTable('things', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  embedding: vector('embedding', { dimensions: 3 }),
  half: halfvec('half', { dimensions: 3 }),
  features: sparsevec('features', { dimensions: 1000 }),
  hash: bit('hash', { dimensions: 4 }),
});

const DDL = `CREATE TABLE things (id serial PRIMARY KEY, name text NOT NULL, embedding vector(3), half halfvec(3), features sparsevec(1000), hash bit(4))`;

type Db = PgDatabase<PgQueryResultHKT>;

function suite(getDb: () => Db): void {
  it('round trip of every type', async () => {
    await getDb()
      .insert(things)
      .values([
        {
          name: 'x',
          embedding: [1, 0, 0],
          half: [1, 0.5, 0],
          features: new SparseVector({ 0: 5.5, 999: 1.25 }, 1000),
          hash: '1100',
        },
        { name: 'y', embedding: [0, 1, 0], half: [0, 1, 0], features: new SparseVector({ 1: 2 }, 1000), hash: '0011' },
        {
          name: 'z',
          embedding: [0.9, 0.1, 0],
          half: [0, 0, 1],
          features: new SparseVector({ 0: 5, 999: 1 }, 1000),
          hash: '1110',
        },
      ]);
    const rows = await getDb().select().from(things).orderBy(asc(things.id));
    expect(rows[0]).toMatchObject({ name: 'x', embedding: [1, 0, 0], half: [1, 0.5, 0], hash: '1100' });
    const f = rows[0]!.features!;
    expect(f).toBeInstanceOf(SparseVector);
    expect([f.indices, f.values, f.dimensions]).toEqual([[0, 999], [5.5, 1.25], 1000]);
    expect(rows[2]!.embedding).toEqual([0.9, 0.1, 0].map(Math.fround));
  });

  it('annotate, filter on a threshold and order (sparse cosine, dense l2, bit hamming)', async () => {
    const target = new SparseVector({ 0: 5.1, 999: 1 }, 1000);
    const d = cosineDistance(things.features, target);
    const rows = await getDb().select({ name: things.name, d }).from(things).where(lt(d, 0.2)).orderBy(d);
    // z = (5, 1) is almost parallel to (5.1, 1): distance ≈ 4e-6; x = (5.5, 1.25): ≈ 4.5e-4; y is orthogonal (1).
    expect(rows.map((r) => r.name)).toEqual(['z', 'x']);
    const dz = 1 - (5 * 5.1 + 1) / Math.sqrt(26 * 27.01);
    expect(rows[0]!.d).toBeCloseTo(dz, 5);

    const dense = await getDb()
      .select({ name: things.name, d: l2Distance(things.embedding, [1, 0, 0]) })
      .from(things)
      .orderBy(l2Distance(things.embedding, [1, 0, 0]));
    expect(dense.map((r) => [r.name, r.d])).toEqual([
      ['x', 0],
      ['z', expect.closeTo(Math.sqrt(0.01 + 0.01), 5)],
      ['y', expect.closeTo(Math.SQRT2, 5)],
    ]);
    const bits = await getDb()
      .select({ name: things.name, h: hammingDistance(things.hash, '1100') })
      .from(things)
      .orderBy(asc(things.id));
    expect(bits.map((r) => r.h)).toEqual([0, 4, 1]);
  });

  it('nearest() exact and approximate', async () => {
    const exact = await vectorSearch(getDb(), {
      table: things,
      column: things.embedding,
      query: [0, 1, 0],
      distance: 'cosine',
      k: 2,
    });
    expect(exact.map((r) => r.name)).toEqual(['y', 'z']);
    const approx = await vectorSearch(getDb(), {
      table: things,
      column: things.embedding,
      query: [0, 1, 0],
      distance: 'cosine',
      k: 2,
      approximate: { efSearch: 10 },
    });
    expect(approx.map((r) => r.name)).toEqual(['y', 'z']);
  });
}

describeEachTarget('drizzle drivers', (tdb, target) => {
  if (target === 'server') {
    // postgres-js, the third Drizzle PostgreSQL driver.
    let db: Db;
    let close: () => Promise<void> = async () => {};
    beforeAll(async () => {
      await tdb().query(DDL);
      const postgres = (await import('postgres')).default;
      const { drizzle } = await import('drizzle-orm/postgres-js');
      const client = postgres(tdb().url!, { max: 2, onnotice: () => {} });
      close = () => client.end();
      db = drizzle({ client });
    });
    afterAll(() => close());
    suite(() => db);
  } else {
    // A PGlite the application opened itself, with no vecpg parsers registered.
    let db: Db;
    let pglite: PGlite;
    beforeAll(async () => {
      pglite = await PGlite.create({ extensions: { vector: pgliteVector }, loadDataDir: await pgliteTemplate() });
      const { drizzle } = await import('drizzle-orm/pglite');
      db = drizzle({ client: pglite });
      await createVectorExtension(db);
      await pglite.exec(DDL);
    });
    afterAll(() => pglite.close());
    suite(() => db);
  }
});
