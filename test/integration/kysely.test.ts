/**
 * vecpg/kysely on embedded PGlite (vecpg's PgliteDialect) and on the server (Kysely's
 * PostgresDialect over a pg.Pool with vecpg's parsers): columns, the Django walkthrough's three query patterns
 * with the six distances on dense, sparse and bit columns (generated SQL and rows), exact versus
 * approximate search with an index present, and the PGlite dialect's transactions.
 * Expected distances are derived by hand from the inputs.
 */
import type { PGlite } from '@electric-sql/pglite';
import { type CompiledQuery, type Generated, Kysely, type LogEvent, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Bit, HalfVector, SparseVector, Vector } from 'vecpg';
import {
  type BitColumn,
  type HalfvecColumn,
  PgliteDialect,
  PgvectorPlugin,
  type SparsevecColumn,
  type VectorColumn,
  cosineDistance,
  exact,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  vectorSearch,
  pgvectorInfo,
  requirePgvector,
  vectorDataType,
  withSearchSettings,
} from 'vecpg/kysely';
import { registerVectorTypes } from 'vecpg/pg';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { evaluations, explainScansWithoutSeqScan } from '../support/explain.ts';

interface Database {
  documents: { id: Generated<number>; title: string; embedding: VectorColumn<null>; half: HalfvecColumn<null> };
  science_data: { id: Generated<number>; name: string; features: SparsevecColumn<null> };
  images: { id: Generated<number>; name: string; hash: BitColumn<null> };
  points: { id: number; cluster: number; embedding: VectorColumn };
  legs: { id: number; distance: number; embedding: VectorColumn };
}

/** Every statement the Kysely instances below ran, in order. */
const executed: CompiledQuery[] = [];
const log = (event: LogEvent): void => {
  if (event.level === 'query') executed.push(event.query);
};

/** Kysely the documented way: PgliteDialect on embedded PGlite, PostgresDialect + registerTypes on a server. */
async function kyselyFor(t: TestDb): Promise<{ db: Kysely<Database>; close: () => Promise<void> }> {
  if (t.target === 'pglite') {
    const db = new Kysely<Database>({
      dialect: new PgliteDialect({ pglite: t.raw as PGlite }),
      plugins: [new PgvectorPlugin()],
      log,
    });
    return { db, close: () => db.destroy() };
  }
  const pool = new pg.Pool({ connectionString: t.url, max: 3 });
  await registerVectorTypes(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new PgvectorPlugin()], log });
  return { db, close: () => db.destroy() };
}

const TARGET = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);

describeEachTarget('kysely', (tdb) => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await kyselyFor(tdb()));
    await db.schema
      .createTable('documents')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('embedding', vectorDataType('vector', 4))
      .addColumn('half', vectorDataType('halfvec', 4))
      .execute();
    await db.schema
      .createTable('science_data')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('features', vectorDataType('sparsevec', 10000))
      .execute();
    await db.schema
      .createTable('images')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('hash', vectorDataType('bit', 8))
      .execute();
  });
  afterAll(() => close());

  it('writes every input form; reads number[], SparseVector and bit strings', async () => {
    const inserted = await db
      .insertInto('documents')
      .values([
        { title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3], half: [0.5, 0.2, 0.9, 0.3] },
        { title: 'class', embedding: new Vector([1, 0, 0, 0]), half: new HalfVector([0, 1, 0, 0]) },
        { title: 'typed', embedding: Float32Array.from([0, 0, 1, 0]), half: Float64Array.from([0, 0, 0, 1]) },
      ])
      .returningAll()
      .execute();
    expect(inserted.map((r) => r.embedding)).toEqual([
      [0.5, 0.2, 0.9, 0.3].map(Math.fround),
      [1, 0, 0, 0],
      [0, 0, 1, 0],
    ]);
    // float16: 0.2 → 1638/1024 × 2⁻³, 0.9 → 1843/2048, 0.3 → 1229/4096.
    expect(inserted[0]!.half).toEqual([0.5, 0.199951171875, 0.89990234375, 0.300048828125]);

    await db
      .insertInto('science_data')
      .values([
        { name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) },
        { name: 'Sample B', features: { indices: [42, 0], values: [5, 1], dimensions: 10000 } },
        { name: 'Sample C', features: new SparseVector({ 1: 3 }, 10000) },
        { name: 'Sample D', features: new SparseVector({ 0: 5.1, 42: 1.0 }, 10000) },
      ])
      .execute();
    const rows = await db.selectFrom('science_data').select(['name', 'features']).orderBy('id').execute();
    const b = rows[1]!.features!;
    expect(b).toBeInstanceOf(SparseVector);
    expect([b.indices, b.values, b.dimensions]).toEqual([[0, 42], [1, 5], 10000]);
    const text = await sql<{ t: string }>`SELECT features::text AS t FROM science_data WHERE name = 'Sample A'`.execute(
      db,
    );
    expect(text.rows[0]!.t).toBe('{1:5.5,43:1.2}/10000');

    await db
      .insertInto('images')
      .values([
        { name: 'same', hash: '11110000' },
        { name: 'half', hash: new Bit('11111111') },
        { name: 'opposite', hash: '00001111' },
      ])
      .execute();
    const bits = await db.selectFrom('images').select('hash').orderBy('id').execute();
    expect(bits.map((r) => r.hash)).toEqual(['11110000', '11111111', '00001111']);

    await db
      .updateTable('documents')
      .set({ embedding: [0, 0, 1, 0] })
      .where('title', '=', 'typed')
      .execute();
  });

  it('pattern 1: order by distance (sparse, cosine)', async () => {
    const query = db.selectFrom('science_data').select('name').orderBy(cosineDistance('features', TARGET)).limit(10);
    expect(query.compile().sql).toBe(
      'select "name" from "science_data" order by ("features" <=> $1::sparsevec) limit $2',
    );
    expect(query.compile().parameters).toEqual(['{1:5.1,43:1}/10000', 10]);
    // cos(A, T) = 29.25 / (√31.69 · √27.01) ≈ 0.99977; cos(B, T) = 10.1 / (√26 · √27.01) ≈ 0.3811; C ⟂ T.
    expect((await query.execute()).map((r) => r.name)).toEqual(['Sample D', 'Sample A', 'Sample B', 'Sample C']);
  });

  it('pattern 2: annotate with the distance (sparse, cosine)', async () => {
    const query = db
      .selectFrom('science_data')
      .select(['name', cosineDistance('features', TARGET).as('distance')])
      .orderBy('id');
    expect(query.compile().sql).toBe(
      'select "name", ("features" <=> $1::sparsevec) as "distance" from "science_data" order by "id"',
    );
    const rows = await query.execute();
    const byName = Object.fromEntries(rows.map((r) => [r.name, r.distance]));
    expect(byName['Sample A']).toBeCloseTo(1 - 29.25 / Math.sqrt(31.69 * 27.01), 5);
    expect(byName['Sample B']).toBeCloseTo(1 - 10.1 / Math.sqrt(26 * 27.01), 5);
    expect(byName['Sample C']).toBe(1);
    expect(byName['Sample D']).toBeCloseTo(0, 6);
  });

  it('pattern 3: annotate, filter on a threshold, order (sparse, cosine)', async () => {
    const distance = cosineDistance('features', TARGET);
    const query = db
      .selectFrom('science_data')
      .select(['name', distance.as('distance')])
      .where(distance, '<', 0.2)
      .orderBy('distance');
    const compiled = query.compile();
    expect(compiled.sql).toBe(
      'select "name", ("features" <=> $1::sparsevec) as "distance" from "science_data" where ("features" <=> $2::sparsevec) < $3 order by "distance"',
    );
    expect(compiled.parameters).toEqual(['{1:5.1,43:1}/10000', '{1:5.1,43:1}/10000', 0.2]);
    expect((await query.execute()).map((r) => r.name)).toEqual(['Sample D', 'Sample A']);
  });

  it('sparse: l2, max inner product and l1 agree with hand-derived values', async () => {
    const rows = await db
      .selectFrom('science_data')
      .select([
        l2Distance('features', TARGET).as('l2'),
        maxInnerProduct('features', TARGET).as('ip'),
        l1Distance('features', TARGET).as('l1'),
      ])
      .where('name', '=', 'Sample B')
      .execute();
    expect(rows[0]!.l2).toBeCloseTo(Math.sqrt(4.1 ** 2 + 16), 5);
    expect(rows[0]!.ip).toBeCloseTo(-(5.1 + 5), 5);
    expect(rows[0]!.l1).toBeCloseTo(8.1, 5);
  });

  it('dense: the patterns with l2, ip, cosine and l1 on vector and halfvec', async () => {
    const q = [0.5, 0.2, 0.9, 0.3];
    const ordered = await db
      .selectFrom('documents')
      .select('title')
      .orderBy(l2Distance('embedding', q))
      .limit(2)
      .execute();
    expect(ordered.map((r) => r.title)).toEqual(['My First Doc', 'typed']);
    const annotated = await db
      .selectFrom('documents')
      .select([
        l2Distance('embedding', q).as('l2'),
        maxInnerProduct('embedding', q).as('ip'),
        cosineDistance('embedding', new Vector(q)).as('cos'),
        l1Distance('half', q).as('l1'),
      ])
      .where('title', '=', 'class')
      .execute();
    const norm = Math.sqrt(0.25 + 0.04 + 0.81 + 0.09);
    expect(annotated[0]!.l2).toBeCloseTo(norm, 5);
    expect(annotated[0]!.ip).toBeCloseTo(-0.5, 6);
    expect(annotated[0]!.cos).toBeCloseTo(1 - 0.5 / norm, 5);
    expect(annotated[0]!.l1).toBeCloseTo(2.5, 2);
    // A dense value cast to vector compares with a halfvec column (pgvector's implicit cast).
    const distance = cosineDistance('half', q);
    const filtered = await db
      .selectFrom('documents')
      .select(['title', distance.as('d')])
      .where(distance, '<', 0.75)
      .orderBy('d')
      .execute();
    // [0,0,0,1]: 1 - 0.3/|q| ≈ 0.721 is kept; [0,1,0,0]: 1 - 0.2/|q| ≈ 0.814 is filtered out.
    expect(filtered.map((r) => r.title)).toEqual(['My First Doc', 'typed']);
  });

  it('bit: hamming and jaccard in select, where and order by', async () => {
    const query = db
      .selectFrom('images')
      .select([
        'name',
        hammingDistance('hash', '11110000').as('hamming'),
        jaccardDistance('hash', new Bit('11110000')).as('jaccard'),
      ])
      .where(hammingDistance('hash', '11110000'), '<', 8)
      .orderBy('hamming');
    expect(query.compile().sql).toBe(
      'select "name", ("hash" <~> $1::bit(8)) as "hamming", ("hash" <%> $2::bit(8)) as "jaccard" from "images" where ("hash" <~> $3::bit(8)) < $4 order by "hamming"',
    );
    // 11111111: 4 bits differ, 4 of 8 set bits shared → jaccard 0.5; 00001111 differs in all 8 (filtered out).
    expect(await query.execute()).toEqual([
      { name: 'same', hamming: 0, jaccard: 0 },
      { name: 'half', hamming: 4, jaccard: 0.5 },
    ]);
    expect(() => hammingDistance('hash', [1, 0])).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
    expect(() => l2Distance('hash', new Bit('1'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('PgvectorPlugin({ denseArrays: false }) leaves number arrays to real[] columns', async () => {
    await tdb().query('CREATE TABLE k_reals (id int PRIMARY KEY, r real[], v vector(2))');
    type Reals = { k_reals: { id: number; r: number[]; v: VectorColumn } };
    const raw = db as unknown as Kysely<Reals>;
    // The default plugin writes the array as vector text, which a real[] column refuses.
    await expect(
      raw
        .insertInto('k_reals')
        .values({ id: 1, r: [1, 2], v: [1, 2] })
        .execute(),
    ).rejects.toThrow(/malformed array literal/);
    const plain = raw.withoutPlugins().withPlugin(new PgvectorPlugin({ denseArrays: false }));
    await plain
      .insertInto('k_reals')
      .values({ id: 2, r: [1.5, 2], v: new Vector([3, 4]) })
      .execute();
    expect(await plain.selectFrom('k_reals').select(['r', 'v']).execute()).toEqual([{ r: [1.5, 2], v: [3, 4] }]);
  });

  it('reports the pgvector version and checks features', async () => {
    const info = await pgvectorInfo(db);
    const server = await tdb().query<{ v: string }>(
      `SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`,
    );
    expect(info).toMatchObject({ installed: true, version: server[0]!.v });
    await expect(requirePgvector(db, 'iterativeScan')).resolves.toMatchObject({ version: server[0]!.v });
  });

  describeSearch(() => db, tdb);
});

/** Two clusters and an IVFFlat index whose two lists are the clusters; see drizzle.test.ts. */
function describeSearch(getDb: () => Kysely<Database>, tdb: () => TestDb): void {
  beforeAll(async () => {
    await tdb().query(`CREATE TABLE points (id int PRIMARY KEY, cluster int NOT NULL, embedding vector(2))`);
    const values: string[] = [];
    for (let i = 0; i < 200; i++) {
      const c = i % 2;
      values.push(`(${i}, ${c}, '[${c * 10 + ((i * 7) % 10) / 10 - 0.5},${((i * 13) % 10) / 10 - 0.5}]')`);
    }
    // The outlier at (5.5, 0) is nearer cluster 1's centre (≈ 9.9) than cluster 0's (≈ 0).
    values.push(`(1000, 1, '[5.5,0]')`);
    await tdb().query(`INSERT INTO points VALUES ${values.join(', ')}`);
    await tdb().query(`CREATE INDEX points_ivf ON points USING ivfflat (embedding vector_l2_ops) WITH (lists = 2)`);
    await tdb().query('ANALYZE points');
  });

  it('exact search is the true top-k with the IVFFlat index present', async () => {
    const db = getDb();
    const rows = await vectorSearch(db, {
      table: 'points',
      column: 'embedding',
      query: [4.8, 0],
      distance: 'l2',
      k: 1,
    });
    expect(rows).toEqual([{ id: 1000, cluster: 1, embedding: [5.5, 0], distance: expect.closeTo(0.7, 5) }]);
    const compiled = db
      .selectFrom('points')
      .select('id')
      .orderBy(exact(l2Distance('embedding', [4.8, 0])))
      .limit(1)
      .compile();
    expect(compiled.sql).toBe('select "id" from "points" order by (("embedding" <-> $1::vector)) + 0 limit $2');
  });

  it('nearest(): EXPLAIN VERBOSE computes the distance once per row; only the approximate search can use the index', async () => {
    const plans: Record<string, { evaluations: number; indexes: string[] }> = {};
    for (const exact of [true, false]) {
      executed.length = 0;
      const rows = await vectorSearch(getDb(), {
        table: 'points',
        column: 'embedding',
        query: [4.8, 0],
        distance: 'l2',
        k: 1,
        ...(exact ? {} : { approximate: { probes: 2 } }),
      });
      expect(rows.map((r) => r.id)).toEqual([1000]);
      const statement = executed.find((q) => q.sql.startsWith('select'))!;
      const lateral = exact ? '(("embedding" <-> $1::vector)) + 0' : '("embedding" <-> $1::vector)';
      expect(statement.sql).toBe(
        `select "points".*, "vecpg"."vecpg_distance" as "distance" from "points" inner join lateral (select ${lateral} as "vecpg_distance") as "vecpg" on true order by "vecpg"."vecpg_distance" limit $2`,
      );
      const report = await explainScansWithoutSeqScan(tdb(), statement.sql, statement.parameters);
      plans[exact ? 'exact' : 'approximate'] = { evaluations: evaluations(report, '<->'), indexes: report.indexes };
    }
    expect(plans).toEqual({
      exact: { evaluations: 1, indexes: [] },
      approximate: { evaluations: 1, indexes: ['points_ivf'] },
    });
  });

  it('nearest(): a table with its own "distance" column still gets, and is ordered by, the vector distance', async () => {
    await tdb().query(`CREATE TABLE legs (id int PRIMARY KEY, distance real NOT NULL, embedding vector(2))`);
    await tdb().query(`INSERT INTO legs VALUES (1, 100, '[0,0]'), (2, 5, '[3,4]'), (3, 1, '[1,1]'), (4, 7, '[3,3]')`);
    for (const approximate of [undefined, { probes: 1 }]) {
      const rows = await vectorSearch(getDb(), {
        table: 'legs',
        column: 'embedding',
        query: [3, 3],
        distance: 'l2',
        k: 3,
        where: (eb) => eb('distance', '<', 50), // the table's column, unambiguous
        ...(approximate ? { approximate } : {}),
      });
      // sqrt(0), sqrt(0 + 1), sqrt(4 + 4); row 1 is filtered out by its own "distance" (100).
      expect(rows.map((r) => [r.id, r.distance])).toEqual([
        [4, 0],
        [2, 1],
        [3, expect.closeTo(Math.sqrt(8), 6)],
      ]);
    }
  });

  it('approximate search applies ivfflat.probes with SET LOCAL and misses what the index misses', async () => {
    const db = getDb();
    const approx = await withSearchSettings(db, { probes: 1 }, async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const plan = await sql<{
        'QUERY PLAN': string;
      }>`EXPLAIN SELECT id FROM points ORDER BY embedding <-> ${'[4.8,0]'}::vector LIMIT 1`.execute(trx);
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('points_ivf');
      return trx
        .selectFrom('points')
        .select('id')
        .orderBy(l2Distance('embedding', [4.8, 0]))
        .limit(1)
        .execute();
    });
    expect(approx[0]!.id).not.toBe(1000);
    const wider = await withSearchSettings(db, { probes: 2 }, async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const p = await sql<{ p: string }>`SELECT current_setting('ivfflat.probes') AS p`.execute(trx);
      expect(p.rows[0]!.p).toBe('2');
      return trx
        .selectFrom('points')
        .select('id')
        .orderBy(l2Distance('embedding', [4.8, 0]))
        .limit(1)
        .execute();
    });
    expect(wider[0]!.id).toBe(1000);
    const after = await sql<{ p: string }>`SELECT current_setting('ivfflat.probes') AS p`.execute(db);
    expect(after.rows[0]!.p).toBe('1');
  });

  it('nearest(): approximate with settings, a Kysely filter and a threshold', async () => {
    const rows = await vectorSearch(getDb(), {
      table: 'points',
      column: 'embedding',
      query: [4.8, 0],
      distance: 'l2',
      k: 3,
      where: (eb) => eb('cluster', '=', 1),
      maxDistance: 1,
      approximate: { probes: 2, efSearch: 100 },
    });
    expect(rows.map((r) => r.id)).toEqual([1000]);
    await expect(
      vectorSearch(getDb(), {
        table: 'points',
        column: 'embedding',
        query: [1, 0],
        distance: 'l2',
        approximate: { efSearch: 0 },
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });
}
