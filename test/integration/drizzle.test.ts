/**
 * vecpg/drizzle on node-postgres (server) and PGlite: columns round trip through vecpg's codecs,
 * the Django walkthrough's three query patterns with the six distances on dense, sparse and bit columns (the
 * generated SQL and the rows), indexes with their opclasses, exact and approximate search.
 * Expected distances are derived by hand from the inputs, or read from the server's own operators.
 */
import type { PGlite } from '@electric-sql/pglite';
import { and, asc, eq, lt, sql } from 'drizzle-orm';
import {
  type ExtraConfigColumn,
  type PgDatabase,
  type PgQueryResultHKT,
  getTableConfig,
  integer,
  pgTable,
  real,
  serial,
  text,
} from 'drizzle-orm/pg-core';
import type { Pool } from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { Bit, SparseVector, Vector, isVecpgError } from 'vecpg';
import {
  bit,
  cosineDistance,
  drizzleExecutor,
  exact,
  halfvec,
  hammingDistance,
  hnswIndex,
  ivfflatIndex,
  jaccardDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  vectorSearch,
  pgvectorInfo,
  requirePgvector,
  sparsevec,
  vectorStorageMigration,
  vector,
  vectorValueSql,
  withSearchSettings,
} from 'vecpg/drizzle';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { evaluations, explainScansWithoutSeqScan } from '../support/explain.ts';

type Db = PgDatabase<PgQueryResultHKT>;

async function drizzleFor(t: TestDb): Promise<Db> {
  if (t.target === 'pglite') {
    const { drizzle } = await import('drizzle-orm/pglite');
    return drizzle({ client: t.raw as PGlite });
  }
  const { drizzle } = await import('drizzle-orm/node-postgres');
  return drizzle({ client: t.raw as Pool });
}

const documents = pgTable('documents', {
  id: serial('id').primaryKey(),
  title: text('title').notNull(),
  embedding: vector('embedding', { dimensions: 4 }),
  half: halfvec('half', { dimensions: 4 }),
});

const scienceData = pgTable('science_data', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  features: sparsevec('features', { dimensions: 10000 }),
});

const images = pgTable('images', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  hash: bit('hash', { dimensions: 8 }),
});

const points = pgTable('points', {
  id: integer('id').primaryKey(),
  cluster: integer('cluster').notNull(),
  embedding: vector('embedding', { dimensions: 2 }),
});

const TARGET = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);

describeEachTarget('drizzle', (tdb) => {
  let db: Db;

  beforeAll(async () => {
    db = await drizzleFor(tdb());
    await tdb().query(
      `CREATE TABLE documents (id serial PRIMARY KEY, title text NOT NULL, embedding vector(4), half halfvec(4))`,
    );
    await tdb().query(
      `CREATE TABLE science_data (id serial PRIMARY KEY, name text NOT NULL, features sparsevec(10000))`,
    );
    await tdb().query(`CREATE TABLE images (id serial PRIMARY KEY, name text NOT NULL, hash bit(8))`);
  });

  it('writes arrays, Vector, Float32Array, SparseVector and bit strings; reads number[], SparseVector, strings', async () => {
    const inserted = await db
      .insert(documents)
      .values([
        { title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3], half: [0.5, 0.2, 0.9, 0.3] },
        { title: 'class', embedding: new Vector([1, 0, 0, 0]) as unknown as number[], half: [0, 1, 0, 0] },
        { title: 'typed', embedding: Float32Array.from([0, 0, 1, 0]) as unknown as number[], half: [0, 0, 0, 1] },
      ])
      .returning();
    expect(inserted.map((r) => r.embedding)).toEqual([
      [0.5, 0.2, 0.9, 0.3].map(Math.fround),
      [1, 0, 0, 0],
      [0, 0, 1, 0],
    ]);
    // halfvec holds float16: 0.2 → 1.6 × 2⁻³ with a 10-bit mantissa → 1638/1024 × 2⁻³ = 0.199951171875,
    // 0.9 → (1024 + 819)/2048 = 0.89990234375, 0.3 → (1024 + 205)/4096 = 0.300048828125.
    expect(inserted[0]!.half).toEqual([0.5, 0.199951171875, 0.89990234375, 0.300048828125]);

    await db.insert(scienceData).values([
      { name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) },
      { name: 'Sample B', features: new SparseVector({ 0: 1, 42: 5 }, 10000) },
      { name: 'Sample C', features: new SparseVector({ 1: 3 }, 10000) },
      { name: 'Sample D', features: new SparseVector({ 0: 5.1, 42: 1.0 }, 10000) },
    ]);
    const science = await db.select().from(scienceData).orderBy(asc(scienceData.id));
    const a = science[0]!.features!;
    expect(a).toBeInstanceOf(SparseVector);
    expect(a.indices).toEqual([0, 42]);
    expect(a.values).toEqual([5.5, Math.fround(1.2)]);
    expect(a.dimensions).toBe(10000);
    // The server stores the 0-based index 42 at 1-based position 43.
    const text = await tdb().query<{ t: string }>(
      `SELECT features::text AS t FROM science_data WHERE name = 'Sample A'`,
    );
    expect(text[0]!.t).toBe('{1:5.5,43:1.2}/10000');

    await db.insert(images).values([
      { name: 'same', hash: '11110000' },
      { name: 'half', hash: new Bit('11111111') as unknown as string },
      { name: 'opposite', hash: '00001111' },
    ]);
    const imgs = await db.select({ hash: images.hash }).from(images).orderBy(asc(images.id));
    expect(imgs.map((r) => r.hash)).toEqual(['11110000', '11111111', '00001111']);
  });

  it('vectorValueSql inserts a Vector (or any input) with its type checked by TypeScript as SQL', async () => {
    const [row] = await db
      .insert(documents)
      .values({
        title: 'as sql',
        embedding: vectorValueSql(new Vector([4, 3, 2, 1]), 'vector'),
        half: vectorValueSql([1, 2, 3, 4], 'halfvec'),
      })
      .returning();
    expect([row!.embedding, row!.half]).toEqual([
      [4, 3, 2, 1],
      [1, 2, 3, 4],
    ]);
    await db.delete(documents).where(eq(documents.title, 'as sql'));
  });

  it('refuses a value of the wrong size before it reaches the server', async () => {
    const error = await (async () => db.insert(documents).values({ title: 'bad', embedding: [1, 2, 3] }))().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isVecpgError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'DIMENSION_MISMATCH' });
    const count = await tdb().query<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE title = 'bad'`);
    expect(count[0]!.n).toBe(0);
  });

  it('pattern 1: order by distance (sparse, cosine)', async () => {
    const query = db
      .select({ name: scienceData.name })
      .from(scienceData)
      .orderBy(cosineDistance(scienceData.features, TARGET))
      .limit(10);
    expect(query.toSQL()).toEqual({
      sql: 'select "name" from "science_data" order by ("science_data"."features" <=> $1::sparsevec) limit $2',
      params: ['{1:5.1,43:1}/10000', 10],
    });
    // cos(A, T) = 29.25 / (√31.69 · √27.01) ≈ 0.99977; cos(B, T) = 10.1 / (√26 · √27.01) ≈ 0.3811; C ⟂ T.
    expect((await query).map((r) => r.name)).toEqual(['Sample D', 'Sample A', 'Sample B', 'Sample C']);
  });

  it('pattern 2: annotate with the distance (sparse, cosine)', async () => {
    const query = db
      .select({ name: scienceData.name, distance: cosineDistance(scienceData.features, TARGET) })
      .from(scienceData)
      .orderBy(asc(scienceData.id));
    expect(query.toSQL().sql).toBe(
      'select "name", ("features" <=> $1::sparsevec) from "science_data" order by "science_data"."id" asc',
    );
    const rows = await query;
    const byName = Object.fromEntries(rows.map((r) => [r.name, r.distance]));
    expect(byName['Sample A']).toBeCloseTo(1 - 29.25 / Math.sqrt(31.69 * 27.01), 5);
    expect(byName['Sample B']).toBeCloseTo(1 - 10.1 / Math.sqrt(26 * 27.01), 5);
    expect(byName['Sample C']).toBe(1);
    expect(byName['Sample D']).toBeCloseTo(0, 6);
    expect(typeof rows[0]!.distance).toBe('number');
  });

  it('pattern 3: annotate, filter on a threshold, order (sparse, cosine)', async () => {
    const distance = cosineDistance(scienceData.features, TARGET);
    const query = db
      .select({ name: scienceData.name, distance })
      .from(scienceData)
      .where(lt(distance, 0.2))
      .orderBy(distance);
    const { sql: text, params } = query.toSQL();
    expect(text).toBe(
      'select "name", ("features" <=> $1::sparsevec) from "science_data" where ("science_data"."features" <=> $2::sparsevec) < $3 order by ("science_data"."features" <=> $4::sparsevec)',
    );
    expect(params).toEqual(['{1:5.1,43:1}/10000', '{1:5.1,43:1}/10000', 0.2, '{1:5.1,43:1}/10000']);
    const rows = await query;
    expect(rows.map((r) => r.name)).toEqual(['Sample D', 'Sample A']);
  });

  it('sparse: l2, max inner product and l1 agree with hand-derived values', async () => {
    const rows = await db
      .select({
        name: scienceData.name,
        l2: l2Distance(scienceData.features, TARGET),
        ip: maxInnerProduct(scienceData.features, TARGET),
        l1: l1Distance(scienceData.features, TARGET),
      })
      .from(scienceData)
      .where(eq(scienceData.name, 'Sample B'));
    // B = {0: 1, 42: 5}, T = {0: 5.1, 42: 1}: differences 4.1 and 4.
    expect(rows[0]!.l2).toBeCloseTo(Math.sqrt(4.1 ** 2 + 16), 5);
    expect(rows[0]!.ip).toBeCloseTo(-(5.1 + 5), 5);
    expect(rows[0]!.l1).toBeCloseTo(8.1, 5);
  });

  it('dense: the three patterns with l2, ip, cosine and l1 on vector and halfvec', async () => {
    const q = [0.5, 0.2, 0.9, 0.3];
    const ordered = await db
      .select({ title: documents.title })
      .from(documents)
      .orderBy(l2Distance(documents.embedding, q))
      .limit(2);
    expect(ordered.map((r) => r.title)).toEqual(['My First Doc', 'typed']);

    const annotated = await db
      .select({
        title: documents.title,
        l2: l2Distance(documents.embedding, q),
        ip: maxInnerProduct(documents.embedding, q),
        cos: cosineDistance(documents.embedding, q),
        l1: l1Distance(documents.half, q),
      })
      .from(documents)
      .where(eq(documents.title, 'class'));
    // [1,0,0,0] vs q: l2 = √(0.25+0.04+0.81+0.09), ip = -0.5, cos = 1 - 0.5/|q|; half [0,1,0,0]: l1 = 0.5+0.8+0.9+0.3.
    const norm = Math.sqrt(0.25 + 0.04 + 0.81 + 0.09);
    expect(annotated[0]!.l2).toBeCloseTo(norm, 5);
    expect(annotated[0]!.ip).toBeCloseTo(-0.5, 6);
    expect(annotated[0]!.cos).toBeCloseTo(1 - 0.5 / norm, 5);
    expect(annotated[0]!.l1).toBeCloseTo(2.5, 2);

    const distance = cosineDistance(documents.half, q);
    const filtered = db
      .select({ title: documents.title, distance })
      .from(documents)
      .where(lt(distance, 0.75))
      .orderBy(distance);
    expect(filtered.toSQL().sql).toContain(
      'select "title", ("half" <=> $1::halfvec) from "documents" where ("documents"."half" <=> $2::halfvec) < $3',
    );
    // [0,0,0,1]: 1 - 0.3/|q| ≈ 0.721 is kept; [0,1,0,0]: 1 - 0.2/|q| ≈ 0.814 is filtered out.
    expect((await filtered).map((r) => r.title)).toEqual(['My First Doc', 'typed']);
  });

  it('bit: hamming and jaccard in select, where and order by', async () => {
    const query = db
      .select({
        name: images.name,
        hamming: hammingDistance(images.hash, '11110000'),
        jaccard: jaccardDistance(images.hash, new Bit('11110000')),
      })
      .from(images)
      .where(lt(hammingDistance(images.hash, '11110000'), 8))
      .orderBy(hammingDistance(images.hash, '11110000'));
    expect(query.toSQL().sql).toBe(
      'select "name", ("hash" <~> $1::bit(8)), ("hash" <%> $2::bit(8)) from "images" where ("images"."hash" <~> $3::bit(8)) < $4 order by ("images"."hash" <~> $5::bit(8))',
    );
    // 11111111: 4 bits differ, 4 shared of 8 set → jaccard 0.5; 00001111 differs everywhere (filtered out).
    expect(await query).toEqual([
      { name: 'same', hamming: 0, jaccard: 0 },
      { name: 'half', hamming: 4, jaccard: 0.5 },
    ]);
  });

  it('refuses a distance pgvector lacks for the column type', () => {
    expect(() => hammingDistance(documents.embedding, [1, 2, 3, 4])).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
    expect(() => l2Distance(images.hash, '101')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('reports the pgvector version and checks features', async () => {
    const info = await pgvectorInfo(db);
    expect(info.installed).toBe(true);
    const server = await tdb().query<{ v: string }>(
      `SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`,
    );
    expect(info.version).toBe(server[0]!.v);
    expect((await requirePgvector(db, 'sparsevec')).version).toBe(server[0]!.v);
    await expect(requirePgvector(db, 'iterativeScan')).resolves.toMatchObject({ installed: true });
  });

  it('index helpers pick the opclass and validate options', () => {
    const table = pgTable(
      'indexed',
      {
        id: serial('id').primaryKey(),
        e: vector('e', { dimensions: 3 }),
        s: sparsevec('s', { dimensions: 100 }),
        b: bit('b', { dimensions: 8 }),
      },
      (t) => [
        hnswIndex(t.e, 'ip', { m: 8, efConstruction: 32 }),
        ivfflatIndex(t.e, 'cosine', { lists: 7 }),
        hnswIndex(t.s, 'l1'),
        ivfflatIndex(t.b, 'hamming'),
      ],
    );
    const indexes = getTableConfig(table).indexes.map((i) => ({
      name: i.config.name,
      method: i.config.method,
      opclass: (i.config.columns[0] as { indexConfig: { opClass: string } }).indexConfig.opClass,
      with: i.config.with,
    }));
    expect(indexes).toEqual([
      {
        name: 'indexed_e_hnsw_ip_idx',
        method: 'hnsw',
        opclass: 'vector_ip_ops',
        with: { m: '8', ef_construction: '32' },
      },
      { name: 'indexed_e_ivfflat_cosine_idx', method: 'ivfflat', opclass: 'vector_cosine_ops', with: { lists: '7' } },
      { name: 'indexed_s_hnsw_l1_idx', method: 'hnsw', opclass: 'sparsevec_l1_ops', with: undefined },
      { name: 'indexed_b_ivfflat_hamming_idx', method: 'ivfflat', opclass: 'bit_hamming_ops', with: undefined },
    ]);
    const bad = (extra: (t: { s: ExtraConfigColumn; e: ExtraConfigColumn }) => unknown) => () =>
      getTableConfig(
        pgTable('bad', { e: vector('e', { dimensions: 3 }), s: sparsevec('s', { dimensions: 9 }) }, (t) => [
          extra(t as never) as never,
        ]),
      );
    expect(bad((t) => ivfflatIndex(t.s, 'l2'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(bad((t) => ivfflatIndex(t.e, 'l1'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(bad((t) => hnswIndex(t.e, 'hamming'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(bad((t) => hnswIndex(t.e, 'l2', { m: 1 }))).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(bad((t) => hnswIndex(t.e, 'l2', { m: 40, efConstruction: 64 }))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(bad((t) => ivfflatIndex(t.e, 'l2', { lists: 0 }))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => vector('wide', { dimensions: 16001 })).toThrow(
      expect.objectContaining({ code: 'INVALID_DIMENSIONS' }),
    );
    expect(() =>
      getTableConfig(pgTable('wide', { e: vector('e', { dimensions: 3000 }) }, (t) => [hnswIndex(t.e, 'l2')])),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('storage MAIN for every vector column of a table', async () => {
    const statement = vectorStorageMigration(documents);
    expect(statement).toBe(
      'ALTER TABLE "documents" ALTER COLUMN "embedding" SET STORAGE MAIN;\n--> statement-breakpoint\nALTER TABLE "documents" ALTER COLUMN "half" SET STORAGE MAIN;\n',
    );
    for (const s of statement.split('--> statement-breakpoint')) await db.execute(sql.raw(s));
    const rows = await tdb().query<{ attname: string; attstorage: string }>(
      `SELECT attname::text, attstorage::text FROM pg_attribute WHERE attrelid = 'documents'::regclass AND attname IN ('embedding', 'half') ORDER BY attname`,
    );
    expect(rows).toEqual([
      { attname: 'embedding', attstorage: 'm' },
      { attname: 'half', attstorage: 'm' },
    ]);
  });

  describeSearch(() => db, tdb);
});

/** Exact versus approximate search on two clusters, with an IVFFlat index whose lists are the clusters. */
function describeSearch(getDb: () => Db, tdb: () => TestDb): void {
  beforeAll(async () => {
    await tdb().query(`CREATE TABLE points (id int PRIMARY KEY, cluster int NOT NULL, embedding vector(2))`);
    // Cluster 0 around (0, 0), cluster 1 around (10, 0); point 1000 is cluster 1's outlier at (5.5, 0), still nearer cluster 1's centre (≈ 9.9) than cluster 0's (≈ 0).
    const values: string[] = [];
    for (let i = 0; i < 200; i++) {
      const c = i % 2;
      values.push(`(${i}, ${c}, '[${c * 10 + ((i * 7) % 10) / 10 - 0.5},${((i * 13) % 10) / 10 - 0.5}]')`);
    }
    values.push(`(1000, 1, '[5.5,0]')`);
    await tdb().query(`INSERT INTO points VALUES ${values.join(', ')}`);
    await tdb().query(`CREATE INDEX points_ivf ON points USING ivfflat (embedding vector_l2_ops) WITH (lists = 2)`);
    await tdb().query('ANALYZE points');
  });

  it('exact search is the true top-k even with an IVFFlat index present', async () => {
    const db = getDb();
    // (4.8, 0): nearer to cluster 0's centre, but its nearest row is the outlier 1000 in cluster 1's list.
    const rows = await vectorSearch(db, {
      table: points,
      column: points.embedding,
      query: [4.8, 0],
      distance: 'l2',
      k: 1,
    });
    expect(rows).toEqual([{ id: 1000, cluster: 1, embedding: [5.5, 0], distance: expect.closeTo(0.7, 5) }]);
    const exactSql = db
      .select()
      .from(points)
      .orderBy(exact(l2Distance(points.embedding, [4.8, 0])))
      .limit(1)
      .toSQL().sql;
    expect(exactSql).toBe(
      'select "id", "cluster", "embedding" from "points" order by (("points"."embedding" <-> $1::vector)) + 0 limit $2',
    );
  });

  it('nearest(): EXPLAIN VERBOSE computes the distance once per row; only the approximate search can use the index', async () => {
    const t = tdb();
    const logged: Array<{ text: string; values: unknown[] }> = [];
    const logger = { logQuery: (text: string, values: unknown[]) => void logged.push({ text, values }) };
    const db = (t.target === 'pglite'
      ? (await import('drizzle-orm/pglite')).drizzle({ client: t.raw as PGlite, logger })
      : (await import('drizzle-orm/node-postgres')).drizzle({ client: t.raw as Pool, logger })) as unknown as Db;
    const plans: Record<string, { evaluations: number; indexes: string[] }> = {};
    for (const exact of [true, false]) {
      logged.length = 0;
      const rows = await vectorSearch(db, {
        table: points,
        column: points.embedding,
        query: [4.8, 0],
        distance: 'l2',
        k: 1,
        ...(exact ? {} : { approximate: { probes: 2 } }),
      });
      expect(rows.map((r) => r.id)).toEqual([1000]);
      const statement = logged.find((q) => q.text.startsWith('select'))!;
      const selected = exact ? '(("points"."embedding" <-> $1::vector)) + 0' : '("embedding" <-> $1::vector)';
      expect(statement.text).toBe(
        `select "id", "cluster", "embedding", ${selected} as "distance" from "points" order by "distance" limit $2`,
      );
      const report = await explainScansWithoutSeqScan(t, statement.text, statement.values);
      plans[exact ? 'exact' : 'approximate'] = { evaluations: evaluations(report, '<->'), indexes: report.indexes };
    }
    expect(plans).toEqual({
      exact: { evaluations: 1, indexes: [] },
      approximate: { evaluations: 1, indexes: ['points_ivf'] },
    });
  });

  it('nearest(): a column named "distance" in the database does not clash with the ordering alias', async () => {
    const db = getDb();
    await tdb().query(`CREATE TABLE legs (id int PRIMARY KEY, distance real NOT NULL, embedding vector(2))`);
    await tdb().query(`INSERT INTO legs VALUES (1, 100, '[0,0]'), (2, 5, '[3,4]'), (3, 1, '[1,1]')`);
    const legs = pgTable('legs', {
      id: integer('id').primaryKey(),
      km: real('distance').notNull(),
      embedding: vector('embedding', { dimensions: 2 }),
    });
    const rows = await vectorSearch(db, { table: legs, column: legs.embedding, query: [3, 3], distance: 'l2', k: 3 });
    // sqrt(0 + 1) = 1, sqrt(4 + 4), sqrt(9 + 9): ordered by the vector distance, not by the "distance" column.
    expect(rows).toEqual([
      { id: 2, km: 5, embedding: [3, 4], distance: 1 },
      { id: 3, km: 1, embedding: [1, 1], distance: expect.closeTo(Math.sqrt(8), 6) },
      { id: 1, km: 100, embedding: [0, 0], distance: expect.closeTo(Math.sqrt(18), 6) },
    ]);
  });

  it('approximate search applies ivfflat.probes with SET LOCAL and misses what the index misses', async () => {
    const db = getDb();
    const approx = await withSearchSettings(db, { probes: 1 }, async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      const setting = await drizzleExecutor(tx).query<{ p: string }>(`SELECT current_setting('ivfflat.probes') AS p`);
      expect(setting[0]!.p).toBe('1');
      return tx
        .select({ id: points.id })
        .from(points)
        .orderBy(l2Distance(points.embedding, [4.8, 0]))
        .limit(1);
    });
    // One probe scans only the list whose centre is nearest (cluster 0), so the true nearest (1000) is missed.
    expect(approx[0]!.id).not.toBe(1000);
    const wider = await withSearchSettings(db, { probes: 2 }, async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      return tx
        .select({ id: points.id })
        .from(points)
        .orderBy(l2Distance(points.embedding, [4.8, 0]))
        .limit(1);
    });
    expect(wider[0]!.id).toBe(1000);
    // Settings ended with the transaction.
    const after = await drizzleExecutor(db).query<{ p: string }>(`SELECT current_setting('ivfflat.probes') AS p`);
    expect(after[0]!.p).toBe('1');
  });

  it('nearest(): approximate with settings, filter and threshold', async () => {
    const db = getDb();
    const rows = await vectorSearch(db, {
      table: points,
      column: points.embedding,
      query: [4.8, 0],
      distance: 'l2',
      k: 3,
      where: and(eq(points.cluster, 1)),
      maxDistance: 1,
      approximate: { probes: 2, efSearch: 100 },
    });
    expect(rows.map((r) => r.id)).toEqual([1000]);
    await expect(
      vectorSearch(db, {
        table: points,
        column: points.embedding,
        query: [1, 0],
        distance: 'l2',
        approximate: { probes: 0 },
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
  });
}
