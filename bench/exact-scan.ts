/**
 * Exact top-10 over N × 768 float32 vectors: a table with pgvector's default column storage (EXTENDED:
 * rows over ~2 kB are moved out of line to TOAST) against the storage vecpg gives the columns it creates
 * (MAIN: kept in the row when the row fits the page), and PLAIN for comparison — serial and with two
 * parallel workers, on the server. Run: `npm run bench:scan` (BENCH_ROWS, BENCH_RUNS to change).
 */
import pg from 'pg';
import { setStorageSql } from '../src/sql/ddl.ts';
import { median, machine, printTable } from './util.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const DIMS = Number(process.env.BENCH_DIMS ?? 768);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const client = new pg.Client({ connectionString: url });
await client.connect();
const q = (text: string, params: unknown[] = []) => client.query(text, params);

const tables = { default: 'bench_scan_default', main: 'bench_scan_main', plain: 'bench_scan_plain' } as const;
console.error(`generating ${ROWS} × ${DIMS} random vectors on the server…`);
await q(`DROP TABLE IF EXISTS ${Object.values(tables).join(', ')}`);
await q(`CREATE TABLE ${tables.default} (id int PRIMARY KEY, embedding vector(${DIMS}))`);
await q(
  `INSERT INTO ${tables.default} SELECT i, (SELECT array_agg(random()::real) FROM generate_series(1, ${DIMS}) WHERE i > 0)::vector
   FROM generate_series(1, ${ROWS}) AS i`,
);
for (const [storage, table] of [['main', tables.main], ['plain', tables.plain]] as const) {
  await q(`CREATE TABLE ${table} (id int PRIMARY KEY, embedding vector(${DIMS}))`);
  await q(setStorageSql(table, 'embedding', storage));
  await q(`INSERT INTO ${table} SELECT * FROM ${tables.default}`);
}
for (const t of Object.values(tables)) await q(`VACUUM ANALYZE ${t}`);

const sizes: Record<string, string> = {};
for (const [name, t] of Object.entries(tables)) {
  const r = await q(
    `SELECT pg_size_pretty(pg_relation_size($1::regclass)) AS heap,
            pg_size_pretty(coalesce(pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE oid = $1::regclass)), 0)) AS toast`,
    [t],
  );
  sizes[name] = `heap ${r.rows[0].heap}, toast ${r.rows[0].toast}`;
}

const query = (await q(`SELECT embedding::text AS v FROM ${tables.default} WHERE id = 1`)).rows[0].v as string;
async function time(table: string, workers: number): Promise<{ ms: number; plan: string }> {
  await q(`SET max_parallel_workers_per_gather = ${workers}`);
  const times: number[] = [];
  let plan = '';
  for (let r = 0; r < RUNS + 1; r++) {
    const res = await q(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT id FROM ${table} ORDER BY embedding <-> $1::vector LIMIT 10`, [query]);
    const top = res.rows[0]['QUERY PLAN'][0];
    if (r > 0) times.push(top['Execution Time']); // first run warms the cache
    plan = JSON.stringify(top.Plan).includes('"Workers Launched":2') ? 'parallel (2 workers)' : 'serial';
  }
  return { ms: median(times), plan };
}

const rows: string[][] = [];
const results: Record<string, number> = {};
for (const [name, t] of Object.entries(tables)) {
  for (const workers of [0, 2]) {
    const { ms, plan } = await time(t, workers);
    results[`${name}/${workers}`] = ms;
    rows.push([name, workers === 0 ? 'off' : '2', plan, ms.toFixed(1), sizes[name]!]);
  }
}
const base = results['default/2']!;
for (const r of rows) r.push(`${(base / Number(r[3])).toFixed(2)}×`);
console.log(`\n## Exact top-10, ${ROWS} × vector(${DIMS}), server ${(await q('SHOW server_version')).rows[0].server_version}\n`);
console.log(machine());
printTable(['storage', 'parallel workers', 'plan', 'median ms', 'size', 'speed-up vs default (parallel allowed)'], rows);

// What happens when a row does not fit the page: PLAIN refuses it, MAIN moves it out of line.
const wide = 2100; // 4·2100 + 8 bytes > the ~8 kB page
await q('DROP TABLE IF EXISTS bench_scan_wide_plain, bench_scan_wide_main');
await q(`CREATE TABLE bench_scan_wide_plain (embedding vector(${wide}))`);
await q(setStorageSql('bench_scan_wide_plain', 'embedding', 'plain'));
await q(`CREATE TABLE bench_scan_wide_main (embedding vector(${wide}))`);
await q(setStorageSql('bench_scan_wide_main', 'embedding', 'main'));
const wideValue = `[${new Array(wide).fill(0.5).join(',')}]`;
let plainWide = 'stored';
try {
  await q('INSERT INTO bench_scan_wide_plain VALUES ($1)', [wideValue]);
} catch (e) {
  plainWide = `refused: ${(e as Error).message}`;
}
await q('INSERT INTO bench_scan_wide_main VALUES ($1)', [wideValue]);
console.log(`\nvector(${wide}) row larger than a page: PLAIN → ${plainWide}; MAIN → stored (out of line)`);
await q(`DROP TABLE IF EXISTS bench_scan_wide_plain, bench_scan_wide_main, ${Object.values(tables).join(', ')}`);
await client.end();
