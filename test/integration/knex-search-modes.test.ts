/**
 * Knex's hybrid, two-stage and certified searches against independent answers (test/support/search-
 * modes.ts: plain SQL with pgvector's operators and PostgreSQL's full-text functions, fused or compared
 * here), with Knex's own `where` callback (plain WHERE clauses, and a join, which becomes `ctid IN (…)`),
 * rows as Knex's `vectorSearch` returns them, the quantized indexes made by `createVectorIndex({ quantize })`
 * serving the candidate stage (EXPLAIN of the statement Knex ran), and the core's errors for bad options.
 */
import type { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  addCertifiedColumns,
  createVectorIndex,
  hybridSearch,
  knexPglite,
  vectorSearch,
  withVectorTypes,
} from 'vecpg/knex';
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

async function knexFor(t: TestDb): Promise<Knex> {
  if (t.target === 'pglite') return knexPglite(t.raw as PGlite);
  return knexFactory(withVectorTypes({ client: 'pg', connection: t.url!, pool: { min: 0, max: 3 } }));
}

type Doc = {
  id: number;
  category: number;
  body: string;
  embedding: number[];
};

describeEachTarget('knex: hybrid, two-stage and certified search', (tdb) => {
  const data = modesData(11);
  const [q0, q1, q2] = data.queries as [number[], number[], number[]];
  let knex: Knex;
  const executed: Array<{ sql: string; bindings: unknown[] }> = [];
  const names = {
    binary: `modes_docs_binary_quantize_embedding_bit_${DIMS}_hnsw_hamming_idx`,
    halfvec: `modes_docs_embedding_halfvec_${DIMS}_hnsw_l2_idx`,
  };

  beforeAll(async () => {
    knex = await knexFor(tdb());
    knex.on('query', (q: { sql: string; bindings?: unknown[] }) =>
      executed.push({ sql: q.sql, bindings: q.bindings ?? [] }),
    );
    await knex.schema.createTable('modes_docs', (t) => {
      t.integer('id').primary();
      t.integer('category').notNullable();
      t.text('body').notNullable();
      t.specificType('embedding', `vector(${DIMS})`);
    });
    await knex.schema.createTable('modes_tags', (t) => {
      t.integer('doc_id').primary();
      t.text('tag').notNullable();
    });
    await fillModesTable(tdb(), 'modes_docs', data);
    await knex.raw(`INSERT INTO modes_tags SELECT id, CASE WHEN id % 2 = 0 THEN 'even' ELSE 'odd' END FROM modes_docs`);
    const base = {
      table: 'modes_docs',
      column: 'embedding',
      type: 'vector',
      distance: 'l2',
      dimensions: DIMS,
    } as const;
    await createVectorIndex(knex, { ...base, quantize: 'binary' });
    await createVectorIndex(knex, { ...base, quantize: 'halfvec' });
    await addCertifiedColumns(knex, 'modes_docs', 'embedding', DIMS, ['l2', 'cosine']);
    await addCertifiedColumns(knex, 'modes_docs', 'embedding', DIMS, ['l2', 'cosine'], PREFIX_LAYOUT);
  }, 60_000);

  afterAll(async () => {
    await knex.destroy();
  });

  it('creates the quantized indexes on the expression the search orders by', async () => {
    const rows = await tdb().query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'modes_docs' AND indexdef LIKE '%hnsw%'`,
    );
    const defs = Object.fromEntries(rows.map((r) => [r.name, r.def]));
    expect(defs[names.binary]).toContain(`USING hnsw (((binary_quantize(embedding))::bit(${DIMS})) bit_hamming_ops)`);
    expect(defs[names.halfvec]).toContain(`USING hnsw (((embedding)::halfvec(${DIMS})) halfvec_l2_ops)`);
    expect(
      codeOf(() =>
        createVectorIndex(knex, {
          table: 'modes_docs',
          column: 'embedding',
          type: 'vector',
          distance: 'l2',
          quantize: 'binary',
        }),
      ),
    ).toBe('INVALID_OPTION');
  });

  it('rerank with candidates >= rows equals the exact search; with fewer, the two-stage answer (Knex where)', async () => {
    const base = { table: 'modes_docs', column: 'embedding', query: q0, distance: 'l2', k: 10 } as const;
    const plain = await vectorSearch<Doc>(knex, base);
    const all = await vectorSearch<Doc>(knex, { ...base, rerank: { using: 'binary', candidates: data.texts.length } });
    const truth = await exactTruth(tdb(), 'modes_docs', q0, 'l2', 10);
    expect(all.map((r) => r.id)).toEqual(truth.map((r) => r.id));
    expect(all).toEqual(plain);
    for (const using of ['binary', 'halfvec'] as const) {
      const rows = await vectorSearch<Doc>(knex, {
        table: 'modes_docs',
        column: 'embedding',
        query: q1,
        distance: 'l2',
        k: 8,
        where: (qb) => void qb.where('category', 1),
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

  it('the candidate stage is served by the quantized index (EXPLAIN of the statement Knex ran)', async () => {
    for (const using of ['binary', 'halfvec'] as const) {
      executed.length = 0;
      await vectorSearch(knex, {
        table: 'modes_docs',
        column: 'embedding',
        query: q2,
        distance: 'l2',
        k: 5,
        where: (qb) => void qb.where('category', 2),
        rerank: { using, candidates: 40 },
      });
      const run = executed.find((q) => q.sql.includes(using === 'binary' ? 'binary_quantize' : '::halfvec('))!;
      let n = 0;
      const text = /\$\d/.test(run.sql) ? run.sql : run.sql.replace(/\?/g, () => `$${++n}`);
      const report = await explainScansWithoutSeqScan(tdb(), text, run.bindings);
      expect(report.indexes).toEqual([names[using]]);
    }
  });

  it("exact: 'certified' returns the exact top-k (Knex where, select, distanceAlias) with its certificate", async () => {
    for (const [distance, certified] of CERTIFIED_CASES) {
      const rows = await vectorSearch<{ id: number; category: number; d: number }>(knex, {
        table: 'modes_docs',
        column: 'embedding',
        query: q0,
        distance,
        k: 7,
        select: ['id', 'category'],
        distanceAlias: 'd',
        where: (qb) => void qb.whereNot('category', 0),
        exact: 'certified',
        ...(certified && { certified }),
      });
      const expected = (await exactTruth(tdb(), 'modes_docs', q0, distance, 400))
        .filter((r) => r.id % 3 !== 0)
        .slice(0, 7);
      expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      rows.forEach((r, i) => expect(r.d).toBeCloseTo(expected[i]!.distance, 5));
      expect(Object.keys(rows[0]!).sort()).toEqual(['category', 'd', 'id']);
      expect(rows.certificate.proven).toBe(true);
      // the form asked for: its first try's N (half form: max(40, 4k)), grown ×4 per try
      expect(rows.certificate.candidates).toBe((certified?.candidates ?? 40) * 4 ** (rows.certificate.tries - 1));
    }
  });

  it('a where callback with a join becomes ctid IN (…) and keeps its meaning', async () => {
    executed.length = 0;
    const rows = await vectorSearch<Doc>(knex, {
      table: 'modes_docs',
      column: 'embedding',
      query: q1,
      distance: 'l2',
      k: 6,
      where: (qb) => void qb.join('modes_tags', 'modes_tags.doc_id', 'modes_docs.id').where('modes_tags.tag', 'even'),
      exact: 'certified',
    });
    expect(executed.some((q) => q.sql.includes('ctid IN (select "modes_docs".ctid from "modes_docs" inner join'))).toBe(
      true,
    );
    const expected = (await exactTruth(tdb(), 'modes_docs', q1, 'l2', 400)).filter((r) => r.id % 2 === 0).slice(0, 6);
    expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
  });

  it('hybridSearch equals the two lists fused independently, with Knex where, weights and candidates', async () => {
    const words = 'exact search index';
    const rows = await hybridSearch<Doc>(knex, {
      table: 'modes_docs',
      column: 'embedding',
      query: q1,
      distance: 'cosine',
      text: words,
      textColumn: 'body',
      k: 12,
      candidates: { vector: 30, text: 6 },
      weights: { vector: 1, text: 2 },
      where: (qb) => void qb.where('category', 2),
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
    const none = await hybridSearch(knex, {
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
    expect(await fail(vectorSearch(knex, { ...base, rerank: { using: 'bits' as never } }))).toBe('INVALID_OPTION');
    expect(await fail(vectorSearch(knex, { ...base, k: 50, rerank: { using: 'binary', candidates: 10 } }))).toBe(
      'INVALID_OPTION',
    );
    expect(
      await fail(
        vectorSearch(knex, {
          table: 'modes_docs',
          column: 'embedding',
          distance: 'l2',
          likeId: 1,
          rerank: { using: 'binary' },
        }),
      ),
    ).toBe('INVALID_OPTION');
    expect(await fail(vectorSearch(knex, { ...base, distance: 'hamming', exact: 'certified' }))).toBe('UNSUPPORTED');
    expect(await fail(vectorSearch(knex, { ...base, distance: 'l1', exact: 'certified' }))).toBe(
      'CERTIFIED_SCHEMA_MISSING',
    );
    expect(await fail(hybridSearch(knex, { ...base, text: 'x', textColumn: 'nope' }))).toBe('INVALID_OPTION');
    expect(await fail(hybridSearch(knex, { ...base, text: 'x', textColumn: 'body', candidates: { vector: 0 } }))).toBe(
      'INVALID_OPTION',
    );
  });
});
