/**
 * Exact is exact across shards (issue 15, points 2 and 3): search() on a distributed table returns the
 * single-node answer row by row (same data on the single server, DATABASE_URL, in a database of its
 * own; without DATABASE_URL, a plain local table on the coordinator), with the top-k pushed down to
 * every shard (EXPLAIN: a Limit under each task). A tenant filter on the distribution column is a router
 * query (one task); co-located tables share placements; a reference table joins on every shard.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSimilarityQuery, search, type DistanceName } from 'vecpg';
import { distanceSql, exactOrderSql } from 'vecpg/sql';
import { createServerDatabase, type ServerDatabase } from '../support/db.ts';
import { CITUS_URL, NEEDS_CITUS, type Cluster, insertRows, openCluster, randomVectors } from './cluster.ts';

const N = 3000;
const DIMS = 16;
const SHARDS = 6;
const TENANTS = 12;
const vectors = randomVectors(N, DIMS, 21);
const queries = randomVectors(3, DIMS, 22);
const DDL = `CREATE TABLE items (id bigint NOT NULL, tenant int NOT NULL, embedding vector(${DIMS}))`;

type Hit = { id: string; distance: number } & Record<string, unknown>;

/**
 * Citus 13.2 cannot EXPLAIN a statement with bound parameters (the workers get the parameters' text
 * substituted but are still asked for $1: "could not determine data type of parameter $1"), so the
 * plan is read with the values written as literals; the tasks run the same text either way.
 */
/**
 * Rows as [id, distance], in the order returned except among equal distances, whose order SQL leaves
 * open (on one node as across shards): those are put in id order on both sides before comparing.
 */
function rowsOf(hits: Hit[]): Array<[string, number]> {
  return hits
    .map((r, i) => ({ id: String(r.id), d: r.distance, i }))
    .sort((a, b) => (a.d === b.d ? a.id.localeCompare(b.id) : a.i - b.i))
    .map((r) => [r.id, r.d]);
}

function inlineParams(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => `'${String(values[Number(n) - 1]).replaceAll("'", "''")}'`);
}

describe.runIf(CITUS_URL)(`exact search across shards ${NEEDS_CITUS}`, () => {
  let c: Cluster;
  let ref: pg.Pool;
  let refDb: ServerDatabase | undefined;

  beforeAll(async () => {
    c = await openCluster('exact');
    await c.pool.query(DDL);
    await c.pool.query(`SELECT create_distributed_table('items', 'id', shard_count => ${SHARDS})`);
    await c.pool.query(DDL.replace('items', 'by_tenant'));
    await c.pool.query(`SELECT create_distributed_table('by_tenant', 'tenant', shard_count => ${SHARDS})`);
    await insertRows(c.pool, 'items', vectors, TENANTS);
    await insertRows(c.pool, 'by_tenant', vectors, TENANTS);
    // An HNSW index on every shard: exact search must not use it.
    await c.pool.query('CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)');
    if (process.env.DATABASE_URL) {
      refDb = await createServerDatabase();
      ref = new pg.Pool({ connectionString: refDb.url, max: 2 });
      await ref.query(DDL);
    } else {
      ref = new pg.Pool({ connectionString: CITUS_URL, max: 2, options: `-c search_path=${c.schema}_local,public` });
      await ref.query(`CREATE SCHEMA ${c.schema}_local`);
      await ref.query(DDL);
    }
    await insertRows(ref, 'items', vectors, TENANTS);
  });
  afterAll(async () => {
    if (!process.env.DATABASE_URL) await ref?.query(`DROP SCHEMA ${c.schema}_local CASCADE`);
    await ref?.end();
    await refDb?.drop();
    await c?.close();
  });

  it('search() returns the single-node answer row by row, distances equal', async () => {
    const { wrapPg } = await import('vecpg/pg');
    const single = await wrapPg(ref);
    let compared = 0;
    for (const query of queries)
      for (const distance of ['l2', 'cosine', 'ip', 'l1'] as DistanceName[]) {
        const options = { table: 'items', column: 'embedding', query, distance, k: 25, select: ['id'] } as const;
        const cluster = await search<Hit>(c.db, options);
        const one = await search<Hit>(single, options);
        expect(cluster).toHaveLength(25);
        expect(rowsOf(cluster)).toEqual(rowsOf(one));
        const tenant = await search<Hit>(c.db, { ...options, where: { tenant: 5 } });
        const tenantOne = await search<Hit>(single, { ...options, where: { tenant: 5 } });
        expect(rowsOf(tenant)).toEqual(rowsOf(tenantOne));
        compared += cluster.length + tenant.length;
      }
    expect(compared).toBe(3 * 4 * 50);
    // And an independent check of one answer: brute force in float64 here.
    const q = queries[0]!;
    const truth = vectors
      .map((v, i) => ({ id: String(i + 1), d: Math.hypot(...v.map((x, j) => x - q[j]!)) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 25);
    const got = await search<Hit>(c.db, { table: 'items', column: 'embedding', query: q, distance: 'l2', k: 25 });
    expect(got.map((r) => String(r.id))).toEqual(truth.map((r) => r.id));
    got.forEach((r, i) => expect(r.distance).toBeCloseTo(truth[i]!.d, 5));
  });

  async function explain(table: string, where?: Record<string, number>): Promise<string> {
    const built = buildSimilarityQuery({
      table,
      column: 'embedding',
      query: queries[0]!,
      distance: 'l2',
      k: 10,
      exact: true,
      ...(where ? { where } : {}),
    });
    return c.db.transaction(async (tx) => {
      await tx.query("SELECT set_config('citus.explain_all_tasks', 'on', true)");
      const rows = await tx.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (COSTS OFF) ${inlineParams(built.text, built.values)}`,
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }

  it('pushes the top-k down: a Limit under each of the tasks, merged on the coordinator', async () => {
    const plan = await explain('items');
    expect(plan).toContain(`Task Count: ${SHARDS}`);
    const tasks = plan.split('->  Task').slice(1);
    expect(tasks).toHaveLength(SHARDS);
    for (const task of tasks) {
      expect(task).toMatch(/->\s+Limit\s*\n\s+->\s+Sort/);
      expect(task).toMatch(/Seq Scan on items_\d+/);
      expect(task).not.toMatch(/Index Scan/);
    }
    // The coordinator merges the tasks' rows with its own Limit over a Sort.
    expect(plan.split('\n')[0]).toMatch(/^Limit/);
  });

  it('a tenant filter on the distribution column is a router query to one shard', async () => {
    const plan = await explain('by_tenant', { tenant: 5 });
    expect(plan).toContain('Task Count: 1');
    const hits = await search<Hit & { tenant: number }>(c.db, {
      table: 'by_tenant',
      column: 'embedding',
      query: queries[1]!,
      distance: 'cosine',
      k: 10,
      where: { tenant: 5 },
    });
    expect(hits).toHaveLength(10);
    expect(new Set(hits.map((h) => h.tenant))).toEqual(new Set([5]));
    // A filter on another column fans out to every shard.
    expect(await explain('by_tenant', { id: 5 })).toContain(`Task Count: ${SHARDS}`);
  });

  it('co-located tables keep a tenant on one node; a reference table joins on every shard', async () => {
    await c.pool.query(`CREATE TABLE chunks (id bigint NOT NULL, tenant int NOT NULL, embedding vector(${DIMS}))`);
    await c.pool.query("SELECT create_distributed_table('chunks', 'tenant', colocate_with => 'by_tenant')");
    await insertRows(c.pool, 'chunks', vectors.slice(0, 600), TENANTS);
    const placement = async (table: string): Promise<string> =>
      (
        await c.pool.query<{ node: string }>(
          `SELECT nodename || ':' || nodeport AS node FROM citus_shards
            WHERE shardid = get_shard_id_for_distribution_column($1, 5)`,
          [table],
        )
      ).rows[0]!.node;
    expect(await placement('chunks')).toBe(await placement('by_tenant'));

    await c.pool.query('CREATE TABLE tenants (tenant int PRIMARY KEY, name text NOT NULL)');
    await c.pool.query("SELECT create_reference_table('tenants')");
    const names = Array.from({ length: TENANTS }, (_, t) => [t, `tenant-${t}`]);
    await c.pool.query(`INSERT INTO tenants SELECT * FROM unnest($1::int[], $2::text[])`, [
      names.map((n) => n[0]),
      names.map((n) => n[1]),
    ]);
    const d = exactOrderSql(distanceSql('b.embedding', 'vector', 'l2', '$1::vector'));
    const sql = `SELECT b.id, t.name, ${d} AS distance FROM by_tenant b JOIN tenants t USING (tenant)
      ORDER BY ${d} LIMIT 10`;
    const q = `[${queries[2]!.join(',')}]`;
    const joined = await c.pool.query<{ id: string; name: string; distance: number }>(sql, [q]);
    const plain = await search<Hit & { tenant: number }>(c.db, {
      table: 'by_tenant',
      column: 'embedding',
      query: queries[2]!,
      distance: 'l2',
      k: 10,
    });
    expect(joined.rows.map((r) => [String(r.id), r.name])).toEqual(
      plain.map((r) => [String(r.id), `tenant-${r.tenant}`]),
    );
    const plan = (await c.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${inlineParams(sql, [q])}`)).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    expect(plan).toContain(`Task Count: ${SHARDS}`); // pushed down whole: the reference table is on every node
  });
});
