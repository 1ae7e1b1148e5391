/**
 * Citus cluster vs single server, same data (issue 15): N × DIMS float32 vectors, synthetic (seeded,
 * uniform in [-1, 1): no cluster structure, the hardest case for an index), loaded into `vector(DIMS)` on
 * the single server (a database of its own beside DATABASE_URL's) and into a table distributed by id
 * over SHARDS shards on the cluster at CITUS_URL (coordinator + workers on the same machine).
 *
 *   import      vecpg's load() (binary COPY): rows/s into one node vs through the coordinator
 *   exact       search() exact top-10: p50 / p95 over QUERIES held-out query vectors
 *   hnsw build  CREATE INDEX … USING hnsw (m 16, ef_construction 64), maintenance_work_mem BUILD_MEM
 *   approximate search({ approximate: { efSearch } }) top-10: p50 / p95 and recall@10 against exact
 *
 * Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test CITUS_URL=$(scripts/setup-citus.sh) npm run bench:citus
 * Sizes: N (default 50,000), DIMS (768), SHARDS (8), QUERIES (20), EF (40,100), BUILD_MEM (512MB).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildSimilarityQuery, search, withSearchSettings } from '../src/index.ts';
import { inlineParameters } from '../src/sql.ts';
import { load } from '../src/load.ts';
import { wrapPg } from '../src/pg.ts';
import { machine, printTable, seeded } from './util.ts';

const N = Number(process.env.N ?? 50_000);
const DIMS = Number(process.env.DIMS ?? 768);
const SHARDS = Number(process.env.SHARDS ?? 8);
const QUERIES = Number(process.env.QUERIES ?? 20);
const EFS = (process.env.EF ?? '40,100').split(',').map(Number);
const BUILD_MEM = process.env.BUILD_MEM ?? '512MB';
const single = process.env.DATABASE_URL;
const cluster = process.env.CITUS_URL;
if (!single || !cluster) throw new Error('set DATABASE_URL (single server) and CITUS_URL (scripts/setup-citus.sh)');

async function writeNpy(path: string, rows: number, seed: number): Promise<void> {
  const out = createWriteStream(path);
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${DIMS}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = `${dict.padEnd(total - 11, ' ')}\n`;
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(dict.length, 8);
  out.write(Buffer.concat([head, Buffer.from(dict, 'latin1')]));
  const random = seeded(seed);
  for (let r = 0; r < rows; r += 1000) {
    const n = Math.min(1000, rows - r);
    const buf = Buffer.alloc(n * DIMS * 4);
    for (let i = 0; i < n * DIMS; i++) buf.writeFloatLE(random() * 2 - 1, 4 * i);
    if (!out.write(buf)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const ms = (x: number): string => x.toFixed(1);

interface Side {
  name: string;
  pool: pg.Pool;
  table: string[];
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vecpg-bench-citus-'));
  const file = join(dir, 'data.npy');
  await writeNpy(file, N, 42);
  const qrandom = seeded(7);
  const queries = Array.from({ length: QUERIES }, () => Array.from({ length: DIMS }, () => qrandom() * 2 - 1));

  // The single server: a database of our own.
  const admin = new pg.Client({ connectionString: single });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS vecpg_bench_citus');
  await admin.query('CREATE DATABASE vecpg_bench_citus');
  await admin.end();
  const singleUrl = new URL(single!);
  singleUrl.pathname = '/vecpg_bench_citus';
  const one: Side = {
    name: 'single server',
    pool: new pg.Pool({ connectionString: singleUrl.toString(), max: 2 }),
    table: ['public', 'bench'],
  };
  await one.pool.query('CREATE EXTENSION IF NOT EXISTS vector');
  const many: Side = {
    name: `Citus (${SHARDS} shards, 2 workers)`,
    pool: new pg.Pool({ connectionString: cluster, max: 2 }),
    table: ['vecpg_bench', 'bench'],
  };
  await many.pool.query('DROP SCHEMA IF EXISTS vecpg_bench CASCADE');
  await many.pool.query('CREATE SCHEMA vecpg_bench');
  const load0 = loadavg()[0]!.toFixed(1);

  const results: Record<string, Record<string, string>> = {};
  const exactAnswers = new Map<string, string[][]>();
  for (const side of [one, many]) {
    const r: Record<string, string> = {};
    results[side.name] = r;
    const t0 = performance.now();
    await load(side.pool, {
      file,
      table: side.table,
      create: true,
      ...(side === many ? { distributeBy: 'id', shardCount: SHARDS } : {}),
    });
    const s = (performance.now() - t0) / 1000;
    r.import = `${Math.round(N / s).toLocaleString('en-US')} rows/s (${s.toFixed(1)} s)`;
    await side.pool.query(`ANALYZE ${side.table.join('.')}`);
    const db = await wrapPg(side.pool);
    const base = { table: side.table, column: 'embedding', distance: 'l2', k: 10, select: ['id'] } as const;
    await search(db, { ...base, query: queries[0]! }); // warm-up: the table into the page cache
    const times: number[] = [];
    const answers: string[][] = [];
    for (const q of queries) {
      const t = performance.now();
      const rows = await search<{ id: string }>(db, { ...base, query: q });
      times.push(performance.now() - t);
      answers.push(rows.map((x) => String(x.id)));
    }
    exactAnswers.set(side.name, answers);
    r.exact = `${ms(pct(times, 0.5))} / ${ms(pct(times, 0.95))}`;

    const b0 = performance.now();
    const client = await side.pool.connect();
    try {
      await client.query('BEGIN');
      // On Citus the build settings reach the shards' builds only as SET LOCAL with propagation on.
      if (side === many) await client.query("SET LOCAL citus.propagate_set_commands = 'local'");
      await client.query(`SET LOCAL maintenance_work_mem = '${BUILD_MEM}'`);
      await client.query(`CREATE INDEX ON ${side.table.join('.')} USING hnsw (embedding vector_l2_ops)`);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    r['hnsw build'] = `${((performance.now() - b0) / 1000).toFixed(1)} s`;
    for (const ef of EFS) {
      const at: number[] = [];
      let found = 0;
      for (const [i, q] of queries.entries()) {
        const t = performance.now();
        const rows = await search<{ id: string }>(db, { ...base, query: q, approximate: { efSearch: ef } });
        at.push(performance.now() - t);
        const truth = answers[i]!;
        found += rows.filter((x) => truth.includes(String(x.id))).length;
      }
      // Whether the plan uses the index at this setting (on Citus: in the shards' plans, read with literals).
      const built = buildSimilarityQuery({ ...base, query: queries[0]!, exact: false });
      const plan = await withSearchSettings(db, { efSearch: ef }, (tx) =>
        tx.query(`EXPLAIN ${inlineParameters(built.text, built.values)}`),
      );
      const indexed = plan.some((row) => Object.values(row).some((line) => /Index Scan using/.test(String(line))));
      r[`ef_search ${ef}`] =
        `${ms(pct(at, 0.5))} / ${ms(pct(at, 0.95))}, recall ${(found / (10 * queries.length)).toFixed(3)}${indexed ? '' : ' (planner chose a sequential scan: exact)'}`;
    }
  }
  // Exact is exact: both sides must agree.
  const a = exactAnswers.get(one.name)!;
  const b = exactAnswers.get(many.name)!;
  const same = a.every((x, i) => x.join() === b[i]!.join());

  console.log(`### Citus vs single server: ${N.toLocaleString('en-US')} × vector(${DIMS}), synthetic uniform data\n`);
  console.log(
    `${machine()}; load average ${load0} → ${loadavg()[0]!.toFixed(1)}; ${QUERIES} queries, k = 10, times in ms (p50 / p95)\n`,
  );
  const keys = Object.keys(results[one.name]!);
  printTable(
    ['', one.name, many.name],
    keys.map((k) => [k, results[one.name]![k]!, results[many.name]![k]!]),
  );
  console.log(`\nexact answers identical on both: ${same ? 'yes' : 'NO'}`);
  await one.pool.end();
  await many.pool.query('DROP SCHEMA vecpg_bench CASCADE');
  await many.pool.end();
  const drop = new pg.Client({ connectionString: single });
  await drop.connect();
  await drop.query('DROP DATABASE IF EXISTS vecpg_bench_citus');
  await drop.end();
  await rm(dir, { recursive: true, force: true });
}

await main();
