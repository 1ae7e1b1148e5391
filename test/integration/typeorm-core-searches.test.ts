/**
 * TypeORM's two-stage (`rerank`), certified and hybrid searches, each checked against an independent
 * computation in plain SQL (test/support/core-searches.ts): the hand-written two-stage query over the
 * same quantized index, the exact top-k, and the two ranked lists of hybrid search fused here. The
 * entities must be those TypeORM itself loads, the host's where must hold, the quantized index must serve
 * the candidate stage (EXPLAIN), and bad options give the core's errors.
 */
import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { quantizedExpression, rerankSearch, search } from 'vecpg';
import {
  VectorColumn,
  VectorIndex,
  addCertifiedColumns,
  createVectorIndexes,
  hybridSearch,
  pgliteOptions,
  registerVectorTypes,
  syncVectorSchema,
  vectorSearch,
} from 'vecpg/typeorm';
import { Brackets, Column, DataSource, Entity, type Logger, PrimaryColumn, type Repository } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DIMS,
  docsData,
  exactTop,
  fuse,
  hybridLists,
  lit,
  seedDocs,
  twoStageTop,
  CERTIFIED_CASES,
  PREFIX_LAYOUT,
} from '../support/core-searches.ts';
import { describeEachTarget } from '../support/db.ts';
import { explainScans, explainScansWithoutSeqScan } from '../support/explain.ts';

@Entity('docs')
class Doc {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'int' }) category!: number;
  @Column({ type: 'text' }) body!: string;
  @VectorColumn(DIMS)
  @VectorIndex({ name: 'docs_embedding_bq', distance: 'l2', quantize: 'binary' })
  @VectorIndex({ name: 'docs_embedding_hq', distance: 'l2', quantize: 'halfvec' })
  embedding!: number[];
}

class Capture implements Logger {
  queries: Array<{ sql: string; params: unknown[] }> = [];
  logQuery(sql: string, params?: unknown[]): void {
    this.queries.push({ sql, params: params ?? [] });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message?: string },
  );

describeEachTarget('typeorm: rerank, certified and hybrid search', (db) => {
  const data = docsData();
  const [q0, q1, q2] = data.queries as [number[], number[], number[]];
  let ds: DataSource;
  let repo: Repository<Doc>;
  const capture = new Capture();

  beforeAll(async () => {
    await seedDocs(db(), data);
    const base =
      db().target === 'server' ? { type: 'postgres' as const, url: db().url! } : pgliteOptions(db().raw as PGlite);
    ds = registerVectorTypes(new DataSource({ ...base, entities: [Doc], logger: capture, logging: true }));
    await ds.initialize();
    repo = ds.getRepository(Doc);
    const statements = await createVectorIndexes(ds, [Doc]);
    // The index helper writes the very expression the two-stage search orders by.
    expect(statements.join('\n')).toContain(`((${quantizedExpression('embedding', 'binary', DIMS)}) bit_hamming_ops)`);
    expect(statements.join('\n')).toContain(`((${quantizedExpression('embedding', 'halfvec', DIMS)}) halfvec_l2_ops)`);
    await addCertifiedColumns(ds, 'docs', 'embedding', DIMS, ['l2', 'cosine']);
    await addCertifiedColumns(ds, 'docs', 'embedding', DIMS, ['l2', 'cosine'], PREFIX_LAYOUT);
    await db().query('ANALYZE docs');
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  /** The entities TypeORM loads itself for these ids, in this order. */
  async function loaded(ids: number[]): Promise<Doc[]> {
    const rows = await repo.findBy(ids.map((id) => ({ id })));
    return ids.map((id) => rows.find((r) => r.id === id)!);
  }

  it('rerank (binary): the hand-written two-stage answer over the same index, as entities', async () => {
    const rows = await vectorSearch(repo, {
      column: 'embedding',
      query: q0,
      distance: 'l2',
      k: 10,
      rerank: { using: 'binary', candidates: 100 },
    });
    const expected = await twoStageTop(db(), q0, 'binary', 100, 10, 'l2');
    expect(rows.map((r) => r.entity.id)).toEqual(expected.map((r) => r.id));
    rows.forEach((r, i) => expect(r.distance).toBeCloseTo(expected[i]!.distance, 5));
    expect(rows.every((r) => r.entity instanceof Doc)).toBe(true);
    expect(rows.map((r) => r.entity)).toEqual(await loaded(expected.map((r) => r.id)));
  });

  it('rerank (halfvec, 1000 candidates): the exact top-k; the where holds before the candidates', async () => {
    const all = await vectorSearch(repo, {
      column: 'embedding',
      query: q1,
      distance: 'l2',
      k: 10,
      rerank: { using: 'halfvec', candidates: 1000 },
    });
    expect(all.map((r) => r.entity.id)).toEqual((await exactTop(db(), q1, 10, 'l2')).map((r) => r.id));
    const filtered = await vectorSearch(repo, {
      column: 'embedding',
      query: q1,
      distance: 'l2',
      k: 10,
      where: { category: 1 },
      rerank: { using: 'halfvec', candidates: 1000 },
    });
    expect(filtered).toHaveLength(10);
    expect(filtered.every((r) => r.entity.category === 1)).toBe(true);
    expect(filtered.map((r) => r.entity.id)).toEqual((await exactTop(db(), q1, 10, 'l2', 1)).map((r) => r.id));
  });

  it('the candidate stage is served by the quantized index (EXPLAIN of the statement sent)', async () => {
    for (const [using, index] of [
      ['binary', 'docs_embedding_bq'],
      ['halfvec', 'docs_embedding_hq'],
    ] as const) {
      for (const where of [undefined, { category: 2 }]) {
        capture.queries = [];
        await vectorSearch(repo, {
          column: 'embedding',
          query: q2,
          distance: 'l2',
          k: 5,
          rerank: { using, candidates: 200 },
          ...(where === undefined ? {} : { where }),
        });
        const sent = capture.queries.find((s) => s.sql.includes(quantizedExpression('embedding', using, DIMS)))!;
        // Unfiltered, the planner picks the index by itself; with the where (a `ctid IN (…)` semi-join)
        // it prefers a scan on 2,400 rows, so it is asked whether the index can serve it at all (at 60,000
        // rows it picks index scan + TID lookups by itself).
        const report =
          where === undefined
            ? await explainScans(db(), sent.sql, sent.params)
            : await explainScansWithoutSeqScan(db(), sent.sql, sent.params);
        expect(report.indexes, `${using} ${JSON.stringify(where)}`).toContain(index);
      }
    }
  });

  it('syncVectorSchema leaves a certified column out of line (STORAGE EXTERNAL), as certified search needs', async () => {
    const storage = async () =>
      (
        await db().query<{ s: string }>(
          "SELECT attstorage::text AS s FROM pg_attribute WHERE attrelid = 'docs'::regclass AND attname = 'embedding'",
        )
      )[0]!.s;
    expect(await storage()).toBe('e'); // set by addCertifiedColumns
    const statements = await syncVectorSchema(ds);
    expect(statements.filter((s) => s.includes('SET STORAGE'))).toEqual([]);
    expect(await storage()).toBe('e');
  });

  it("exact: 'certified': the exact top-k (plain SQL), with its certificate, where and all", async () => {
    for (const [distance, certified] of CERTIFIED_CASES) {
      for (const category of [undefined, 2]) {
        const rows = await vectorSearch(repo, {
          column: 'embedding',
          query: q0,
          distance,
          k: 10,
          exact: 'certified',
          ...(certified && { certified }),
          ...(category === undefined
            ? {}
            : { where: new Brackets((w) => w.where('item.category = :c', { c: category })) }),
        });
        const expected = await exactTop(db(), q0, 10, distance, category);
        expect(
          rows.map((r) => r.entity.id),
          `${distance} ${category}`,
        ).toEqual(expected.map((r) => r.id));
        rows.forEach((r, i) => expect(r.distance).toBeCloseTo(expected[i]!.distance, 5));
        expect(rows.certificate.tries).toBeGreaterThanOrEqual(1);
        expect(rows.certificate.proven).toBe(true);
        // the form asked for: its first try's N (half form: max(40, 4k)), grown ×4 per try
        expect(rows.certificate.candidates).toBe((certified?.candidates ?? 40) * 4 ** (rows.certificate.tries - 1));
        expect(rows.map((r) => r.entity)).toEqual(await loaded(expected.map((r) => r.id)));
      }
    }
  });

  it('hybridSearch: the two lists fused independently, with the where, weights and candidates', async () => {
    const words = 'exact search index';
    const lists = await hybridLists(db(), q0, words, 'l2', { vector: 30, text: 5 }, 1);
    expect(lists.text).toHaveLength(5);
    const expected = fuse(lists.vector, lists.text, 15, 1, 2);
    const rows = await hybridSearch(repo, {
      column: 'embedding',
      query: q0,
      distance: 'l2',
      text: words,
      textColumn: 'body',
      k: 15,
      candidates: { vector: 30, text: 5 },
      weights: { vector: 1, text: 2 },
      where: { category: 1 },
    });
    expect(rows.map((r) => ({ id: r.entity.id, vectorRank: r.vectorRank, textRank: r.textRank }))).toEqual(
      expected.map((r) => ({ id: r.id, vectorRank: r.vectorRank, textRank: r.textRank })),
    );
    rows.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 12));
    expect(rows.some((r) => r.vectorRank === null) && rows.some((r) => r.textRank === null)).toBe(true);
    expect(rows.every((r) => r.entity.category === 1)).toBe(true);
    expect(rows.note).toBeUndefined();
    expect(rows.map((r) => r.entity)).toEqual(await loaded(expected.map((r) => r.id)));
    const none = await hybridSearch(repo, {
      column: 'embedding',
      query: q0,
      distance: 'l2',
      text: 'the of',
      textColumn: 'body',
      k: 5,
    });
    expect(none.note).toContain('no searchable words');
    expect(none.map((r) => r.entity.id)).toEqual((await exactTop(db(), q0, 5, 'l2')).map((r) => r.id));
  });

  it("bad options give the core's errors", async () => {
    const base = { column: 'embedding', query: q0, distance: 'l2' } as const;
    const core = { table: 'docs', column: 'embedding', query: q0, distance: 'l2' } as const;
    for (const rerank of [{ using: 'pq' }, { using: 'binary', candidates: 5000 }, { using: 'binary', candidates: 3 }]) {
      const mine = await errorOf(vectorSearch(repo, { ...base, k: 10, rerank: rerank as never }));
      const theirs = await errorOf(rerankSearch(db(), { ...core, k: 10, rerank: rerank as never }));
      expect(mine?.code).toBe('INVALID_OPTION');
      expect(mine?.message).toBe(theirs?.message);
    }
    const certified = { ...base, exact: 'certified' as const, approximate: { efSearch: 50 } };
    expect((await errorOf(vectorSearch(repo, certified)))?.message).toBe(
      (await errorOf(search(db(), { ...core, exact: 'certified', approximate: { efSearch: 50 } })))?.message,
    );
    expect((await errorOf(vectorSearch(repo, { ...base, k: 0, exact: 'certified' })))?.code).toBe('INVALID_OPTION');
    expect((await errorOf(vectorSearch(repo, { ...base, exact: true, rerank: { using: 'binary' } })))?.code).toBe(
      'INVALID_OPTION',
    );
    expect((await errorOf(vectorSearch(repo, { ...base, maxDistance: 1, rerank: { using: 'binary' } })))?.code).toBe(
      'INVALID_OPTION',
    );
    const hybrid = { column: 'embedding', query: q0, distance: 'l2', text: 'x' } as const;
    expect((await errorOf(hybridSearch(repo, { ...hybrid, textColumn: 'nope' })))?.code).toBe('INVALID_OPTION');
    expect((await errorOf(hybridSearch(repo, { ...hybrid, textColumn: 'id' })))?.code).toBe('INVALID_OPTION');
    expect((await errorOf(hybridSearch(repo, { ...hybrid, textColumn: 'body', k: 0 })))?.message).toBe(
      (await errorOf(search(db(), { ...core, k: 0 })))?.message,
    );
    expect(lit([1])).toBe('[1]');
  });
});
