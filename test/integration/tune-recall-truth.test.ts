/**
 * recall() on data whose answer is known: a 70 × 70 integer grid, where every interior point has four
 * neighbours at distance exactly 1 (ties), and sampled query rows would find themselves at distance 0.
 */
import { expect, it } from 'vitest';
import type { SqlExecutor, VecpgDb } from 'vecpg';
import { recall } from 'vecpg/tune';
import { describeEachTarget } from '../support/db.ts';
import { explainScans } from '../support/explain.ts';

describeEachTarget('recall() on a grid', (db) => {
  it('sets up a 70 × 70 grid with an HNSW index', async () => {
    await db().query('CREATE TABLE grid (id int PRIMARY KEY, embedding vector(2))');
    await db().query(
      'INSERT INTO grid SELECT x * 70 + y, ARRAY[x, y]::real[]::vector FROM generate_series(0, 69) x, generate_series(0, 69) y',
    );
    await db().query('CREATE INDEX grid_hnsw ON grid USING hnsw (embedding vector_l2_ops)');
    await db().query('ANALYZE grid');
  });

  const base = { table: 'grid', column: 'embedding', distance: 'l2', sampleSize: 40, seed: 0.2 } as const;

  it('leaves each sampled row out of its own answers by default, and says so; --include-self counts it', async () => {
    // k = 1: with its own row, the true nearest of a sampled row is itself (distance 0), and an index
    // scan stopping at one candidate (ef_search = 1) returns just that row.
    const withSelf = await recall(db(), {
      ...base,
      k: 1,
      includeSelf: true,
      sweep: { setting: 'efSearch', values: [1] },
    });
    expect(withSelf.queryRows).toBe('self-included');
    expect(withSelf.points[0]?.recall).toBe(1);
    // Without it, the true nearest is a grid neighbour at distance 1, which that one-candidate scan never
    // reaches: recall 0, and no row left once the query's own row is dropped.
    const without = await recall(db(), { ...base, k: 1, sweep: { setting: 'efSearch', values: [1] } });
    expect(without.queryRows).toBe('self-excluded');
    expect(without.points[0]?.recall).toBe(0);
    expect(without.points[0]?.meanRows).toBe(0);
    expect(without.exact.meanRows).toBe(1);
  });

  it('stops at the next statement once its signal aborts, and rejects with CANCELLED', async () => {
    const controller = new AbortController();
    const sent: string[] = [];
    const inner = db();
    let afterAbort = 0;
    // Counts the statements recall sends (its transactions' too), and aborts while the 6th runs
    // (mid-measurement, after the catalog reads).
    const count = (): void => {
      if (controller.signal.aborted) afterAbort++;
      sent.push('statement');
      if (sent.length === 6) controller.abort();
    };
    const counting = {
      ...inner,
      async query<R extends Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]> {
        count();
        return inner.query<R>(text, params);
      },
      transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
        inner.transaction((tx) =>
          fn({
            ...tx,
            query: <R extends Record<string, unknown>>(text: string, params?: readonly unknown[]) => {
              count();
              return tx.query<R>(text, params);
            },
          }),
        ),
    } as VecpgDb;
    const whole = await recall(inner, { ...base, k: 4, sweep: { setting: 'efSearch', values: [10, 40, 100] } });
    expect(whole.points).toHaveLength(3);
    const error = await recall(counting, {
      ...base,
      k: 4,
      sweep: { setting: 'efSearch', values: [10, 40, 100] },
      signal: controller.signal,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CANCELLED' });
    expect(sent.length).toBe(6); // nothing after the statement during which it aborted
    expect(afterAbort).toBe(0);
    await expect(recall(inner, { ...base, signal: controller.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('counts a returned row at exactly the k-th true distance as a hit (ties on the grid)', async () => {
    // k = 2 of four neighbours at distance 1: which two the exact scan lists is arbitrary; any two are right.
    const r = await recall(db(), { ...base, k: 2, sweep: { setting: 'efSearch', values: [100] } });
    expect(r.points[0]?.usesIndex).toBe(true);
    expect(r.points[0]?.recall).toBe(1);
    expect(r.points[0]?.recallStdDev).toBe(0);
    // all 40 queries perfect: Wilson's interval over 40 × 2 neighbours, [80 / (80 + 1.96²), 1]
    expect(r.points[0]?.recallInterval[0]).toBeCloseTo(80 / (80 + 1.959964 ** 2), 10);
    expect(r.points[0]?.recallInterval[1]).toBeCloseTo(1, 10);
  });

  it('checks the plan of every sweep point and never recommends one that scans the table', async () => {
    const r = await recall(db(), { ...base, k: 4, target: 0.99, sweep: { setting: 'efSearch', values: [1, 1000] } });
    for (const p of r.points) {
      // independently: EXPLAIN the same statement shape with that ef_search
      const scans = await db().transaction(async (tx) => {
        await tx.query(`SET LOCAL hnsw.ef_search = ${p.settings.efSearch}`);
        return explainScans(tx, "SELECT id FROM grid ORDER BY embedding <-> '[3,4]'::vector LIMIT 5", []);
      });
      expect(p.usesIndex, p.label).toBe(scans.indexes.includes('grid_hnsw'));
    }
    // pgvector's cost estimate grows with ef_search: at 1000 on 4,900 rows PostgreSQL prefers a sequential scan
    expect(r.points.map((p) => p.usesIndex)).toEqual([true, false]);
    expect(r.points[1]?.recall).toBe(1); // an exact scan, trivially
    expect(r.best).toBeNull();
    expect(r.bestByMean).toBeNull();
    expect(r.usesIndex).toBe(true);
  });
});
