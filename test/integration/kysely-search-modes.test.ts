/**
 * Kysely's hybrid, two-stage and certified searches against independent answers (test/support/search-
 * modes.ts: plain SQL with pgvector's operators and PostgreSQL's full-text functions, fused or compared
 * here), with Kysely's own `where` callback, rows shaped as Kysely's `vectorSearch` returns them, the
 * quantized indexes made by `createVectorIndex({ quantize })` serving the candidate stage (EXPLAIN of the
 * statement Kysely ran), and the core's errors for bad options.
 */
import type { PGlite } from '@electric-sql/pglite';
import { type CompiledQuery, Kysely, type LogEvent, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  PgliteDialect,
  PgvectorPlugin,
  type VectorColumn,
  addCertifiedColumns,
  createVectorIndex,
  hybridSearch,
  vectorIndexMigration,
  vectorSearch,
} from 'vecpg/kysely';
import { registerVectorTypes } from 'vecpg/pg';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { codeOf } from '../support/errors.ts';
import { explainScansWithoutSeqScan } from '../support/explain.ts';
import {
  DIMS,
  exactTruth,
  expectFused,
  expectTwoStage,
  fillModesTable,
  hybridTruth,
  modesData,
  CERTIFIED_CASES,
  PREFIX_LAYOUT,
} from '../support/search-modes.ts';

interface Database {
  modes_docs: { id: number; category: number; body: string; embedding: VectorColumn };
}

const executed: CompiledQuery[] = [];
const log = (event: LogEvent): void => {
  if (event.level === 'query') executed.push(event.query);
};

async function kyselyFor(t: TestDb): Promise<Kysely<Database>> {
  if (t.target === 'pglite') {
    return new Kysely<Database>({
      dialect: new PgliteDialect({ pglite: t.raw as PGlite }),
      plugins: [new PgvectorPlugin()],
      log,
    });
  }
  const pool = new pg.Pool({ connectionString: t.url, max: 3 });
  await registerVectorTypes(pool);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new PgvectorPlugin()], log });
}

describeEachTarget('kysely: hybrid, two-stage and certified search', (tdb) => {
  const data = modesData(7);
  const [q0, q1, q2] = data.queries as [number[], number[], number[]];
  let db: Kysely<Database>;
  const names: Record<string, string> = {};

  beforeAll(async () => {
    db = await kyselyFor(tdb());
    await tdb().query(
      `CREATE TABLE modes_docs (id int PRIMARY KEY, category int NOT NULL, body text NOT NULL, embedding vector(${DIMS}))`,
    );
    await fillModesTable(tdb(), 'modes_docs', data);
    const base = {
      table: 'modes_docs',
      column: 'embedding',
      type: 'vector',
      distance: 'l2',
      dimensions: DIMS,
    } as const;
    names.binary = await createVectorIndex(db, { ...base, quantize: 'binary' });
    // The migration helper takes the same option.
    const migration = vectorIndexMigration({ ...base, quantize: 'halfvec', m: 8 });
    await migration.up(db as Kysely<unknown>);
    names.halfvec = `modes_docs_embedding_halfvec_${DIMS}_hnsw_l2_idx`;
    await addCertifiedColumns(db, 'modes_docs', 'embedding', DIMS, ['l2', 'cosine']);
    await addCertifiedColumns(db, 'modes_docs', 'embedding', DIMS, ['l2', 'cosine'], PREFIX_LAYOUT);
  }, 60_000);

  afterAll(async () => {
    await db.destroy();
  });

  it('creates the quantized indexes on the expression the search orders by', async () => {
    const rows = await tdb().query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'modes_docs' AND indexdef LIKE '%hnsw%' ORDER BY indexname`,
    );
    expect(rows.map((r) => r.name).sort()).toEqual([names.binary, names.halfvec].sort());
    expect(rows.find((r) => r.name === names.binary)!.def).toContain(
      `USING hnsw (((binary_quantize(embedding))::bit(${DIMS})) bit_hamming_ops)`,
    );
    expect(rows.find((r) => r.name === names.halfvec)!.def).toContain(
      `USING hnsw (((embedding)::halfvec(${DIMS})) halfvec_l2_ops) WITH (m='8')`,
    );
    const bad = { table: 'modes_docs', column: 'embedding', type: 'sparsevec', distance: 'l2', dimensions: 3 } as const;
    expect(await createVectorIndex(db, { ...bad, quantize: 'binary' }).catch(codeOf)).toBe('UNSUPPORTED');
  });

  it('rerank with candidates >= rows equals the exact search; with fewer, the two-stage answer (Kysely where)', async () => {
    const base = { table: 'modes_docs', column: 'embedding', query: q0, distance: 'l2', k: 10 } as const;
    const plain = await vectorSearch(db, base);
    const all = await vectorSearch(db, { ...base, rerank: { using: 'binary', candidates: data.texts.length } });
    const truth = await exactTruth(tdb(), 'modes_docs', q0, 'l2', 10);
    expect(all.map((r) => r.id)).toEqual(truth.map((r) => r.id));
    expect(all.map((r) => ({ ...r }))).toEqual(plain.map((r) => ({ ...r })));
    for (const using of ['binary', 'halfvec'] as const) {
      const rows = await vectorSearch(db, {
        table: 'modes_docs',
        column: 'embedding',
        query: q1,
        distance: 'l2',
        k: 8,
        where: (eb) => eb('category', '=', 1),
        rerank: { using, candidates: 20 },
      });
      expect(rows.every((r) => r.category === 1)).toBe(true);
      await expectTwoStage(tdb(), 'modes_docs', rows, {
        query: q1,
        distance: 'l2',
        using,
        candidates: 20,
        k: 8,
        category: 1,
      });
    }
  });

  it('the candidate stage is served by the quantized index (EXPLAIN of the statement Kysely ran)', async () => {
    for (const using of ['binary', 'halfvec'] as const) {
      executed.length = 0;
      await vectorSearch(db, {
        table: 'modes_docs',
        column: 'embedding',
        query: q2,
        distance: 'l2',
        k: 5,
        where: (eb) => eb('category', '=', 2),
        rerank: { using, candidates: 40 },
      });
      const statement = executed.find((q) => q.sql.includes(using === 'binary' ? 'binary_quantize' : '::halfvec('))!;
      const report = await explainScansWithoutSeqScan(tdb(), statement.sql, statement.parameters);
      expect(report.indexes).toEqual([names[using]]);
    }
  });

  it("exact: 'certified' returns the exact top-k (Kysely where) with its certificate", async () => {
    for (const [distance, certified] of CERTIFIED_CASES) {
      const rows = await vectorSearch(db, {
        table: 'modes_docs',
        column: 'embedding',
        query: q0,
        distance,
        k: 7,
        where: (eb) => eb('category', '<>', 0),
        exact: 'certified',
        ...(certified && { certified }),
      });
      const expected = (await exactTruth(tdb(), 'modes_docs', q0, distance, 400))
        .filter((r) => r.id % 3 !== 0)
        .slice(0, 7);
      expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      rows.forEach((r, i) => expect(r.distance).toBeCloseTo(expected[i]!.distance, 5));
      expect(rows.certificate.proven).toBe(true);
      // the form asked for: its first try's N (half form: max(40, 4k)), grown ×4 per try
      expect(rows.certificate.candidates).toBe((certified?.candidates ?? 40) * 4 ** (rows.certificate.tries - 1));
      // As plain vectorSearch (selectAll): every column of the table, the generated ones included.
      const plain = await vectorSearch(db, { table: 'modes_docs', column: 'embedding', query: q0, distance, k: 1 });
      expect(Object.keys(rows[0]!).sort()).toEqual(Object.keys(plain[0]!).sort());
    }
  });

  it('hybridSearch equals the two lists fused independently, with Kysely where, weights and candidates', async () => {
    const words = 'exact search index';
    const rows = await hybridSearch(db, {
      table: 'modes_docs',
      column: 'embedding',
      query: q1,
      distance: 'cosine',
      text: words,
      textColumn: 'body',
      k: 12,
      candidates: { vector: 30, text: 6 },
      weights: { vector: 1, text: 2 },
      where: (eb) => eb('category', '=', 2),
    });
    const expected = await hybridTruth(tdb(), 'modes_docs', {
      query: q1,
      distance: 'cosine',
      words,
      k: 12,
      vectorCandidates: 30,
      textCandidates: 6,
      weights: { vector: 1, text: 2 },
      category: 2,
    });
    expectFused(rows, expected);
    expect(rows.some((r) => r.textRank === null) && rows.some((r) => r.vectorRank === null)).toBe(true);
    expect(rows.every((r) => r.category === 2)).toBe(true);
    const none = await hybridSearch(db, {
      table: 'modes_docs',
      column: 'embedding',
      query: q1,
      distance: 'l2',
      text: 'the of and',
      textColumn: 'body',
      k: 4,
    });
    expect(none.note).toContain('no searchable words');
    expect(none.map((r) => r.id)).toEqual((await exactTruth(tdb(), 'modes_docs', q1, 'l2', 4)).map((r) => r.id));
  });

  it('bad options give the core errors', async () => {
    const base = { table: 'modes_docs', column: 'embedding', query: q0, distance: 'l2' } as const;
    const fail = (p: Promise<unknown>) => p.catch((e: unknown) => codeOf(e));
    expect(await fail(vectorSearch(db, { ...base, rerank: { using: 'bits' as never } }))).toBe('INVALID_OPTION');
    expect(await fail(vectorSearch(db, { ...base, k: 50, rerank: { using: 'binary', candidates: 10 } }))).toBe(
      'INVALID_OPTION',
    );
    expect(await fail(vectorSearch(db, { ...base, exact: true, rerank: { using: 'binary' } }))).toBe('INVALID_OPTION');
    expect(await fail(vectorSearch(db, { ...base, distance: 'jaccard', exact: 'certified' }))).toBe('UNSUPPORTED');
    expect(await fail(vectorSearch(db, { ...base, distance: 'l1', exact: 'certified' }))).toBe(
      'CERTIFIED_SCHEMA_MISSING',
    );
    expect(await fail(hybridSearch(db, { ...base, text: 'x', textColumn: 'id' }))).toBe('INVALID_OPTION');
    expect(await fail(hybridSearch(db, { ...base, text: 'x', textColumn: 'body', rrfK: -1 }))).toBe('INVALID_OPTION');
  });
});
