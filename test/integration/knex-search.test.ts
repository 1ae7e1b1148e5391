/**
 * vecpg/knex search: exact (the brute-force top-k computed in JS, even with an IVFFlat or HNSW
 * index on the column) and approximate with `probes` / `efSearch` / `iterativeScan` applied by
 * `SET LOCAL` inside a Knex transaction — observable in the rows, and gone afterwards.
 */
import type { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { l2Distance as clientL2 } from 'vecpg';
import {
  applySimilarity,
  createVectorIndex,
  dropVectorIndex,
  knexPglite,
  vectorSearch,
  toVectorParam,
  vectorColumn,
  withVectorTypes,
} from 'vecpg/knex';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { evaluations, explainScansWithoutSeqScan } from '../support/explain.ts';
import { randomArray, seededRandom } from '../support/random.ts';

async function knexFor(t: TestDb, max = 4): Promise<Knex> {
  if (t.target === 'pglite') return knexPglite(t.raw as PGlite);
  return knexFactory(withVectorTypes({ client: 'pg', connection: t.url!, pool: { min: 0, max } }));
}

const N = 1000;
const DIM = 8;
const rand = seededRandom(8);
const data = Array.from({ length: N }, (_, i) => ({
  id: i + 1,
  category: i % 20 === 0 ? 'rare' : 'common',
  embedding: randomArray(rand, DIM),
}));
const query = randomArray(rand, DIM);

function bruteForce(rows: typeof data, k: number): number[] {
  return rows
    .map((r) => ({ id: r.id, d: clientL2(r.embedding, query) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, k)
    .map((r) => r.id);
}

async function explain(knex: Knex, q: Knex.QueryBuilder): Promise<string> {
  const { sql, bindings } = q.toSQL();
  const r = (await knex.raw(`EXPLAIN ${sql}`, bindings)) as { rows: Array<{ 'QUERY PLAN': string }> };
  return r.rows.map((x) => x['QUERY PLAN']).join('\n');
}

describeEachTarget('vecpg/knex exact and approximate search', (db) => {
  let knex: Knex;
  beforeAll(async () => {
    knex = await knexFor(db());
    await knex.schema.createTable('items', (t) => {
      t.integer('id').primary();
      t.string('category').notNullable();
      vectorColumn(t, 'embedding', 'vector', DIM);
    });
    for (let i = 0; i < N; i += 250) {
      await knex('items').insert(
        data.slice(i, i + 250).map((r) => ({ ...r, embedding: toVectorParam(r.embedding, 'vector') })),
      );
    }
    await knex.raw('ANALYZE items');
  });
  afterAll(async () => {
    await knex?.destroy();
  });

  it('IVFFlat: exact is the true top-k; approximate follows probes, scoped to its transaction', async () => {
    await createVectorIndex(knex, {
      table: 'items',
      column: 'embedding',
      type: 'vector',
      distance: 'l2',
      method: 'ivfflat',
      lists: 50,
    });
    const truth = bruteForce(data, 10);

    const exact = await vectorSearch<{ id: number }>(knex, {
      table: 'items',
      column: 'embedding',
      query,
      distance: 'l2',
      k: 10,
      select: ['id'],
    });
    expect(exact.map((r) => r.id)).toEqual(truth);
    exact.forEach((r) => expect(r.distance).toBeCloseTo(clientL2(data[r.id - 1]!.embedding, query), 5));

    // the exact ORDER BY is an expression the index cannot serve; the plain one uses the index
    const exactQ = applySimilarity(knex('items').select('id'), knex, {
      column: 'embedding',
      query,
      distance: 'l2',
      k: 10,
    });
    expect(exactQ.toSQL().toNative().sql).toBe(
      'select "id", ("embedding" <-> $1::vector) + 0 AS "distance" from "items" order by "distance" asc limit $2',
    );
    expect(await explain(knex, exactQ)).not.toMatch(/items_embedding_ivfflat_l2_idx/);
    const approxQ = applySimilarity(knex('items').select('id'), knex, {
      column: 'embedding',
      query,
      distance: 'l2',
      k: 10,
      exact: false,
    });
    expect(await explain(knex, approxQ)).toMatch(/Index Scan using items_embedding_ivfflat_l2_idx/);

    const oneProbe = await vectorSearch<{ id: number }>(knex, {
      table: 'items',
      column: 'embedding',
      query,
      distance: 'l2',
      k: 10,
      select: ['id'],
      approximate: { probes: 1 },
    });
    expect(oneProbe.map((r) => r.id)).not.toEqual(truth); // one list of 50 misses true neighbours
    const allProbes = await vectorSearch<{ id: number }>(knex, {
      table: 'items',
      column: 'embedding',
      query,
      distance: 'l2',
      k: 10,
      select: ['id'],
      approximate: { probes: 50 },
    });
    expect(allProbes.map((r) => r.id)).toEqual(truth);

    // SET LOCAL ended with the transaction: a one-connection pool is back at the default
    const single = db().target === 'pglite' ? knex : await knexFor(db(), 1);
    await vectorSearch(single, {
      table: 'items',
      column: 'embedding',
      query,
      distance: 'l2',
      k: 3,
      approximate: { probes: 7 },
    });
    const show = (await single.raw('SHOW ivfflat.probes')) as { rows: Array<{ 'ivfflat.probes': string }> };
    expect(show.rows[0]?.['ivfflat.probes']).toBe('1');
    if (single !== knex) await single.destroy();

    await dropVectorIndex(knex, 'items_embedding_ivfflat_l2_idx');
  });

  it('EXPLAIN VERBOSE: vectorSearch and applySimilarity compute the distance once per row; only approximate uses the index', async () => {
    await createVectorIndex(knex, {
      table: 'items',
      column: 'embedding',
      type: 'vector',
      distance: 'l2',
      method: 'ivfflat',
      lists: 50,
    });
    const statements: Array<{ sql: string; bindings: readonly unknown[] }> = [];
    const listen = (q: { sql: string; bindings?: readonly unknown[] }): void =>
      void statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
    knex.on('query', listen);
    const plans: Record<string, { sql: string; evaluations: number; indexes: string[] }> = {};
    const record = async (name: string, sql: string, bindings: readonly unknown[]): Promise<void> => {
      const report = await explainScansWithoutSeqScan(db(), sql, bindings);
      plans[name] = { sql, evaluations: evaluations(report, '<->'), indexes: report.indexes };
    };
    try {
      for (const exact of [true, false]) {
        statements.length = 0;
        const rows = await vectorSearch<{ id: number }>(knex, {
          table: 'items',
          column: 'embedding',
          query,
          distance: 'l2',
          k: 10,
          ...(exact ? {} : { approximate: { probes: 50 } }),
        });
        expect(rows.map((r) => r.id)).toEqual(bruteForce(data, 10));
        const search = statements.find((s) => s.sql.startsWith('select'))!;
        await record(`vectorSearch ${exact ? 'exact' : 'approximate'}`, search.sql, search.bindings);
        const built = applySimilarity(knex('items').select('id'), knex, {
          column: 'embedding',
          query,
          distance: 'l2',
          k: 10,
          exact,
        })
          .toSQL()
          .toNative();
        await record(`applySimilarity ${exact ? 'exact' : 'approximate'}`, built.sql, built.bindings);
      }
    } finally {
      knex.off('query', listen);
      await dropVectorIndex(knex, 'items_embedding_ivfflat_l2_idx');
    }
    const lateral = (d: string): string =>
      `select * from "items" cross join lateral (select ${d} AS "distance") as "vecpg" order by "vecpg"."distance" asc limit $2`;
    const index = 'items_embedding_ivfflat_l2_idx';
    expect(plans).toEqual({
      'vectorSearch exact': { sql: lateral('("embedding" <-> $1::vector) + 0'), evaluations: 1, indexes: [] },
      'vectorSearch approximate': { sql: lateral('"embedding" <-> $1::vector'), evaluations: 1, indexes: [index] },
      'applySimilarity exact': {
        sql: 'select "id", ("embedding" <-> $1::vector) + 0 AS "distance" from "items" order by "distance" asc limit $2',
        evaluations: 1,
        indexes: [],
      },
      'applySimilarity approximate': {
        sql: 'select "id", "embedding" <-> $1::vector AS "distance" from "items" order by "distance" asc limit $2',
        evaluations: 1,
        indexes: [index],
      },
    });
  });

  it('vectorSearch: a "distance" column of the table neither clashes with nor replaces the computed distance', async () => {
    await knex.raw(`CREATE TABLE legs (id int PRIMARY KEY, distance real NOT NULL, embedding vector(2))`);
    await knex.raw(`INSERT INTO legs VALUES (1, 100, '[0,0]'), (2, 5, '[3,4]'), (3, 1, '[1,1]'), (4, 7, '[3,3]')`);
    for (const approximate of [undefined, { probes: 1 }]) {
      const rows = await vectorSearch<{ id: number }>(knex, {
        table: 'legs',
        column: 'embedding',
        query: [3, 3],
        distance: 'l2',
        k: 3,
        where: (qb) => void qb.where('legs.distance', '<', 50), // qualified: the subquery's column has the alias's name
        ...(approximate ? { approximate } : {}),
      });
      // sqrt(0), sqrt(0 + 1), sqrt(4 + 4); row 1 is filtered out by its own "distance" (100).
      expect(rows.map((r) => [r.id, r.distance])).toEqual([
        [4, 0],
        [2, 1],
        [3, expect.closeTo(Math.sqrt(8), 6)],
      ]);
      expect(Object.keys(rows[0]!).sort()).toEqual(['distance', 'embedding', 'id']);
    }
  });

  it('HNSW with a selective filter: fewer than k rows without iterative scan, k with relaxed_order; exact stays exact', async () => {
    // big enough that the planner prefers the HNSW index over a filtered sequential scan
    await knex.raw('SELECT setseed(0.5)');
    await knex.raw(`CREATE TABLE big AS SELECT i AS id, CASE WHEN i % 50 = 0 THEN 'rare' ELSE 'common' END AS category,
      ARRAY(SELECT random() - 0.5 FROM generate_series(1, ${DIM}) WHERE i > 0)::vector(${DIM}) AS embedding FROM generate_series(1, 6000) i`);
    await knex.raw('ANALYZE big');
    await createVectorIndex(knex, {
      table: 'big',
      column: 'embedding',
      type: 'vector',
      distance: 'l2',
      method: 'hnsw',
      m: 8,
      efConstruction: 32,
    });
    const rare = (await knex('big').select('id', 'embedding').where('category', 'rare')) as Array<{
      id: number;
      embedding: number[];
    }>;
    const truth = rare
      .map((r) => ({ id: r.id, d: clientL2(r.embedding, query) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 10)
      .map((r) => r.id);
    const opts = {
      table: 'big',
      column: 'embedding',
      query,
      distance: 'l2',
      k: 10,
      select: ['id'],
      where: (qb: Knex.QueryBuilder) => void qb.where('category', 'rare'),
    } as const;

    const exact = await vectorSearch<{ id: number }>(knex, opts);
    expect(exact.map((r) => r.id)).toEqual(truth);

    const pq = applySimilarity(knex('big').select('id').where('category', 'rare'), knex, {
      column: 'embedding',
      query,
      distance: 'l2',
      k: 10,
      exact: false,
    });
    expect(await explain(knex, pq)).toMatch(/Index Scan using big_embedding_hnsw_l2_idx/);
    const plain = await vectorSearch<{ id: number }>(knex, {
      ...opts,
      approximate: { efSearch: 10, iterativeScan: 'off' },
    });
    expect(plain.length).toBeLessThan(10); // ~ef_search candidates, then the filter keeps ~2%
    const iterative = await vectorSearch<{ id: number }>(knex, {
      ...opts,
      approximate: { efSearch: 10, iterativeScan: 'relaxed_order' },
    });
    expect(iterative).toHaveLength(10);

    await expect(vectorSearch(knex, { ...opts, exact: true, approximate: { efSearch: 10 } })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    await expect(vectorSearch(knex, { ...opts, approximate: { efSearch: 5000 } })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    await expect(vectorSearch(knex, { ...opts, k: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
