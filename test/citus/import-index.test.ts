/**
 * Distributed DDL and import (issue 15, point 4): `vecpg import … --distribute-by` creates a distributed
 * table and fills it with binary COPY through the coordinator; `vecpg index create` on it builds one
 * index per shard. Checked against the file's own values and the workers' catalogs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distributeTableSql, referenceTableSql } from 'vecpg';
import { load } from 'vecpg/load';
import { runCli } from '../cli/harness.ts';
import { CITUS_URL, NEEDS_CITUS, type Cluster, openCluster, randomVectors } from './cluster.ts';

const N = 1200;
const DIMS = 12;
const vectors = randomVectors(N, DIMS, 31);

describe.runIf(CITUS_URL)(`distributed import and index ${NEEDS_CITUS}`, () => {
  let c: Cluster;
  let dir: string;
  let file: string;
  const env = { DATABASE_URL: CITUS_URL! };

  beforeAll(async () => {
    c = await openCluster('import');
    dir = await mkdtemp(join(tmpdir(), 'vecpg-citus-'));
    file = join(dir, 'docs.jsonl');
    await writeFile(
      file,
      vectors.map((v, i) => JSON.stringify({ tenant: i % 7, title: `doc ${i + 1}`, embedding: v })).join('\n') + '\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await c?.close();
  });

  it('vecpg import --create --distribute-by tenant: a distributed table, every row in its shard', async () => {
    const r = await runCli(
      [
        'import',
        file,
        '--table',
        'docs',
        '--schema',
        c.schema,
        '--create',
        '--distribute-by',
        'tenant',
        '--shard-count',
        '4',
      ],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Loaded ${N} rows`);
    const t = await c.pool.query<{ distribution_column: string; shard_count: number; citus_table_type: string }>(
      'SELECT citus_table_type, distribution_column, shard_count FROM citus_tables WHERE table_name = $1::regclass',
      [`${c.schema}.docs`],
    );
    expect(t.rows.map((x) => ({ ...x, shard_count: Number(x.shard_count) }))).toEqual([
      { citus_table_type: 'distributed', distribution_column: 'tenant', shard_count: 4 },
    ]);
    // Rows are on the workers, on both of them.
    const nodes = await c.pool.query<{ nodeport: number }>(
      `SELECT DISTINCT nodeport FROM citus_shards WHERE table_name = $1::regclass AND shard_size > 8192 ORDER BY 1`,
      [`${c.schema}.docs`],
    );
    expect(nodes.rows.map((n) => n.nodeport)).toEqual(c.workers.map((w) => w.port));
    // The values are the file's: compare every row as float32 (what vector stores) with the source.
    const rows = await c.pool.query<{ title: string; tenant: number; v: string }>(
      'SELECT title, tenant, embedding::text AS v FROM docs ORDER BY id',
    );
    expect(rows.rows).toHaveLength(N);
    rows.rows.forEach((row, i) => {
      expect(row.title).toBe(`doc ${i + 1}`);
      expect(Number(row.tenant)).toBe(i % 7);
      const stored = row.v.slice(1, -1).split(',').map(Number);
      expect(stored.map(Math.fround)).toEqual(vectors[i]!.map(Math.fround));
    });
  });

  it('vecpg index create on a distributed table builds an index on every shard', async () => {
    const r = await runCli(['index', 'create', '--table', 'docs', '--schema', c.schema, '--distance', 'cosine'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const perShard = await c.pool.query<{ nodeport: number; result: string }>(
      `SELECT nodeport, result FROM run_command_on_shards($1,
         $$SELECT count(*) FROM pg_index i JOIN pg_am a ON a.oid = (SELECT relam FROM pg_class WHERE oid = i.indexrelid)
           WHERE i.indrelid = '%s'::regclass AND a.amname = 'hnsw'$$) JOIN citus_shards USING (shardid)`,
      [`${c.schema}.docs`],
    );
    expect(perShard.rows).toHaveLength(4);
    for (const s of perShard.rows) expect(s.result).toBe('1');
  });

  it("vecpg index create --maintenance-work-mem reaches the shards' builds", async () => {
    await c.pool.query(`CREATE TABLE ${c.schema}.wide (id bigint, embedding vector(${DIMS}))`);
    await c.pool.query(`SELECT create_distributed_table('${c.schema}.wide', 'id', shard_count => 2)`);
    await c.pool.query(`INSERT INTO ${c.schema}.wide SELECT id, embedding FROM ${c.schema}.docs`);
    // citus.log_remote_commands makes the coordinator report what it sends to the workers, as notices.
    const url = new URL(CITUS_URL!);
    url.searchParams.set('options', '-c citus.log_remote_commands=on');
    const r = await runCli(
      ['index', 'create', '--table', 'wide', '--schema', c.schema, '--distance', 'l2', '--maintenance-work-mem', '7MB'],
      { DATABASE_URL: url.toString() },
    );
    expect(r.code).toBe(0);
    const begins = r.stderr.split('\n').filter((l) => l.includes('issuing BEGIN'));
    expect(begins.length).toBeGreaterThanOrEqual(2);
    for (const line of begins) expect(line).toContain("SET LOCAL maintenance_work_mem = '7MB'");
    expect(r.stderr).toMatch(/issuing CREATE\s+INDEX\s+\S+ ON\s+\S+wide_\d+ USING hnsw/);

    const concurrently = await runCli(
      [
        'index',
        'create',
        '--table',
        'wide',
        '--schema',
        c.schema,
        '--distance',
        'cosine',
        '--concurrently',
        '--maintenance-work-mem',
        '7MB',
      ],
      { DATABASE_URL: CITUS_URL! },
    );
    expect(concurrently.code).not.toBe(0);
    expect(concurrently.stderr).toContain('drop --concurrently');
  });

  it('an existing local table is distributed before loading; another distribution column is refused', async () => {
    await c.pool.query(
      `CREATE TABLE ${c.schema}.local_docs (id bigint, tenant int, title text, embedding vector(${DIMS}))`,
    );
    const r = await runCli(
      [
        'import',
        file,
        '--table',
        'local_docs',
        '--schema',
        c.schema,
        '--distribute-by',
        'tenant',
        '--map',
        'tenant=tenant',
      ],
      env,
    );
    expect(r.code).toBe(0);
    const t = await c.pool.query<{ distribution_column: string }>(
      'SELECT distribution_column FROM citus_tables WHERE table_name = $1::regclass',
      [`${c.schema}.local_docs`],
    );
    expect(t.rows).toEqual([{ distribution_column: 'tenant' }]);
    expect(Number((await c.pool.query(`SELECT count(*) AS n FROM ${c.schema}.local_docs`)).rows[0].n)).toBe(N);

    const wrong = await runCli(
      ['import', file, '--table', 'docs', '--schema', c.schema, '--distribute-by', 'title'],
      env,
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('already distributed by "tenant"');
    expect(wrong.stderr).toContain('--distribute-by tenant');
  });

  it('core helpers: distributeTableSql / referenceTableSql, and load({ distributeBy }) through the library', async () => {
    const st = distributeTableSql([c.schema, 'lib'], { column: 'tenant', shardCount: 2 });
    expect(st).toEqual({
      text: 'SELECT create_distributed_table($1, $2, shard_count => $3)',
      values: [`"${c.schema}"."lib"`, 'tenant', 2],
    });
    const result = await load(c.pool, {
      file,
      table: [c.schema, 'lib'],
      create: true,
      distributeBy: 'tenant',
      shardCount: 2,
    });
    expect(result.rows).toBe(N);
    const shards = await c.pool.query('SELECT shardid FROM citus_shards WHERE table_name = $1::regclass', [
      `${c.schema}.lib`,
    ]);
    expect(shards.rows).toHaveLength(2);
    await c.pool.query(`CREATE TABLE ${c.schema}.tags (tenant int PRIMARY KEY, name text)`);
    const ref = referenceTableSql([c.schema, 'tags']);
    await c.pool.query(ref.text, ref.values);
    const t = await c.pool.query('SELECT citus_table_type FROM citus_tables WHERE table_name = $1::regclass', [
      `${c.schema}.tags`,
    ]);
    expect(t.rows).toEqual([{ citus_table_type: 'reference' }]);
  });
});

describe.runIf(process.env.DATABASE_URL)('--distribute-by on a single server (DATABASE_URL)', () => {
  it('is refused with UNSUPPORTED, naming the flag to drop, and creates nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vecpg-citus-'));
    const file = join(dir, 'one.jsonl');
    await writeFile(file, '{"tenant": 1, "embedding": [1, 2]}\n');
    const table = `vecpg_no_citus_${process.pid}`;
    try {
      const r = await runCli(['import', file, '--table', table, '--create', '--distribute-by', 'tenant'], {
        DATABASE_URL: process.env.DATABASE_URL,
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('needs Citus');
      expect(r.stderr).toContain('drop --distribute-by');
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      try {
        expect((await client.query('SELECT to_regclass($1) AS t', [table])).rows[0].t).toBeNull();
      } finally {
        await client.end();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
