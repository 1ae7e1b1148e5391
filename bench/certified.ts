/**
 * Certified exact top-10 over 100,000 × vector(768) on the server, against vecpg's current exact scan
 * (STORAGE MAIN, `search()`, PostgreSQL's default parallel workers) and plain pgvector on a default table
 * (`ORDER BY embedding <-> $1 LIMIT 10`, the type's default EXTERNAL storage), on two data sets:
 *
 * - random: uniform [0, 1) per element, L2 (the hard case for a bound: every distance is alike);
 * - clustered: embedding-like, cosine. No real embedding set ships in an npm package we may install, so
 *   this is synthetic: 200 Gaussian centres, each row = centre + noise, unit-normalized, the noise of
 *   element j scaled by 1/√j (a decaying spectrum: an effective dimension of ~27, as real embeddings have
 *   far fewer than 768 degrees of freedom); queries are drawn the same way.
 *
 * Two certified layouts: the half form (halfvec of the whole vector) and the prefix form (halfvec of the
 * first BENCH_PREFIX = 256 elements plus the norm of the rest; its tries run without parallel workers,
 * `certified.parallel` 'auto', and once more with the server's plan, 'server'). vecpg's exact search runs
 * twice, with the server's parallel plan and serial (a second connection with
 * max_parallel_workers_per_gather = 0), and the speed-ups are against the faster of the two: the exact scan
 * at its best on the machine of the run. The searches run interleaved per query, in a rotating order. Every certified answer is compared with the exact scan's (ids and
 * distances). Write side: INSERT … SELECT of the same rows into each layout (rows/s) and the table sizes.
 * Run: `npm run bench:certified` (BENCH_ROWS, BENCH_QUERIES, BENCH_PREFIX, DATABASE_URL to change).
 */
import os from 'node:os';
import pg from 'pg';
import { search, setStorageSql } from '../src/index.ts';
import { certifiedColumnDefinitions, certifiedStorageSql, vectorParam } from '../src/sql.ts';
import type { CertifiedRows, Row, VecpgDb } from '../src/index.ts';
import type { CertifiedDistance } from '../src/sql.ts';
import { wrapPg } from '../src/drivers/pg.ts';
import { machine, median, printTable, seeded } from './util.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 20);
const DIMS = 768;
/** The prefix form measured: the first 256 of 768 elements as halfvec, plus the norm of the rest. */
const PREFIX = { form: 'prefix', prefix: Number(process.env.BENCH_PREFIX ?? 256) } as const;
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const prefix = `bench_cert_${process.pid}`;

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

interface DataSet {
  name: string;
  distance: CertifiedDistance;
  /** SQL producing (id, embedding) rows. */
  rowsSql: string;
  queries: number[][];
}

const HARMONIC = Array.from({ length: DIMS }, (_, j) => 1 / (j + 1)).reduce((a, b) => a + b);
/** Noise of element j (1-based): 0.6 · √(DIMS / H) / √j · N(0, 1), total energy 0.36 · DIMS. */
const NOISE = 0.6 * Math.sqrt(DIMS / HARMONIC);

function dataSets(centres: number[][], rand: () => number): DataSet[] {
  const clusteredQuery = () => {
    const c = centres[Math.floor(rand() * centres.length)]!;
    const v = c.map((x, j) => x + (NOISE / Math.sqrt(j + 1)) * gaussian(rand));
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const scale = `[${Array.from({ length: DIMS }, (_, j) => NOISE / Math.sqrt(j + 1)).join(',')}]`;
  const gauss = `sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())`;
  return [
    {
      name: 'random',
      distance: 'l2',
      rowsSql: `SELECT i, (SELECT array_agg(random()::real) FROM generate_series(1, ${DIMS}) WHERE i > 0)::vector
                FROM generate_series(1, ${ROWS}) AS i`,
      queries: Array.from({ length: QUERIES }, () => Array.from({ length: DIMS }, () => rand())),
    },
    {
      name: 'clustered',
      distance: 'cosine',
      // centres as a table, then one row per id: l2_normalize(centre + noise)
      rowsSql: `SELECT i, l2_normalize(c.x + (SELECT array_agg(${gauss}) FROM generate_series(1, ${DIMS}) WHERE i > 0)::vector * '${scale}'::vector)
                FROM generate_series(1, ${ROWS}) AS i
                JOIN ${prefix}_centres AS c ON c.id = i % 200`,
      queries: Array.from({ length: QUERIES }, clusteredQuery),
    },
  ];
}

async function size(client: pg.Client, table: string): Promise<string> {
  const { rows } = await client.query(
    `SELECT pg_relation_size($1::regclass) AS heap,
            coalesce(pg_total_relation_size((SELECT reltoastrelid FROM pg_class WHERE oid = $1::regclass)), 0) AS toast`,
    [table],
  );
  const mb = (x: unknown) => `${(Number(x) / 2 ** 20).toFixed(0)} MB`;
  return `heap ${mb(rows[0].heap)}, TOAST ${mb(rows[0].toast)}`;
}

async function main(): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const db: VecpgDb = await wrapPg(client);
  // The exact scan without parallel workers, on its own connection (a session setting).
  const serialClient = new pg.Client({ connectionString: url });
  await serialClient.connect();
  await serialClient.query('SET max_parallel_workers_per_gather = 0');
  const serialDb: VecpgDb = await wrapPg(serialClient);
  const load = () => os.loadavg()[0]!.toFixed(1);
  const out: string[][] = [];
  const writes: string[][] = [];
  const notes: string[] = [
    `server ${(await client.query('SHOW server_version')).rows[0].server_version}, ${ROWS} rows, ${QUERIES} queries per data set`,
    `load average (1 min) at the start: ${load()}`,
  ];
  const rand = seeded(11);
  const centres = Array.from({ length: 200 }, () => Array.from({ length: DIMS }, () => gaussian(rand)));
  const sets = dataSets(centres, rand);
  try {
    await client.query(`CREATE TABLE ${prefix}_centres (id int, x vector(${DIMS}))`);
    for (let i = 0; i < centres.length; i++)
      await client.query(`INSERT INTO ${prefix}_centres VALUES ($1, $2)`, [i, vectorParam(centres[i], 'vector')]);
    for (const set of sets) {
      const t = {
        default: `${prefix}_${set.name}_default`,
        main: `${prefix}_${set.name}_main`,
        cert: `${prefix}_${set.name}_certified`,
        prefix: `${prefix}_${set.name}_prefix`,
      };
      await client.query(`CREATE TABLE ${t.default} (id int PRIMARY KEY, embedding vector(${DIMS}))`);
      let t0 = performance.now();
      await client.query(`INSERT INTO ${t.default} ${set.rowsSql}`);
      const genMs = performance.now() - t0;
      await client.query(`CREATE TABLE ${t.main} (id int PRIMARY KEY, embedding vector(${DIMS}))`);
      await client.query(setStorageSql(t.main, 'embedding', 'main'));
      for (const [table, layout] of [
        [t.cert, {}],
        [t.prefix, PREFIX],
      ] as const) {
        await client.query(
          `CREATE TABLE ${table} (id int PRIMARY KEY, embedding vector(${DIMS}), ${certifiedColumnDefinitions('embedding', DIMS, [set.distance], layout).join(', ')})`,
        );
        await client.query(certifiedStorageSql(table, 'embedding', [set.distance], layout));
      }
      await client.query('CHECKPOINT');
      const written: string[][] = [
        [set.name, 'pgvector default', `(generated in SQL: ${(ROWS / (genMs / 1000)).toFixed(0)})`, ''],
      ];
      for (const [name, table] of [
        ['vecpg (STORAGE MAIN)', t.main],
        [`certified, half form (${set.distance} columns)`, t.cert],
        [`certified, prefix form m = ${PREFIX.prefix} (${set.distance} columns)`, t.prefix],
      ] as const) {
        t0 = performance.now();
        await client.query(`INSERT INTO ${table} SELECT * FROM ${t.default}`);
        const ms = performance.now() - t0;
        written.push([set.name, name, (ROWS / (ms / 1000)).toFixed(0), '']);
      }
      for (const table of Object.values(t)) await client.query(`VACUUM ANALYZE ${table}`);
      const tables = [t.default, t.main, t.cert, t.prefix];
      for (let i = 0; i < written.length; i++) written[i]![3] = await size(client, tables[i]!);
      writes.push(...written);

      const names = ['pgvector', 'exact', 'exactSerial', 'certified', 'prefix', 'prefixParallel'] as const;
      notes.push(`${set.name}: load average (1 min) before the searches: ${load()}`);
      const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
      const stats = {
        certified: { firstTry: 0, proven: 0, equal: 0, candidates: [] as number[] },
        prefix: { firstTry: 0, proven: 0, equal: 0, candidates: [] as number[] },
        prefixParallel: { firstTry: 0, proven: 0, equal: 0, candidates: [] as number[] },
      };
      const op = set.distance === 'l2' ? '<->' : '<=>';
      for (let round = -1; round < set.queries.length; round++) {
        const q = set.queries[Math.max(0, round)]!;
        const base = { column: 'embedding', query: q, distance: set.distance, k: 10, select: ['id'] } as const;
        const run: Record<(typeof names)[number], () => Promise<unknown>> = {
          pgvector: () =>
            client.query(`SELECT id FROM ${t.default} ORDER BY embedding ${op} $1::vector LIMIT 10`, [
              vectorParam(q, 'vector'),
            ]),
          exact: () => search(db, { ...base, table: t.main }),
          exactSerial: () => search(serialDb, { ...base, table: t.main }),
          certified: () => search(db, { ...base, table: t.cert, exact: 'certified' }),
          prefix: () => search(db, { ...base, table: t.prefix, exact: 'certified', certified: PREFIX }),
          prefixParallel: () =>
            search(db, {
              ...base,
              table: t.prefix,
              exact: 'certified',
              certified: { ...PREFIX, parallel: 'server' },
            }),
        };
        const results: Record<string, unknown> = {};
        // the order rotates per query, so that no search always runs right after another
        for (let i = 0; i < names.length; i++) {
          const name = names[(i + Math.max(0, round)) % names.length]!;
          const s = performance.now();
          results[name] = await run[name]();
          if (round >= 0) times[name]!.push(performance.now() - s);
        }
        if (round < 0) continue; // warm-up
        const exact = results['exact'] as Row[];
        for (const name of ['certified', 'prefix', 'prefixParallel'] as const) {
          const rows = results[name] as CertifiedRows<Row>;
          const st = stats[name];
          if (rows.certificate.firstTry) st.firstTry++;
          if (rows.certificate.proven) st.proven++;
          st.candidates.push(rows.certificate.candidates);
          if (
            JSON.stringify(rows.map((r) => [r['id'], r['distance']])) ===
            JSON.stringify(exact.map((r) => [r['id'], r['distance']]))
          )
            st.equal++;
        }
      }
      const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<string, number>;
      const n = set.queries.length;
      // against the faster exact scan of this run (parallel or serial)
      const best = Math.min(m.exact!, m.exactSerial!);
      const speedup = (x: number) => (best / x).toFixed(2) + '×';
      const cert = (st: (typeof stats)['certified']) => [
        `${st.firstTry}/${n} first try, ${st.proven}/${n} proven, N median ${median(st.candidates)}`,
        `${st.equal}/${n}`,
      ];
      out.push([
        set.name,
        set.distance,
        'pgvector, default table',
        m.pgvector!.toFixed(0),
        speedup(m.pgvector!),
        '',
        '',
      ]);
      out.push([
        set.name,
        set.distance,
        'vecpg exact search() (STORAGE MAIN), parallel plan',
        m.exact!.toFixed(0),
        speedup(m.exact!),
        '',
        '',
      ]);
      out.push([
        set.name,
        set.distance,
        'vecpg exact search() (STORAGE MAIN), serial',
        m.exactSerial!.toFixed(0),
        speedup(m.exactSerial!),
        '',
        '',
      ]);
      out.push([
        set.name,
        set.distance,
        "vecpg search({ exact: 'certified' }), half form",
        m.certified!.toFixed(0),
        speedup(m.certified!),
        ...cert(stats.certified),
      ]);
      out.push([
        set.name,
        set.distance,
        `vecpg search({ exact: 'certified' }), prefix form m = ${PREFIX.prefix} (serial tries)`,
        m.prefix!.toFixed(0),
        speedup(m.prefix!),
        ...cert(stats.prefix),
      ]);
      out.push([
        set.name,
        set.distance,
        `the same, parallel: 'server' (the server's plan)`,
        m.prefixParallel!.toFixed(0),
        speedup(m.prefixParallel!),
        ...cert(stats.prefixParallel),
      ]);
    }
  } finally {
    const { rows } = await client.query(
      `SELECT string_agg(quote_ident(tablename), ', ') AS t FROM pg_tables WHERE tablename LIKE '${prefix}%'`,
    );
    if (rows[0].t) await client.query(`DROP TABLE ${rows[0].t}`);
    await client.end();
    await serialClient.end();
  }
  console.log(`\n## Certified exact top-10 over vector(${DIMS}), wall time, median over the queries\n`);
  console.log(machine());
  notes.push(`load average (1 min) at the end: ${load()}`);
  console.log(notes.map((n) => `- ${n}`).join('\n'));
  console.log('');
  printTable(
    [
      'data',
      'distance',
      'search',
      'median ms',
      'speed-up vs the faster vecpg exact',
      'certificate',
      'same rows as exact',
    ],
    out,
  );
  console.log('');
  printTable(['data', 'table', 'insert rows/s', 'size'], writes);
}

await main();
