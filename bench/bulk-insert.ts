/**
 * Bulk insert from memory: 100,000 × 768 float32 vectors (seeded) held by the application as
 * Float32Arrays, with an id, into `(id int, embedding vector(768))` on the server at DATABASE_URL.
 *
 *   vecpg bulkInsert          bulkInsert(pool, table, rows): one binary COPY in a transaction
 *   pgvector npm, text COPY   the pgvector package's bulk-loading approach: COPY … FROM STDIN (text),
 *                             a line per row with pgvector.toSql(embedding), through pg-copy-streams
 *   batched INSERT, text      multi-row INSERT … VALUES ($1, $2), … of 500 rows, pgvector.toSql parameters
 *   batched INSERT, binary    the same, with vecpg's binary vector parameters (vectorParamBinary)
 *
 * Every run inserts into a freshly truncated table inside one transaction; the median of RUNS runs
 * (default 3; SLOW_RUNS, default 1, for the two INSERT methods) is reported.
 * Usage: DATABASE_URL=postgres://… npm run bench:bulk-insert   (ROWS, DIMS, RUNS, SLOW_RUNS to change)
 */
import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import pgvector from 'pgvector';
import { vectorParamBinary } from '../src/sql/params.ts';
import { bulkInsert } from '../src/load.ts';
import { ensureVectorExtension, machine, median, printTable, seeded } from './util.ts';

const ROWS = Number(process.env.ROWS ?? 100_000);
const DIMS = Number(process.env.DIMS ?? 768);
const RUNS = Number(process.env.RUNS ?? 3);
const SLOW_RUNS = Number(process.env.SLOW_RUNS ?? 1);
const BATCH = 500;
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to a PostgreSQL server with pgvector');

interface Item {
  id: number;
  embedding: Float32Array;
}

function items(): Item[] {
  const random = seeded(42);
  return Array.from({ length: ROWS }, (_, id) => {
    const embedding = new Float32Array(DIMS);
    for (let i = 0; i < DIMS; i++) embedding[i] = random() * 2 - 1;
    return { id, embedding };
  });
}

async function inTransaction(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

async function batchedInsert(pool: pg.Pool, table: string, data: Item[], param: (v: Float32Array) => unknown) {
  await inTransaction(pool, async (client) => {
    for (let start = 0; start < data.length; start += BATCH) {
      const batch = data.slice(start, start + BATCH);
      const values = batch.map((_, i) => `($${2 * i + 1}, $${2 * i + 2}::vector)`).join(',');
      await client.query(
        `INSERT INTO ${table} (id, embedding) VALUES ${values}`,
        batch.flatMap((x) => [x.id, param(x.embedding)]),
      );
    }
  });
}

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const table = `bench_bulk_${process.pid}`;
  try {
    console.log(`generating ${ROWS} × ${DIMS} float32 in memory …`);
    const data = items();
    await ensureVectorExtension(pool);
    await pool.query(`CREATE TABLE ${table} (id int, embedding vector(${DIMS}))`);

    const methods: Record<string, () => Promise<void>> = {
      'vecpg bulkInsert (binary COPY)': async () => {
        const r = await bulkInsert(pool, table, data);
        if (r.rows !== ROWS) throw new Error(`inserted ${r.rows}`);
      },
      'pgvector npm, text COPY': () =>
        inTransaction(pool, async (client) => {
          const stream = client.query(copyFrom(`COPY ${table} (id, embedding) FROM STDIN`));
          const done = new Promise<void>((resolve, reject) => {
            stream.on('finish', resolve);
            stream.on('error', reject);
          });
          for (const x of data) {
            if (!stream.write(`${x.id}\t${pgvector.toSql(Array.from(x.embedding))}\n`)) await once(stream, 'drain');
          }
          stream.end();
          await done;
        }),
      [`batched INSERT, text (${BATCH} rows)`]: () =>
        batchedInsert(pool, table, data, (v) => pgvector.toSql(Array.from(v))),
      [`batched INSERT, binary (${BATCH} rows)`]: () =>
        batchedInsert(pool, table, data, (v) => Buffer.from(vectorParamBinary(v, 'vector'))),
    };
    const slow = (name: string) => name.startsWith('batched INSERT');

    const times: Record<string, number[]> = {};
    for (let run = 0; run < RUNS; run++) {
      for (const [name, fn] of Object.entries(methods)) {
        if (slow(name) && run >= SLOW_RUNS) continue;
        await pool.query(`TRUNCATE ${table}`);
        await pool.query('CHECKPOINT').catch(() => undefined);
        const t = performance.now();
        await fn();
        const ms = performance.now() - t;
        const check = await pool.query<{ n: string; d: string }>(
          `SELECT count(*) AS n, count(DISTINCT id) AS d FROM ${table}`,
        );
        if (Number(check.rows[0]!.n) !== ROWS || Number(check.rows[0]!.d) !== ROWS) {
          throw new Error(`${name}: ${check.rows[0]!.n} rows`);
        }
        (times[name] ??= []).push(ms);
        console.log(`run ${run + 1} ${name}: ${(ms / 1000).toFixed(2)} s`);
      }
    }
    const ours = median(times['vecpg bulkInsert (binary COPY)']!);
    console.log(
      `\n${machine()}; PostgreSQL at ${new URL(url!).host}; ${ROWS} × ${DIMS}; median of ${RUNS} runs (${SLOW_RUNS} for the INSERTs)\n`,
    );
    printTable(
      ['method', 'runs', 'median s', 'rows/s', 'time ÷ bulkInsert'],
      Object.entries(times).map(([name, ts]) => {
        const m = median(ts);
        return [
          name,
          String(ts.length),
          (m / 1000).toFixed(2),
          Math.round((ROWS * 1000) / m).toLocaleString('en-US'),
          name.startsWith('vecpg') ? '1' : (m / ours).toFixed(2),
        ];
      }),
    );
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
  }
}

await main();
