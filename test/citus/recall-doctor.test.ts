/**
 * Recall across shards and the doctor's cluster checks (issue 15, points 5 and 6), on the real cluster.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapPg } from 'vecpg/pg';
import { doctor, recall } from 'vecpg/tune';
import { runCli } from '../cli/harness.ts';
import { CITUS_URL, NEEDS_CITUS, type Cluster, insertRows, openCluster, randomVectors } from './cluster.ts';

const N = 8000;
const DIMS = 8;
const SHARDS = 4;
const vectors = randomVectors(N, DIMS, 41);
const heldOut = randomVectors(12, DIMS, 42);

describe.runIf(CITUS_URL)(`recall and doctor on a cluster ${NEEDS_CITUS}`, () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await openCluster('recall');
    await c.pool.query(`CREATE TABLE items (id bigint PRIMARY KEY, tenant int NOT NULL, embedding vector(${DIMS}))`);
    await c.pool.query(`SELECT create_distributed_table('items', 'id', shard_count => ${SHARDS})`);
    await insertRows(c.pool, 'items', vectors, 3);
    await c.pool.query('CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops)');
    await c.pool.query('ANALYZE items');
  });
  afterAll(async () => {
    await c?.close();
  });

  it('recall() measures the merged top-k and says how the table is spread', async () => {
    const result = await recall(c.db, {
      table: [c.schema, 'items'],
      column: 'embedding',
      distance: 'l2',
      k: 10,
      queries: heldOut,
      sweep: { setting: 'efSearch', values: [1, 40] },
    });
    expect(result.distributed).toEqual({ shards: SHARDS, workers: c.workers.length });
    const [one, forty] = result.points;
    // ef_search 1: each shard's index yields one row, so the merged answer has one row per shard.
    expect(one!.meanRows).toBe(SHARDS);
    expect(one!.recall).toBeLessThanOrEqual(SHARDS / 10);
    // The plan is read through Citus (EXPLAIN with literal values): the shards' index scans are seen.
    expect(forty!.usesIndex).toBe(true);
    expect(forty!.meanRows).toBe(10);
    // Independent truth: brute force here; the merged top-10 at ef_search 40 must find nearly all of it.
    const { search } = await import('vecpg');
    let found = 0;
    for (const q of heldOut) {
      const truth = vectors
        .map((v, i) => ({ id: String(i + 1), d: Math.hypot(...v.map((x, j) => x - q[j]!)) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, 10)
        .map((r) => r.id);
      const got = await search<{ id: string }>(c.db, {
        table: 'items',
        column: 'embedding',
        query: q,
        distance: 'l2',
        k: 10,
        approximate: { efSearch: 40 },
      });
      found += got.filter((g) => truth.includes(String(g.id))).length;
    }
    expect(found / (10 * heldOut.length)).toBeCloseTo(forty!.recall, 1);
  });

  it('vecpg recall explains recall across shards', async () => {
    const r = await runCli(
      [
        'recall',
        '--table',
        'items',
        '--schema',
        c.schema,
        '--distance',
        'l2',
        '--queries',
        '20',
        '--sweep',
        'ef_search=20,100',
      ],
      { DATABASE_URL: CITUS_URL! },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`distributed by Citus over ${SHARDS} shards on ${c.workers.length} workers`);
    expect(r.stdout).toContain('returns its own top-10');
    expect(r.stdout).not.toContain('did not use the index');
  });

  it('doctor: pgvector on every node, shards vs workers, a missing shard index, a setting that differs', async () => {
    const versions = await Promise.all(
      c.workers.map(async (w) => {
        const client = new pg.Client({ connectionString: c.workerUrl(w.port) });
        await client.connect();
        try {
          return (await client.query("SELECT extversion FROM pg_extension WHERE extname = 'vector'")).rows[0]
            ?.extversion as string;
        } finally {
          await client.end();
        }
      }),
    );
    expect(new Set(versions).size).toBe(1);
    await c.pool.query(`CREATE TABLE few (id bigint PRIMARY KEY, embedding vector(${DIMS}))`);
    await c.pool.query("SELECT create_distributed_table('few', 'id', shard_count => 1)");

    let findings = await doctor(c.db);
    const mine = (code: string) => findings.filter((f) => f.code === code && (f.subject ?? '').includes(c.schema));
    const cluster = findings.find((f) => f.code === 'CITUS_CLUSTER');
    expect(cluster?.message).toContain(
      `pgvector ${versions[0]} on the coordinator and on all ${c.workers.length} workers`,
    );
    expect(mine('CITUS_SHARDS').map((f) => [f.subject, f.severity])).toEqual(
      expect.arrayContaining([
        [`${c.schema}.items`, 'info'],
        [`${c.schema}.few`, 'warning'],
      ]),
    );
    expect(mine('CITUS_INDEX_MISSING')).toEqual([]);

    // Drop the index of one shard behind Citus's back, on its worker.
    const shard = (
      await c.pool.query<{ shardid: string; nodeport: number; shard_name: string }>(
        'SELECT shardid, nodeport, shard_name FROM citus_shards WHERE table_name = $1::regclass ORDER BY shardid LIMIT 1',
        [`${c.schema}.items`],
      )
    ).rows[0]!;
    const worker = new pg.Client({ connectionString: c.workerUrl(shard.nodeport) });
    await worker.connect();
    try {
      await worker.query('SET citus.enable_manual_changes_to_shards = on');
      await worker.query(`DROP INDEX ${c.schema}.items_hnsw_${shard.shardid}`);
    } finally {
      await worker.end();
    }
    findings = await doctor(c.db);
    const missing = mine('CITUS_INDEX_MISSING');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.severity).toBe('error');
    expect(missing[0]!.message).toContain(`on 1 of ${SHARDS} shards`);

    // A coordinator-side setting (here for one session) the workers do not share.
    const client = new pg.Client({ connectionString: CITUS_URL });
    await client.connect();
    try {
      await client.query('SET hnsw.ef_search = 123');
      const db = await wrapPg(client);
      const differs = (await doctor(db, { table: [c.schema, 'items'] })).filter(
        (f) => f.code === 'CITUS_SETTING_DIFFERS',
      );
      expect(differs).toHaveLength(1);
      expect(differs[0]!.message).toMatch(/^hnsw\.ef_search is 123 on the coordinator but 40 on /);
    } finally {
      await client.end();
    }
  });
});
