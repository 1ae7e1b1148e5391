/**
 * Drizzle's hybrid, two-stage and certified searches against independent answers (test/support/search-
 * modes.ts: plain SQL with pgvector's operators and PostgreSQL's full-text functions, fused or compared
 * here), with Drizzle's own `where`, rows shaped as Drizzle's `vectorSearch` returns them, the quantized
 * indexes declared with `hnswIndex(…, { quantize })` serving the candidate stage (EXPLAIN), and the core's
 * errors for bad options.
 */
import type { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import {
  type PgDatabase,
  type PgQueryResultHKT,
  PgDialect,
  getTableConfig,
  integer,
  pgTable,
  text,
} from 'drizzle-orm/pg-core';
import type { Pool } from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { certifiedColumnsMigration, hnswIndex, hybridSearch, vector, vectorSearch } from 'vecpg/drizzle';
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

type Db = PgDatabase<PgQueryResultHKT>;

const docs = pgTable(
  'modes_docs',
  {
    id: integer('id').primaryKey(),
    category: integer('category').notNull(),
    body: text('body').notNull(),
    embedding: vector('embedding', { dimensions: DIMS }),
  },
  (t) => [hnswIndex(t.embedding, 'l2', { quantize: 'binary' }), hnswIndex(t.embedding, 'l2', { quantize: 'halfvec' })],
);

const logged: Array<{ text: string; values: unknown[] }> = [];

async function drizzleFor(t: TestDb): Promise<Db> {
  const logger = { logQuery: (text: string, values: unknown[]) => void logged.push({ text, values }) };
  if (t.target === 'pglite') return (await import('drizzle-orm/pglite')).drizzle({ client: t.raw as PGlite, logger });
  return (await import('drizzle-orm/node-postgres')).drizzle({ client: t.raw as Pool, logger }) as unknown as Db;
}

describeEachTarget('drizzle: hybrid, two-stage and certified search', (tdb) => {
  const data = modesData();
  const [q0, q1, q2] = data.queries as [number[], number[], number[]];
  let db: Db;

  beforeAll(async () => {
    db = await drizzleFor(tdb());
    await tdb().query(
      `CREATE TABLE modes_docs (id int PRIMARY KEY, category int NOT NULL, body text NOT NULL, embedding vector(${DIMS}))`,
    );
    await fillModesTable(tdb(), 'modes_docs', data);
    // The indexes as drizzle-kit writes them: each declared target as Drizzle renders it for an index.
    const dialect = new PgDialect();
    for (const index of getTableConfig(docs).indexes) {
      const { name, method, columns, with: options } = index.config;
      const targets = columns.map((c) => dialect.sqlToQuery(c as never, 'indexes').sql).join(', ');
      const withSql =
        options === undefined
          ? ''
          : ` WITH (${Object.entries(options)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join(', ')})`;
      await tdb().query(`CREATE INDEX "${name}" ON modes_docs USING ${method} (${targets})${withSql}`);
    }
    await tdb().query(certifiedColumnsMigration(docs, docs.embedding, ['l2', 'cosine']));
    await tdb().query(certifiedColumnsMigration(docs, docs.embedding, ['l2', 'cosine'], PREFIX_LAYOUT));
  }, 60_000);

  it('declares the quantized indexes with the expression the search orders by', () => {
    const [binary, half] = getTableConfig(docs).indexes;
    const dialect = new PgDialect();
    expect(dialect.sqlToQuery(binary!.config.columns[0] as never, 'indexes').sql).toBe(
      `(binary_quantize("embedding")::bit(${DIMS})) bit_hamming_ops`,
    );
    expect(dialect.sqlToQuery(half!.config.columns[0] as never, 'indexes').sql).toBe(
      `("embedding"::halfvec(${DIMS})) halfvec_l2_ops`,
    );
    expect(binary!.config.name).toBe(`modes_docs_binary_quantize_embedding_bit_${DIMS}_hnsw_hamming_idx`);
    expect(codeOf(() => hnswIndex(docs.body as never, 'l2', { quantize: 'binary' }))).toBe('INVALID_VALUE');
    expect(codeOf(() => hnswIndex(docs.embedding, 'l2', { quantize: 'bits' as never }))).toBe('INVALID_OPTION');
  });

  it('rerank with candidates >= rows equals the exact search; with fewer, the two-stage answer (Drizzle where)', async () => {
    const plain = await vectorSearch(db, { table: docs, column: docs.embedding, query: q0, distance: 'l2', k: 10 });
    const all = await vectorSearch(db, {
      table: docs,
      column: docs.embedding,
      query: q0,
      distance: 'l2',
      k: 10,
      rerank: { using: 'binary', candidates: data.texts.length },
    });
    const truth = await exactTruth(tdb(), 'modes_docs', q0, 'l2', 10);
    expect(all.map((r) => r.id)).toEqual(truth.map((r) => r.id));
    // The same row type as plain vectorSearch: Drizzle's keys and values.
    expect(all).toEqual(plain);
    for (const using of ['binary', 'halfvec'] as const) {
      const rows = await vectorSearch(db, {
        table: docs,
        column: docs.embedding,
        query: q1,
        distance: 'l2',
        k: 8,
        where: eq(docs.category, 1),
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

  it('the candidate stage is served by the quantized index (EXPLAIN of the statement Drizzle ran)', async () => {
    for (const using of ['binary', 'halfvec'] as const) {
      logged.length = 0;
      await vectorSearch(db, {
        table: docs,
        column: docs.embedding,
        query: q2,
        distance: 'l2',
        k: 5,
        where: eq(docs.category, 2),
        rerank: { using, candidates: 40 },
      });
      const statement = logged.find((l) => l.text.includes(using === 'binary' ? 'binary_quantize' : '::halfvec('))!;
      const report = await explainScansWithoutSeqScan(tdb(), statement.text, statement.values);
      expect(report.indexes).toEqual([getTableConfig(docs).indexes[using === 'binary' ? 0 : 1]!.config.name]);
    }
  });

  it("exact: 'certified' returns the exact top-k (Drizzle where) with its certificate", async () => {
    for (const [distance, certified] of CERTIFIED_CASES) {
      const rows = await vectorSearch(db, {
        table: docs,
        column: docs.embedding,
        query: q0,
        distance,
        k: 7,
        where: sql`${docs.category} <> 0`,
        exact: 'certified',
        ...(certified && { certified }),
      });
      const truth = await exactTruth(tdb(), 'modes_docs', q0, distance, 400);
      const expected = truth.filter((r) => r.id % 3 !== 0).slice(0, 7);
      expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      rows.forEach((r, i) => expect(r.distance).toBeCloseTo(expected[i]!.distance, 5));
      expect(rows.certificate.proven).toBe(true);
      // the form asked for: its first try's N (half form: max(40, 4k)), grown ×4 per try
      expect(rows.certificate.candidates).toBe((certified?.candidates ?? 40) * 4 ** (rows.certificate.tries - 1));
      expect(rows.certificate.candidates).toBeGreaterThanOrEqual(7);
      // Drizzle's row shape: the table's keys plus distance (the generated columns are not in the table).
      expect(Object.keys(rows[0]!).sort()).toEqual(['body', 'category', 'distance', 'embedding', 'id']);
    }
  });

  it('hybridSearch equals the two lists fused independently, with Drizzle where, weights and candidates', async () => {
    const words = 'exact search index';
    const rows = await hybridSearch(db, {
      table: docs,
      column: docs.embedding,
      query: q1,
      distance: 'cosine',
      text: words,
      textColumn: docs.body,
      k: 12,
      candidates: { vector: 30, text: 6 },
      weights: { vector: 1, text: 2 },
      where: eq(docs.category, 2),
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
    expect(rows.every((r) => r.category === 2 && Array.isArray(r.embedding))).toBe(true);
    expect(rows.note).toBeUndefined();
    // Approximate settings run in a Drizzle transaction; with no index on the column, the same rows.
    const approximate = await hybridSearch(db, {
      table: docs,
      column: docs.embedding,
      query: q1,
      distance: 'cosine',
      text: words,
      textColumn: docs.body,
      k: 12,
      candidates: { vector: 30, text: 6 },
      weights: { vector: 1, text: 2 },
      where: eq(docs.category, 2),
      approximate: { efSearch: 100 },
    });
    expectFused(approximate, expected);
    const none = await hybridSearch(db, {
      table: docs,
      column: docs.embedding,
      query: q1,
      distance: 'l2',
      text: 'the of and',
      textColumn: docs.body,
      k: 4,
    });
    expect(none.note).toContain('no searchable words');
    expect(none.map((r) => r.id)).toEqual((await exactTruth(tdb(), 'modes_docs', q1, 'l2', 4)).map((r) => r.id));
  });

  it('bad options give the core errors', async () => {
    const base = { table: docs, column: docs.embedding, query: q0, distance: 'l2' } as const;
    const fail = (p: Promise<unknown>) => p.catch((e: unknown) => codeOf(e));
    expect(await fail(vectorSearch(db, { ...base, rerank: { using: 'bits' as never } }))).toBe('INVALID_OPTION');
    expect(await fail(vectorSearch(db, { ...base, k: 50, rerank: { using: 'binary', candidates: 10 } }))).toBe(
      'INVALID_OPTION',
    );
    expect(await fail(vectorSearch(db, { ...base, exact: true, rerank: { using: 'binary' } }))).toBe('INVALID_OPTION');
    expect(await fail(vectorSearch(db, { ...base, maxDistance: 1, rerank: { using: 'binary' } }))).toBe(
      'INVALID_OPTION',
    );
    expect(await fail(vectorSearch(db, { ...base, distance: 'hamming', exact: 'certified' }))).toBe('UNSUPPORTED');
    expect(await fail(vectorSearch(db, { ...base, k: 0, exact: 'certified' }))).toBe('INVALID_OPTION');
    expect(await fail(vectorSearch(db, { ...base, distance: 'l1', exact: 'certified' }))).toBe(
      'CERTIFIED_SCHEMA_MISSING',
    );
    expect(await fail(vectorSearch(db, { ...base, certified: { candidates: 50 } }))).toBe('INVALID_OPTION');
    expect(await fail(hybridSearch(db, { ...base, text: 'x', textColumn: docs.body, weights: { text: -1 } }))).toBe(
      'INVALID_OPTION',
    );
    expect(await fail(hybridSearch(db, { ...base, text: 'x', textColumn: docs.category }))).toBe('INVALID_OPTION');
  });
});
