import { expect, it } from 'vitest';
import { Vector, l2Distance } from 'vecpg';
import { recall } from 'vecpg/tune';
import { describeEachTarget } from '../support/db.ts';

const DIMS = 12;
const K = 10;

describeEachTarget('recall()', (db) => {
  let all: Array<{ id: number; v: Vector; tenant: number }> = [];
  let queries: Vector[] = [];

  it('sets up 1500 random rows with a deliberately weak HNSW index', async () => {
    await db().transaction(async (tx) => {
      await tx.query('SELECT setseed(0.11)');
      await tx.query(`CREATE TABLE pts (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(${DIMS}))`);
      await tx.query(
        `INSERT INTO pts SELECT i, i % 3, (SELECT array_agg(random())::vector(${DIMS}) FROM generate_series(1, ${DIMS}) g WHERE i > 0)
           FROM generate_series(1, 1500) i`,
      );
    });
    await db().query(
      'CREATE INDEX pts_hnsw ON pts USING hnsw (embedding vector_l2_ops) WITH (m = 2, ef_construction = 4)',
    );
    await db().query('ANALYZE pts');
    const rows = await db().query<{ id: number; t: string; tenant: number }>(
      'SELECT id, tenant, embedding::text AS t FROM pts ORDER BY id',
    );
    all = rows.map((r) => ({ id: r.id, tenant: r.tenant, v: Vector.fromSql(r.t) }));
    expect(all).toHaveLength(1500);
    // queries that are not rows of the table
    queries = Array.from(
      { length: 15 },
      (_, i) => new Vector(Array.from({ length: DIMS }, (_, j) => ((i * 7 + j * 3) % 11) / 10)),
    );
  });

  /** Brute force in JS (exact) against the index's answer fetched with plain SQL. */
  async function bruteForceRecall(efSearch: number, filterTenant?: number, iterative = 'off'): Promise<number> {
    let total = 0;
    for (const q of queries) {
      const exact = all
        .filter((r) => filterTenant === undefined || r.tenant === filterTenant)
        .map((r) => ({ id: r.id, d: l2Distance(r.v, q) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, K)
        .map((r) => r.id);
      const approx = await db().transaction(async (tx) => {
        await tx.query(`SET LOCAL hnsw.ef_search = ${efSearch}`);
        await tx.query(`SET LOCAL hnsw.iterative_scan = ${iterative}`);
        const where = filterTenant === undefined ? '' : `WHERE tenant = ${filterTenant}`;
        return tx.query<{ id: number }>(`SELECT id FROM pts ${where} ORDER BY embedding <-> $1::vector LIMIT ${K}`, [
          q.toSql(),
        ]);
      });
      const got = new Set(approx.map((r) => r.id));
      total += exact.filter((id) => got.has(id)).length / exact.length;
    }
    return total / queries.length;
  }

  it('recall@k per ef_search equals a brute-force computation', async () => {
    const result = await recall(db(), {
      table: 'pts',
      column: 'embedding',
      distance: 'l2',
      k: K,
      queries,
      sweep: { setting: 'efSearch', values: [40, 1, 10] },
      target: 0.9,
    });
    expect(result.usesIndex).toBe(true);
    expect(result.index).toEqual({ name: 'pts_hnsw', method: 'hnsw', opclass: 'vector_l2_ops' });
    expect(result.points.map((p) => p.label)).toEqual(['ef_search=1', 'ef_search=10', 'ef_search=40']);
    const expected = [await bruteForceRecall(1), await bruteForceRecall(10), await bruteForceRecall(40)];
    result.points.forEach((p, i) => expect(p.recall).toBeCloseTo(expected[i] ?? -1, 12));
    expect(expected[0]).toBeLessThan(1); // the weak index really misses neighbours
    // HNSW returns at most ef_search rows
    expect(result.points.map((p) => p.meanRows)).toEqual([1, K, K]);
    for (const p of result.points) expect(p.p95Ms).toBeGreaterThanOrEqual(p.p50Ms);
    const best = result.points.find((p) => p.recall >= 0.9 - 1e-9) ?? null;
    expect(result.best).toEqual(best);
  });

  it('filtered: without iterative scan fewer rows and lower recall, with it k rows — both equal brute force', async () => {
    const result = await recall(db(), {
      table: 'pts',
      column: 'embedding',
      distance: 'l2',
      k: K,
      queries,
      filter: { tenant: 1 },
      sweep: { setting: 'efSearch', values: [10] },
    });
    expect(result.points.map((p) => p.label)).toEqual(['ef_search=10', 'ef_search=10 iterative=relaxed_order']);
    const [off, relaxed] = result.points;
    expect(off?.meanRows).toBeLessThan(K);
    expect(relaxed?.meanRows).toBe(K);
    expect(off?.recall).toBeCloseTo(await bruteForceRecall(10, 1, 'off'), 12);
    expect(relaxed?.recall).toBeCloseTo(await bruteForceRecall(10, 1, 'relaxed_order'), 12);
  });

  it('samples queries from the table repeatably, and names a missing index', async () => {
    const a = await recall(db(), {
      table: 'pts',
      column: 'embedding',
      distance: 'l2',
      sampleSize: 5,
      sweep: { setting: 'efSearch', values: [20] },
    });
    const b = await recall(db(), {
      table: 'pts',
      column: 'embedding',
      distance: 'l2',
      sampleSize: 5,
      sweep: { setting: 'efSearch', values: [20] },
    });
    expect(a.queries).toBe(5);
    expect(a.points[0]?.recall).toBe(b.points[0]?.recall);
    await expect(
      recall(db(), { table: 'pts', column: 'embedding', distance: 'cosine', sampleSize: 5 }),
    ).rejects.toMatchObject({
      code: 'UNSUPPORTED',
      message: expect.stringContaining('found pts_hnsw (vector_l2_ops)'),
    });
  });
});
