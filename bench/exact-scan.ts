/**
 * Exact top-10 over N × vector(768): a table as pgvector creates it (the type's default storage,
 * EXTERNAL: any row over ~2 kB is moved out of line to TOAST) against the table vecpg creates (STORAGE
 * MAIN: kept in the row when it fits the page), serial and with 2 parallel workers, on the server; and
 * the same two tables on embedded PGlite (one process: no parallel workers there).
 *
 * Queries: "pgvector" is what a user writes without vecpg (`ORDER BY embedding <-> $1 LIMIT 10`, text
 * parameter); "vecpg search()" is the exact statement vecpg's `search` sends (distance column, ORDER BY
 * an expression no index can serve, binary parameter). Wall time of the query as the client sees it.
 * Run: `npx tsx bench/exact-scan.ts` (BENCH_ROWS, BENCH_PGLITE_ROWS, BENCH_RUNS to change).
 */
import pg from 'pg';
import { buildSimilarityQuery, setStorageSql } from '../src/index.ts';
import { vectorParam } from '../src/sql.ts';
import { openPglite } from '../src/drivers/pglite.ts';
import { ensureVectorExtension, machine, median, printTable, seeded } from './util.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const PGLITE_ROWS = Number(process.env.BENCH_PGLITE_ROWS ?? ROWS);
const DIMS = 768;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `bench_scan_${process.pid}`;
const tables = { default: `${prefix}_default`, vecpg: `${prefix}_vecpg`, plain: `${prefix}_plain` } as const;

interface Target {
  query(text: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
}

const rand = seeded(7);
const queryVector = Array.from({ length: DIMS }, () => rand());

async function createTables(db: Target, rows: number, withPlain: boolean): Promise<Record<string, string>> {
  await db.query(`CREATE TABLE ${tables.default} (id int PRIMARY KEY, embedding vector(${DIMS}))`);
  await db.query(
    `INSERT INTO ${tables.default} SELECT i, (SELECT array_agg(random()::real) FROM generate_series(1, ${DIMS}) WHERE i > 0)::vector
     FROM generate_series(1, ${rows}) AS i`,
  );
  const others: Array<[string, 'main' | 'plain']> = [[tables.vecpg, 'main']];
  if (withPlain) others.push([tables.plain, 'plain']);
  for (const [t, storage] of others) {
    await db.query(`CREATE TABLE ${t} (id int PRIMARY KEY, embedding vector(${DIMS}))`);
    await db.query(setStorageSql(t, 'embedding', storage));
    await db.query(`INSERT INTO ${t} SELECT * FROM ${tables.default}`);
  }
  const sizes: Record<string, string> = {};
  for (const [name, t] of Object.entries(tables)) {
    if (name === 'plain' && !withPlain) continue;
    await db.query(`VACUUM ANALYZE ${t}`);
    const [r] = await db.query(
      `SELECT pg_size_pretty(pg_relation_size($1::regclass)) AS heap,
              pg_size_pretty(coalesce(pg_relation_size((SELECT reltoastrelid FROM pg_class WHERE oid = $1::regclass)), 0)) AS toast`,
      [t],
    );
    sizes[name] = `heap ${String(r!.heap)}, TOAST ${String(r!.toast)}`;
  }
  return sizes;
}

function statements(table: string): Record<string, { text: string; values: unknown[] }> {
  const vecpg = buildSimilarityQuery({
    table,
    column: 'embedding',
    query: queryVector,
    distance: 'l2',
    select: ['id'],
    k: 10,
    binaryParams: true,
  });
  return {
    pgvector: {
      text: `SELECT id FROM ${table} ORDER BY embedding <-> $1::vector LIMIT 10`,
      values: [vectorParam(queryVector, 'vector')],
    },
    // search()'s statement: binary parameter, ORDER BY (d) + 0 selected as the distance (computed once per row).
    'vecpg search()': vecpg,
  };
}

/** Median wall ms per case, timing one run of every case per round. */
async function interleaved(
  db: Target,
  cases: ReadonlyArray<{ key: string; sets: string[]; sql: { text: string; values: unknown[] } }>,
  runs: number,
): Promise<Record<string, number>> {
  const times: Record<string, number[]> = {};
  for (let round = 0; round <= runs; round++) {
    for (const c of cases) {
      for (const s of c.sets) await db.query(s);
      const t = performance.now();
      await db.query(c.sql.text, c.sql.values);
      if (round > 0) (times[c.key] ??= []).push(performance.now() - t);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

async function workersLaunched(db: Target, sql: { text: string; values: unknown[] }): Promise<number> {
  const [r] = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql.text}`, sql.values);
  const m = /"Workers Launched": (\d+)/.exec(JSON.stringify(r!['QUERY PLAN'], null, 1));
  return m ? Number(m[1]) : 0;
}

/** Markdown rows and the headline ratio (default table, pgvector query, parallel allowed) / (vecpg). */
export async function runExactScan(): Promise<{
  server: string[][];
  pglite: string[][];
  ratios: Record<string, number>;
  notes: string[];
}> {
  const ratios: Record<string, number> = {};
  const notes: string[] = [];
  const server: string[][] = [];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await ensureVectorExtension(client);
  const srv: Target = { query: async (text, params) => (await client.query(text, params)).rows };
  try {
    notes.push(`server ${String((await srv.query('SHOW server_version'))[0]!.server_version)}, ${ROWS} rows`);
    const sizes = await createTables(srv, ROWS, true);
    const configs: Array<[string, string[]]> = [
      ['serial', ['SET max_parallel_workers_per_gather = 0', 'RESET min_parallel_table_scan_size']],
      ['parallel (defaults)', ['RESET max_parallel_workers_per_gather', 'RESET min_parallel_table_scan_size']],
      [
        'parallel (min_parallel_table_scan_size = 0)',
        ['RESET max_parallel_workers_per_gather', 'SET min_parallel_table_scan_size = 0'],
      ],
    ];
    const cases: Array<{ key: string; row: string[]; sets: string[]; sql: { text: string; values: unknown[] } }> = [];
    for (const [config, sets] of configs) {
      for (const [name, t] of Object.entries(tables)) {
        for (const [qname, sql] of Object.entries(statements(t))) {
          if (name === 'plain' && qname !== 'vecpg search()') continue;
          cases.push({ key: `${config}/${name}/${qname}`, row: [config, name, qname], sets, sql });
        }
      }
    }
    // Rounds over all cases (not all runs of one case in a row), so a burst of load on the shared
    // machine hits every case alike; the first round warms the cache and is not counted.
    const results = await interleaved(srv, cases, RUNS);
    for (const c of cases) {
      for (const s of c.sets) await srv.query(s);
      const workers = await workersLaunched(srv, c.sql);
      server.push([...c.row, String(workers), results[c.key]!.toFixed(0), sizes[c.row[1]!]!]);
    }
    const base = results['parallel (defaults)/default/pgvector']!;
    for (const r of server) r.push(`${(base / results[`${r[0]}/${r[1]}/${r[2]}`]!).toFixed(2)}×`);
    ratios['server, PostgreSQL defaults: vecpg table + search() vs default table + pgvector query'] =
      base / results['parallel (defaults)/vecpg/vecpg search()']!;
    ratios['server, serial: the same'] = results['serial/default/pgvector']! / results['serial/vecpg/vecpg search()']!;

    // A row that does not fit the page: PLAIN refuses it, MAIN moves it out of line.
    const wide = 2100; // 4·2100 + 8 bytes > the ~8 kB page
    await srv.query(`CREATE TABLE ${prefix}_wide_plain (embedding vector(${wide}))`);
    await srv.query(setStorageSql(`${prefix}_wide_plain`, 'embedding', 'plain'));
    await srv.query(`CREATE TABLE ${prefix}_wide_main (embedding vector(${wide}))`);
    await srv.query(setStorageSql(`${prefix}_wide_main`, 'embedding', 'main'));
    const wideValue = vectorParam(new Array(wide).fill(0.5), 'vector');
    let plainWide = 'stored';
    try {
      await srv.query(`INSERT INTO ${prefix}_wide_plain VALUES ($1)`, [wideValue]);
    } catch (e) {
      plainWide = `refused ("${(e as Error).message}")`;
    }
    await srv.query(`INSERT INTO ${prefix}_wide_main VALUES ($1)`, [wideValue]);
    notes.push(`vector(${wide}), a row larger than a page: PLAIN → ${plainWide}; MAIN → stored (out of line)`);
  } finally {
    await srv.query(
      `DROP TABLE IF EXISTS ${Object.values(tables).join(', ')}, ${prefix}_wide_plain, ${prefix}_wide_main`,
    );
    await client.end();
  }

  // --- embedded PGlite ---
  const pglite: string[][] = [];
  const db = await openPglite();
  try {
    const sizes = await createTables(db, PGLITE_ROWS, false);
    const cases: Array<{ key: string; row: string[]; sets: string[]; sql: { text: string; values: unknown[] } }> = [];
    for (const name of ['default', 'vecpg'] as const) {
      for (const [qname, sql] of Object.entries(statements(tables[name])))
        cases.push({ key: `${name}/${qname}`, row: [name, qname], sets: [], sql });
    }
    const times = await interleaved(db, cases, RUNS);
    for (const c of cases)
      pglite.push(['PGlite (one process)', c.row[0]!, c.row[1]!, '0', times[c.key]!.toFixed(0), sizes[c.row[0]!]!]);
    for (const r of pglite) r.push(`${(times['default/pgvector']! / times[`${r[1]}/${r[2]}`]!).toFixed(2)}×`);
    ratios['PGlite: vecpg table + search() vs default table + pgvector query'] =
      times['default/pgvector']! / times['vecpg/vecpg search()']!;
    notes.push(`PGlite ${PGLITE_ROWS} rows`);
  } finally {
    await db.pglite.close();
  }
  return { server, pglite, ratios, notes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { server, pglite, ratios, notes } = await runExactScan();
  console.log(`\n## Exact top-10 over vector(${DIMS}), wall time, median of ${RUNS} interleaved rounds\n`);
  console.log(machine());
  console.log(notes.map((n) => `- ${n}`).join('\n'));
  printTable(
    [
      'plan settings',
      'table',
      'query',
      'workers launched',
      'median ms',
      'size',
      'speed-up vs default table + pgvector query (parallel allowed)',
    ],
    [...server, ...pglite],
  );
  console.log('');
  for (const [k, v] of Object.entries(ratios)) console.log(`- ${k}: ${v.toFixed(2)}×`);
}
