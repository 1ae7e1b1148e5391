/**
 * Two-stage search (quantized candidates from an HNSW index, exact re-rank), checked independently: the
 * candidate set is fetched by a hand-written query over the same index expression, the distances are
 * pgvector's own, the re-ranked top-k is recomputed here, and EXPLAIN shows the quantized index in use.
 */
import { beforeAll, expect, it } from 'vitest';
import { createIndexSql, quantizedExpression, rerankSearch } from 'vecpg';
import { buildRerankQuery } from 'vecpg/sql';
import { describeEachTarget } from '../support/db.ts';
import { codeOf } from '../support/errors.ts';
import { explainScans } from '../support/explain.ts';
import { seededRandom } from '../support/random.ts';

const DIMS = 64;
const ROWS = 3000;
const K = 10;
const CANDIDATES = 200;

describeEachTarget('rerankSearch (quantized candidates, exact re-rank)', (db) => {
  const rand = seededRandom(21);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centers = Array.from({ length: 30 }, () => Array.from({ length: DIMS }, gauss));
  const vectors = Array.from({ length: ROWS }, (_, i) => centers[i % 30]!.map((c) => c + 0.35 * gauss()));
  const lit = (v: number[]) => `[${v.map((x) => Math.fround(x)).join(',')}]`;
  const queries = Array.from({ length: 8 }, (_, i) => centers[(i * 7) % 30]!.map((c) => c + 0.35 * gauss()));

  beforeAll(async () => {
    await db().query(`CREATE TABLE items (id int PRIMARY KEY, category int, embedding vector(${DIMS}))`);
    for (let i = 0; i < ROWS; i += 500) {
      const chunk = vectors.slice(i, i + 500);
      const values = chunk.map((_, j) => `($${3 * j + 1}::int, $${3 * j + 2}::int, $${3 * j + 3}::vector)`).join(',');
      await db().query(
        `INSERT INTO items VALUES ${values}`,
        chunk.flatMap((v, j) => [i + j, (i + j) % 4, lit(v)]),
      );
    }
    await db().query(
      createIndexSql({
        table: 'items',
        expression: quantizedExpression('embedding', 'binary', DIMS),
        type: 'bit',
        distance: 'hamming',
      }),
    );
    await db().query(
      createIndexSql({
        table: 'items',
        expression: quantizedExpression('embedding', 'halfvec', DIMS),
        type: 'halfvec',
        distance: 'l2',
      }),
    );
  });

  /** pgvector's distances from q for the given ids. */
  async function trueDistances(q: number[], ids: number[]): Promise<Map<number, number>> {
    const rows = await db().query<{ id: number; d: number }>(
      'SELECT id, embedding <-> $1::vector AS d FROM items WHERE id = ANY($2::int[])',
      [lit(q), ids],
    );
    return new Map(rows.map((r) => [Number(r.id), Number(r.d)]));
  }

  it('binary: the exact top-k of the index’s candidates, with pgvector’s distances, and good recall', async () => {
    let hits = 0;
    for (const q of queries) {
      const rows = await rerankSearch<{ id: number }>(db(), {
        table: 'items',
        column: 'embedding',
        query: q,
        distance: 'l2',
        k: K,
        rerank: { using: 'binary', candidates: CANDIDATES },
      });
      // The candidates, asked for independently through the same expression index.
      const candidates = await db().transaction(async (tx) => {
        await tx.query(`SELECT set_config('hnsw.ef_search', '${CANDIDATES}', true)`);
        return tx.query<{ id: number }>(
          `SELECT id FROM items ORDER BY binary_quantize(embedding)::bit(${DIMS}) <~> binary_quantize($1::vector)::bit(${DIMS}) LIMIT ${CANDIDATES}`,
          [lit(q)],
        );
      });
      expect(candidates.length).toBe(CANDIDATES);
      const dist = await trueDistances(
        q,
        candidates.map((r) => Number(r.id)),
      );
      const expected = [...dist.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, K);
      expect(rows.map((r) => Number(r.id))).toEqual(expected.map(([id]) => id));
      rows.forEach((r, i) => expect(r.distance).toBeCloseTo(expected[i]![1], 5));
      // Recall against the exact top-k over the whole table.
      const exact = await db().query<{ id: number }>(
        `SELECT id FROM items ORDER BY (embedding <-> $1::vector) + 0 LIMIT ${K}`,
        [lit(q)],
      );
      const truth = new Set(exact.map((r) => Number(r.id)));
      hits += rows.filter((r) => truth.has(Number(r.id))).length;
    }
    expect(hits / (K * queries.length)).toBeGreaterThanOrEqual(0.8);
  });

  it('the candidate stage is served by the quantized index', async () => {
    for (const using of ['binary', 'halfvec'] as const) {
      const statement = buildRerankQuery({
        table: 'items',
        column: 'embedding',
        query: queries[0]!,
        distance: 'l2',
        k: K,
        rerank: { using, candidates: CANDIDATES },
      });
      const scans = await explainScans(db(), statement.text, statement.values);
      expect(scans.indexes.join(' ')).toMatch(using === 'binary' ? /binary_quantize|bit/ : /halfvec/);
    }
  });

  it('halfvec: equal to the exact top-k here, and filters apply before the candidates are taken', async () => {
    const q = queries[1]!;
    const rows = await rerankSearch<{ id: number; category: number }>(db(), {
      table: 'items',
      column: 'embedding',
      query: q,
      distance: 'l2',
      k: K,
      rerank: { using: 'halfvec', candidates: 100 },
      where: { category: 2 },
    });
    const exact = await db().query<{ id: number }>(
      `SELECT id FROM items WHERE category = 2 ORDER BY (embedding <-> $1::vector) + 0 LIMIT ${K}`,
      [lit(q)],
    );
    expect(rows.map((r) => Number(r.id))).toEqual(exact.map((r) => Number(r.id)));
    expect(rows.every((r) => Number(r.category) === 2)).toBe(true);
  });

  it('bad rerank options name the option', async () => {
    const base = { table: 'items', column: 'embedding', query: queries[0]!, distance: 'l2' } as const;
    const bad = [{ using: 'pq' }, { using: 'binary', candidates: 5000 }, { using: 'binary', candidates: 3 }];
    for (const rerank of bad) {
      const error = await rerankSearch(db(), { ...base, rerank: rerank as never }).catch((e: unknown) => e);
      expect(codeOf(error)).toBe('INVALID_OPTION');
    }
  });
});
