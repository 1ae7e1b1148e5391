/**
 * Calibration of the HNSW build-memory estimate (`estimateHnswBuildMemory` in src/tune/build-memory.ts)
 * against real builds: for each width and m, build an HNSW index serially with a small
 * maintenance_work_mem and read pgvector's NOTICE "hnsw graph no longer fits into maintenance_work_mem
 * after N tuples"; maintenance_work_mem / N is the real graph memory per tuple. The build is cancelled
 * as soon as the notice arrives (the on-disk phase is slow and tells nothing more).
 *
 * Usage: DATABASE_URL=postgres://… npx tsx bench/hnsw-memory.ts   (ROWS, default 30000)
 */
import pg from 'pg';
import { estimateHnswBuildMemory } from '../src/tune/build-memory.ts';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to a PostgreSQL server with pgvector');
const ROWS = Number(process.env.ROWS ?? 30_000);
const WIDTHS = (process.env.WIDTHS ?? '32,100,384,768').split(',').map(Number);
const MS = (process.env.MS ?? '8,16,32').split(',').map(Number);

const client = new pg.Client({ connectionString: url });
const control = new pg.Client({ connectionString: url });
await client.connect();
await control.connect();
await client.query('CREATE EXTENSION IF NOT EXISTS vector');
await client.query('SET max_parallel_maintenance_workers = 0');
await client.query("SET client_min_messages = 'notice'");
const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

let lastNotice: string | undefined;
client.on('notice', (n) => {
  lastNotice = n.message;
  if (/no longer fits/.test(n.message ?? '')) void control.query('SELECT pg_cancel_backend($1)', [pid]);
});

const results: Array<Record<string, number | string>> = [];
for (const d of WIDTHS) {
  const table = `vecpg_hnsw_mem_${d}`;
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(`CREATE TABLE ${table} (id int, v vector(${d}))`);
  await client.query(`ALTER TABLE ${table} ALTER v SET STORAGE MAIN`);
  await client.query(
    `INSERT INTO ${table} SELECT g, (SELECT array_agg(random() - 0.5)::real[] FROM generate_series(1, ${d}) WHERE g > 0)::vector FROM generate_series(1, ${ROWS}) g`,
  );
  for (const m of MS) {
    // aim the spill at about half the rows, by the estimate itself, then measure
    let kb = Math.max(
      1024,
      Math.round(estimateHnswBuildMemory({ rows: ROWS / 2, dimensions: d, type: 'vector', m }) / 1024),
    );
    for (let attempt = 0; attempt < 4; attempt++) {
      lastNotice = undefined;
      await client.query(`SET maintenance_work_mem = '${kb}kB'`);
      const t0 = Date.now();
      try {
        await client.query(
          `CREATE INDEX ${table}_idx ON ${table} USING hnsw (v vector_l2_ops) WITH (m = ${m}, ef_construction = ${2 * m})`,
        );
        await client.query(`DROP INDEX ${table}_idx`);
      } catch (error) {
        if (!/cancel/.test((error as Error).message)) throw error;
      }
      const match = /after (\d+) tuples/.exec(lastNotice ?? '');
      if (!match) {
        kb = Math.max(1024, Math.floor(kb / 3));
        continue;
      }
      const tuples = Number(match[1]);
      const measured = (kb * 1024) / tuples;
      const estimated = estimateHnswBuildMemory({ rows: tuples, dimensions: d, type: 'vector', m }) / tuples;
      results.push({
        dimensions: d,
        m,
        maintenance_work_mem_kB: kb,
        tuples,
        bytesPerTuple: Math.round(measured),
        estimate: Math.round(estimated),
        ratio: Number((estimated / measured).toFixed(3)),
        seconds: (Date.now() - t0) / 1000,
      });
      console.log(JSON.stringify(results[results.length - 1]));
      break;
    }
  }
  await client.query(`DROP TABLE ${table}`);
}
console.table(results);
await client.end();
await control.end();
