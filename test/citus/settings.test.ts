/**
 * Search settings reach the shards (issue 15, point 1). Citus does not propagate `set_config(…, true)`;
 * vecpg detects Citus and adds `SET LOCAL` with `citus.propagate_set_commands = 'local'`.
 * `SELECT DISTINCT current_setting(…) FROM <distributed table>` is pushed down to every shard, so it
 * reads the setting as the workers see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { search, withSearchSettings } from 'vecpg';
import { CITUS_URL, NEEDS_CITUS, type Cluster, insertRows, openCluster, randomVectors } from './cluster.ts';

const N = 2000;
const DIMS = 8;
const SHARDS = 4;
const vectors = randomVectors(N, DIMS, 15);
const query = randomVectors(1, DIMS, 99)[0]!;

describe.runIf(CITUS_URL)(`settings reach the shards ${NEEDS_CITUS}`, () => {
  let c: Cluster;
  const workerSetting = "SELECT DISTINCT current_setting('hnsw.ef_search') AS v FROM items";

  beforeAll(async () => {
    // One connection: a later query is guaranteed to reuse the connection (and Citus's cached worker
    // connections) that ran the search with settings.
    c = await openCluster('settings', 1);
    await c.pool.query('CREATE TABLE items (id bigint PRIMARY KEY, tenant int NOT NULL, embedding vector(8))');
    await c.pool.query(`SELECT create_distributed_table('items', 'id', shard_count => ${SHARDS})`);
    await insertRows(c.pool, 'items', vectors, 10);
    await c.pool.query('CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)');
  });
  afterAll(async () => {
    await c?.close();
  });

  it('the table really has its shards on the workers', async () => {
    const r = await c.pool.query<{ n: string; nodes: string }>(
      `SELECT count(*) AS n, count(DISTINCT nodeport) AS nodes FROM citus_shards WHERE table_name = 'items'::regclass`,
    );
    expect(Number(r.rows[0]!.n)).toBe(SHARDS);
    expect(Number(r.rows[0]!.nodes)).toBe(c.workers.length);
  });

  it('set_config alone (the single-node way) does not reach the workers', async () => {
    const seen = await c.db.transaction(async (tx) => {
      await tx.query("SELECT set_config('hnsw.ef_search', '7', true)");
      return tx.query<{ v: string }>(workerSetting);
    });
    expect(seen.map((r) => r.v)).toEqual(['40']);
  });

  it('withSearchSettings applies efSearch on every shard, and only inside its transaction', async () => {
    const inside = await withSearchSettings(c.db, { efSearch: 7 }, (tx) => tx.query<{ v: string }>(workerSetting));
    expect(inside.map((r) => r.v)).toEqual(['7']);
    // The same pooled connection afterwards: the workers and the coordinator are back to the default.
    expect((await c.db.query<{ v: string }>(workerSetting)).map((r) => r.v)).toEqual(['40']);
    expect((await c.db.query<{ v: string }>("SELECT current_setting('hnsw.ef_search') AS v"))[0]!.v).toBe('40');
    expect((await c.db.query<{ v: string }>("SELECT current_setting('citus.propagate_set_commands') AS v"))[0]!.v).toBe(
      'none',
    );
  });

  it('efSearch 1 vs 400 visibly changes what search() returns', async () => {
    const common = { table: 'items', column: 'embedding', query, distance: 'l2', k: 40, select: ['id'] } as const;
    // ef_search 1: each shard's HNSW scan yields at most one row, so the merged top-40 has one row per shard.
    const narrow = await search<{ id: string }>(c.db, { ...common, approximate: { efSearch: 1 } });
    expect(narrow).toHaveLength(SHARDS);
    const wide = await search<{ id: string }>(c.db, { ...common, approximate: { efSearch: 400 } });
    expect(wide).toHaveLength(40);
    // Truth computed here, not by vecpg: the 40 smallest L2 distances in float64 over the same data.
    const truth = vectors
      .map((v, i) => ({ id: i + 1, d: Math.hypot(...v.map((x, j) => x - query[j]!)) }))
      .sort((a, b) => a.d - b.d)
      .slice(0, 40)
      .map((r) => r.id);
    const found = wide.filter((r) => truth.includes(Number(r.id))).length;
    expect(found).toBeGreaterThanOrEqual(36);
    // A later approximate search without settings on the same connection uses the default ef_search (40).
    const after = await search<{ id: string }>(c.db, { ...common, exact: false });
    expect(after).toHaveLength(40);
  });
});
