import { beforeAll, expect, it } from 'vitest';
import {
  Vector,
  buildSimilarityQuery,
  cosineDistance,
  createIndexSql,
  l2Distance,
  search,
  withSearchSettings,
  type SqlExecutor,
} from 'vecpg';
import { describeEachTarget, type TestDb } from '../support/db.ts';
import { evaluations, explainScans } from '../support/explain.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomVectors(n: number, dims: number, seed: number): Vector[] {
  const rnd = prng(seed);
  return Array.from({ length: n }, () => new Vector(Array.from({ length: dims }, () => rnd() * 2 - 1)));
}

async function insert(
  db: SqlExecutor,
  table: string,
  vectors: Vector[],
  category?: (i: number) => string,
): Promise<void> {
  await db.query(
    `INSERT INTO ${table} (id, category, embedding) SELECT * FROM unnest($1::int[], $2::text[], $3::text[]::vector[])`,
    [
      vectors.map((_, i) => i + 1),
      vectors.map((_, i) => (category ? category(i) : 'x')),
      vectors.map((v) => v.toSql()),
    ],
  );
}

/** The true top-k ids, computed client-side with vecpg's own distance. */
function bruteForce(
  vectors: Vector[],
  q: Vector,
  k: number,
  dist = l2Distance,
  keep: (i: number) => boolean = () => true,
): number[] {
  return vectors
    .map((v, i) => [i + 1, dist(v, q)] as const)
    .filter(([id]) => keep(id - 1))
    .sort((a, b) => a[1] - b[1])
    .slice(0, k)
    .map(([id]) => id);
}

async function plan(tx: SqlExecutor, text: string, values: readonly unknown[]): Promise<string> {
  const rows = await tx.query(`EXPLAIN ${text}`, values);
  return rows.map((r) => String(Object.values(r)[0])).join('\n');
}

describeEachTarget('exact versus approximate', (db) => {
  const DIMS = 16;
  const data = randomVectors(2000, DIMS, 7);
  const queries = randomVectors(10, DIMS, 99);

  beforeAll(async () => {
    await db().query(`CREATE TABLE ivf (id int PRIMARY KEY, category text, embedding vector(${DIMS}))`);
    await insert(db(), 'ivf', data);
    await db().query(
      createIndexSql({
        table: 'ivf',
        column: 'embedding',
        type: 'vector',
        distance: 'l2',
        method: 'ivfflat',
        lists: 100,
      }),
    );
    await db().query('ANALYZE ivf');
  });

  it('EXPLAIN: the exact order is never served by the vector index, even with seq scans disabled; B-tree filters still are', async () => {
    await db().query(`CREATE TABLE expl (id int PRIMARY KEY, category text, embedding vector(3))`);
    await insert(db(), 'expl', randomVectors(500, 3, 3), (i) => String(i % 10));
    await db().query(`CREATE INDEX expl_category ON expl (category)`);
    const indexes: Array<[string, 'l2' | 'ip' | 'cosine' | 'l1', 'hnsw' | 'ivfflat']> = [
      ['expl_embedding_hnsw_l2_idx', 'l2', 'hnsw'],
      ['expl_embedding_hnsw_cosine_idx', 'cosine', 'hnsw'],
      ['expl_embedding_hnsw_ip_idx', 'ip', 'hnsw'],
      ['expl_embedding_hnsw_l1_idx', 'l1', 'hnsw'],
      ['expl_embedding_ivfflat_l2_idx', 'l2', 'ivfflat'],
    ];
    for (const [, distance, method] of indexes) {
      await db().query(
        createIndexSql({
          table: 'expl',
          column: 'embedding',
          type: 'vector',
          distance,
          method,
          ...(method === 'ivfflat' ? { lists: 5 } : {}),
        }),
      );
    }
    await db().query('ANALYZE expl');
    const query = [0.1, 0.2, 0.3];
    for (const [name, distance] of indexes) {
      for (const disable of [false, true]) {
        const plans = await db().transaction(async (tx) => {
          if (disable) await tx.query('SET LOCAL enable_seqscan = off');
          const common = { table: 'expl', column: 'embedding', query, distance, k: 5 } as const;
          const out: Record<string, string> = {};
          for (const exact of [true, false]) {
            for (const shape of ['order', 'annotate', 'threshold', 'filter'] as const) {
              const q = buildSimilarityQuery({
                ...common,
                exact,
                annotate: shape !== 'order',
                ...(shape === 'threshold' ? { maxDistance: 0.5 } : {}),
                ...(shape === 'filter' ? { where: { category: '3' } } : {}),
              });
              out[`${exact ? 'exact' : 'approx'} ${shape}`] = await plan(tx, q.text, q.values);
            }
          }
          return out;
        });
        for (const [key, text] of Object.entries(plans)) {
          const usesVectorIndex = /Index Scan using expl_embedding_/.test(text);
          if (key.startsWith('exact'))
            expect([name, disable, key, usesVectorIndex]).toEqual([name, disable, key, false]);
        }
        // Proof the index is usable at all: unfiltered approximate ordering picks it (always, when seq scans are off).
        if (disable) {
          expect(plans['approx order']).toMatch(/Index Scan using expl_embedding_/);
          expect(plans['exact filter']).toMatch(/Index Scan on expl_category|Index Scan using expl_category/);
        }
      }
    }
  });

  it('EXPLAIN VERBOSE: an annotated, ordered search computes each distance once, exact or approximate', async () => {
    // The scan node's output lists every expression evaluated per row; the sort above it reuses them.
    for (const exact of [true, false]) {
      const q = buildSimilarityQuery({
        table: 'ivf',
        column: 'embedding',
        query: queries[0]!,
        distance: 'l2',
        k: 5,
        exact,
        select: ['id'],
      });
      const report = await explainScans(db(), q.text, q.values);
      expect([exact, evaluations(report, '<->')]).toEqual([exact, 1]);
    }
  });

  it('an IVFFlat index with probes = 1 misses true neighbours; exact returns the brute-force top-k', async () => {
    let approximateMisses = 0;
    for (const q of queries) {
      const truth = bruteForce(data, q, 10);
      const exact = await search<{ id: number }>(db(), {
        table: 'ivf',
        column: 'embedding',
        query: q,
        distance: 'l2',
        k: 10,
        select: ['id'],
      });
      expect(exact.map((r) => r.id)).toEqual(truth);
      exact.forEach((r) => expect(Math.abs(r.distance - l2Distance(data[r.id - 1]!, q))).toBeLessThan(1e-5));
      const approx = await search<{ id: number }>(db(), {
        table: 'ivf',
        column: 'embedding',
        query: q,
        distance: 'l2',
        k: 10,
        select: ['id'],
        approximate: { probes: 1 },
      });
      if (approx.map((r) => r.id).join() !== truth.join()) approximateMisses++;
      // probes = lists scans every list: the index then finds the true top-k.
      const full = await search<{ id: number }>(db(), {
        table: 'ivf',
        column: 'embedding',
        query: q,
        distance: 'l2',
        k: 10,
        select: ['id'],
        approximate: { probes: 100 },
      });
      expect(full.map((r) => r.id)).toEqual(truth);
    }
    // With 100 lists of ~20 rows and one probe, most queries lose neighbours to adjacent lists.
    expect(approximateMisses).toBeGreaterThanOrEqual(5);
  });

  it('the approximate query really went through the index', async () => {
    const q = buildSimilarityQuery({
      table: 'ivf',
      column: 'embedding',
      query: queries[0]!,
      distance: 'l2',
      k: 10,
      exact: false,
    });
    const text = await withSearchSettings(db(), { probes: 1 }, (tx) => plan(tx, q.text, q.values));
    expect(text).toMatch(/Index Scan using ivf_embedding_ivfflat_l2_idx/);
  });

  it('HNSW: a filtered search returns fewer than k rows without iterative scan, k rows with relaxed_order', async () => {
    const rows = randomVectors(10_000, 8, 11);
    const isRare = (i: number): boolean => i % 20 === 7; // 5% of the rows
    await db().query(`CREATE TABLE filt (id int PRIMARY KEY, category text, embedding vector(8))`);
    await insert(db(), 'filt', rows, (i) => (isRare(i) ? 'rare' : 'common'));
    await db().query(
      createIndexSql({
        table: 'filt',
        column: 'embedding',
        type: 'vector',
        distance: 'cosine',
        method: 'hnsw',
        m: 8,
        efConstruction: 32,
      }),
    );
    await db().query('ANALYZE filt');
    const q = randomVectors(1, 8, 12)[0]!;
    const common = {
      table: 'filt',
      column: 'embedding',
      query: q,
      distance: 'cosine',
      k: 10,
      select: ['id', 'category'],
      where: { category: 'rare' },
    } as const;

    const built = buildSimilarityQuery({ ...common, exact: false });
    const planText = await withSearchSettings(db(), { efSearch: 40 }, (tx) => plan(tx, built.text, built.values));
    expect(planText).toMatch(/Index Scan using filt_embedding_hnsw_cosine_idx/);

    const plain = await search<{ id: number; category: string }>(db(), {
      ...common,
      approximate: { efSearch: 40, iterativeScan: 'off' },
    });
    expect(plain.length).toBeLessThan(10);
    expect(plain.every((r) => r.category === 'rare')).toBe(true);

    const iterative = await search<{ id: number; category: string }>(db(), {
      ...common,
      approximate: { efSearch: 40, iterativeScan: 'relaxed_order' },
    });
    expect(iterative).toHaveLength(10);
    expect(iterative.every((r) => r.category === 'rare')).toBe(true);

    const exact = await search<{ id: number }>(db(), common);
    expect(exact.map((r) => r.id)).toEqual(bruteForce(rows, q, 10, cosineDistance, isRare));
  });

  it('search settings are visible inside the transaction; an error inside still fails the search', async () => {
    await db().query(`SELECT '[1]'::vector`); // load pgvector so its settings exist on this connection
    const inside = await withSearchSettings(db(), { efSearch: 123, iterativeScan: 'strict_order', probes: 7 }, (tx) =>
      tx.query<{ ef: string; it: string; pr: string }>(
        `SELECT current_setting('hnsw.ef_search') AS ef, current_setting('hnsw.iterative_scan') AS it, current_setting('ivfflat.probes') AS pr`,
      ),
    );
    expect(inside).toEqual([{ ef: '123', it: 'strict_order', pr: '7' }]);
    await expect(withSearchSettings(db(), { efSearch: 5 }, (tx) => tx.query('SELECT 1/0'))).rejects.toMatchObject({
      code: 'QUERY_FAILED',
    });
  });
});

describeEachTarget('search settings never leak to the next query on the same connection', (db, target) => {
  it('a single connection sees the default ef_search after an approximate search', async () => {
    let one: TestDb | { query: SqlExecutor['query']; transaction: TestDb['transaction']; close(): Promise<void> } =
      db();
    if (target === 'server') {
      // A pool of one connection: the second query runs on the very connection the first used.
      const pg = (await import('pg')).default;
      const { wrapPg } = await import('vecpg/pg');
      const pool = new pg.Pool({ connectionString: db().url!, max: 1 });
      const wrapped = await wrapPg(pool);
      one = Object.assign(wrapped, { close: () => pool.end() });
    }
    try {
      const before = await one.query<{ pid: number; ef: string }>(
        `SELECT pg_backend_pid() AS pid, current_setting('hnsw.ef_search') AS ef FROM (SELECT '[1]'::vector) x`,
      );
      expect(before[0]!.ef).toBe('40');
      await one.query(`CREATE TABLE leak (id int PRIMARY KEY, category text, embedding vector(2))`);
      await one.query(`INSERT INTO leak VALUES (1, 'x', '[1,0]'), (2, 'x', '[0,1]')`);
      const inside = await withSearchSettings(
        one as Parameters<typeof withSearchSettings>[0],
        { efSearch: 321 },
        (tx) =>
          tx.query<{ pid: number; ef: string }>(
            `SELECT pg_backend_pid() AS pid, current_setting('hnsw.ef_search') AS ef`,
          ),
      );
      const rows = await search(one as Parameters<typeof search>[0], {
        table: 'leak',
        column: 'embedding',
        query: [1, 0],
        distance: 'l2',
        approximate: { efSearch: 1 },
      });
      expect(rows).toHaveLength(2);
      const after = await one.query<{ pid: number; ef: string }>(
        `SELECT pg_backend_pid() AS pid, current_setting('hnsw.ef_search') AS ef`,
      );
      expect(inside[0]!.ef).toBe('321');
      expect(after[0]!.ef).toBe('40');
      expect(after[0]!.pid).toBe(inside[0]!.pid); // same connection
      expect(after[0]!.pid).toBe(before[0]!.pid);
      // a failing search rolls back, and its settings with it
      await expect(
        withSearchSettings(one as Parameters<typeof withSearchSettings>[0], { efSearch: 77 }, (tx) =>
          tx.query('SELECT 1/0'),
        ),
      ).rejects.toMatchObject({
        code: 'QUERY_FAILED',
      });
      const afterError = await one.query<{ pid: number; ef: string }>(
        `SELECT pg_backend_pid() AS pid, current_setting('hnsw.ef_search') AS ef`,
      );
      expect(afterError).toEqual([{ pid: before[0]!.pid, ef: '40' }]);
    } finally {
      if (one !== db()) await one.close();
    }
  });
});
