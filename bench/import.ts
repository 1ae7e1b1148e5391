/**
 * Bulk-load benchmark, one run, same data for every method: 100,000 × 768 float32 vectors
 * (seeded) into `vector(768)` on the server at DATABASE_URL.
 *
 *   vecpg import     load(pool, { file: data.npy }) — binary COPY through pg-copy-streams
 *   psql \copy       psql's \copy … FROM file WITH (FORMAT binary), the file written by the server itself
 *   pgvector text    the pgvector npm package's recommended text COPY (pgvector.toSql per row)
 *   batched INSERT   multi-row INSERT … VALUES ($1), ($2), … of 500 rows, pgvector.toSql parameters
 *
 * Every run loads into a freshly truncated table inside one transaction; the median of RUNS
 * runs (default 3) is reported. Then the export (EXPORT=0 skips it), alternating, RUNS times each:
 *
 *   vecpg export     exportTable(pool, { format: 'npy' }) — binary COPY out, written as a .npy file
 *   psql \copy TO    psql's \copy … TO file WITH (FORMAT binary)
 *   psql + sync      the same, then `sync --data` of the file: what vecpg's export does too (it syncs the
 *                    file before renaming it into place)
 *
 * Usage: DATABASE_URL=postgres://… npm run bench:import
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import pgvector from 'pgvector';
import { exportTable, load } from '../src/load.ts';
import { readRecords } from '../src/io/readers/formats.ts';
import { fileSource } from '../src/io/source.ts';
import { machine, median, printTable, seeded } from './util.ts';

const ROWS = Number(process.env.ROWS ?? 100_000);
const DIMS = Number(process.env.DIMS ?? 768);
const RUNS = Number(process.env.RUNS ?? 3);
/** The text COPY and INSERT methods take minutes per run; SLOW_RUNS (default RUNS) limits their runs. */
const SLOW_RUNS = Number(process.env.SLOW_RUNS ?? RUNS);
const SLOW = new Set(['pgvector npm, text COPY', 'batched INSERT (500 rows)']);
const EXPORT = process.env.EXPORT !== '0';
const url = process.env.DATABASE_URL;
if (!url) throw new Error('set DATABASE_URL to a PostgreSQL server with pgvector');

async function writeNpy(path: string): Promise<void> {
  const out = createWriteStream(path);
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${ROWS}, ${DIMS}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = `${dict.padEnd(total - 11, ' ')}\n`;
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(dict.length, 8);
  out.write(Buffer.concat([head, Buffer.from(dict, 'latin1')]));
  const random = seeded(42);
  for (let r = 0; r < ROWS; r += 1000) {
    const n = Math.min(1000, ROWS - r);
    const buf = Buffer.alloc(n * DIMS * 4);
    for (let i = 0; i < n * DIMS; i++) buf.writeFloatLE(random() * 2 - 1, 4 * i);
    if (!out.write(buf)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** The same rows as plain arrays, streamed from the .npy (what an application would hold). */
async function* arrays(file: string): AsyncGenerator<number[]> {
  for await (const item of readRecords('npy', fileSource(file).chunks(), { name: file })) {
    if (item.ok && item.vector.kind === 'dense') yield Array.from(item.vector.values);
  }
}

/**
 * CPU time of this process's finished children (Linux: cutime + cstime of /proc/self/stat, in ms; 10 ms
 * steps), NaN elsewhere.
 */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5), counted from 1 with pid and comm as 1 and 2: here from field 3 on.
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vecpg-bench-'));
  const npy = join(dir, 'data.npy');
  const bin = join(dir, 'data.pgcopy');
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const table = `bench_import_${process.pid}`;
  try {
    console.log(`generating ${ROWS} × ${DIMS} float32 …`);
    await writeNpy(npy);
    await pool.query('CREATE EXTENSION IF NOT EXISTS vector');
    await pool.query(`CREATE TABLE ${table} (embedding vector(${DIMS}))`);

    const methods: Record<string, () => Promise<void>> = {
      'vecpg import (binary COPY)': async () => {
        const r = await load(pool, { file: npy, table });
        if (r.rows !== ROWS) throw new Error(`loaded ${r.rows}`);
      },
      'psql \\copy (FORMAT binary)': async () => {
        execFileSync('psql', [
          url!,
          '-v',
          'ON_ERROR_STOP=1',
          '-q',
          '-c',
          `\\copy ${table} (embedding) FROM '${bin}' WITH (FORMAT binary)`,
        ]);
      },
      'pgvector npm, text COPY': async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const stream = client.query(copyFrom(`COPY ${table} (embedding) FROM STDIN`));
          const done = new Promise<void>((resolve, reject) => {
            stream.on('finish', resolve);
            stream.on('error', reject);
          });
          for await (const embedding of arrays(npy)) {
            if (!stream.write(`${pgvector.toSql(embedding)}\n`)) await once(stream, 'drain');
          }
          stream.end();
          await done;
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      },
      'batched INSERT (500 rows)': async () => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          let batch: string[] = [];
          const flush = async (): Promise<void> => {
            if (batch.length === 0) return;
            const values = batch.map((_, i) => `($${i + 1})`).join(',');
            await client.query(`INSERT INTO ${table} (embedding) VALUES ${values}`, batch);
            batch = [];
          };
          for await (const embedding of arrays(npy)) {
            batch.push(pgvector.toSql(embedding)!);
            if (batch.length === 500) await flush();
          }
          await flush();
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      },
    };

    // psql's input: the server's own binary COPY of the same rows.
    await methods['vecpg import (binary COPY)']!();
    execFileSync('psql', [url!, '-q', '-c', `\\copy ${table} (embedding) TO '${bin}' WITH (FORMAT binary)`]);
    console.log(
      `data: ${((await stat(npy)).size / 2 ** 20).toFixed(0)} MiB .npy, ${((await stat(bin)).size / 2 ** 20).toFixed(0)} MiB binary COPY file`,
    );

    const times: Record<string, number[]> = {};
    for (let run = 0; run < RUNS; run++) {
      for (const [name, fn] of Object.entries(methods)) {
        if (SLOW.has(name) && run >= SLOW_RUNS) continue;
        await pool.query(`TRUNCATE ${table}`);
        await pool.query('CHECKPOINT').catch(() => undefined);
        const t = performance.now();
        await fn();
        const ms = performance.now() - t;
        const n = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
        if (n !== ROWS) throw new Error(`${name}: ${n} rows`);
        (times[name] ??= []).push(ms);
        console.log(`run ${run + 1} ${name}: ${(ms / 1000).toFixed(2)} s`);
      }
    }
    const limit = median(times['psql \\copy (FORMAT binary)']!);
    console.log(
      `\n${machine()}; PostgreSQL at ${new URL(url!).host}; ${ROWS} × ${DIMS}; median of ${RUNS} runs (${SLOW_RUNS} for text COPY / INSERT)\n`,
    );
    printTable(
      ['method', 'runs', 'median s', 'rows/s', 'vs psql binary'],
      Object.entries(times).map(([name, ts]) => {
        const m = median(ts);
        return [
          name,
          String(ts.length),
          (m / 1000).toFixed(2),
          Math.round((ROWS * 1000) / m).toLocaleString('en-US'),
          `${(limit / m).toFixed(2)}×`,
        ];
      }),
    );

    if (EXPORT) {
      const out = join(dir, 'out.npy');
      const copyOut = join(dir, 'out.pgcopy');
      const exports: Record<string, () => Promise<void>> = {
        'vecpg export (.npy)': async () => {
          const r = await exportTable(pool, { table, format: 'npy', out, overwrite: true });
          if (r.rows !== ROWS) throw new Error(`exported ${r.rows}`);
        },
        'psql \\copy TO (FORMAT binary)': async () => {
          execFileSync('psql', [url!, '-q', '-c', `\\copy ${table} (embedding) TO '${copyOut}' WITH (FORMAT binary)`]);
        },
        // The same work as vecpg's export, which syncs its file before renaming it into place.
        'psql \\copy TO (FORMAT binary), then sync': async () => {
          execFileSync('psql', [url!, '-q', '-c', `\\copy ${table} (embedding) TO '${copyOut}' WITH (FORMAT binary)`]);
          execFileSync('sync', ['--data', copyOut]);
        },
      };
      const etimes: Record<string, number[]> = {};
      // Client CPU (user + system): this process's for vecpg, the psql child's for psql.
      const ecpu: Record<string, number[]> = {};
      for (let run = 0; run < RUNS; run++) {
        for (const [name, fn] of Object.entries(exports)) {
          const cpu = process.cpuUsage();
          const children = childrenCpuMs();
          const t = performance.now();
          await fn();
          const ms = performance.now() - t;
          const used = process.cpuUsage(cpu);
          const cpuMs = name.startsWith('psql') ? childrenCpuMs() - children : (used.user + used.system) / 1000;
          (etimes[name] ??= []).push(ms);
          (ecpu[name] ??= []).push(cpuMs);
          console.log(`run ${run + 1} ${name}: ${(ms / 1000).toFixed(2)} s, client CPU ${(cpuMs / 1000).toFixed(2)} s`);
        }
      }
      const elimit = median(etimes['psql \\copy TO (FORMAT binary)']!);
      console.log(`\nexport of the same ${ROWS} × ${DIMS} rows; median of ${RUNS} runs\n`);
      printTable(
        ['method', 'runs', 'median s', 'rows/s', 'vs psql binary', 'client CPU s (median)'],
        Object.entries(etimes).map(([name, ts]) => {
          const m = median(ts);
          return [
            name,
            String(ts.length),
            (m / 1000).toFixed(2),
            Math.round((ROWS * 1000) / m).toLocaleString('en-US'),
            `${(elimit / m).toFixed(2)}×`,
            (median(ecpu[name]!) / 1000).toFixed(2),
          ];
        }),
      );
    }
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
