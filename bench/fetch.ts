/**
 * Fetch 10,000 rows of vector(1536) into `number[]`s: the `pgvector` package's `registerTypes` path
 * (node-postgres, text + its parser) against vecpg's text path (vecpg's parsers) and vecpg's binary
 * read (`vector_send(col)` → bytea → decodeVectorColumn, what vecpg's search helpers do). Then the same
 * on embedded PGlite (pgvector has no PGlite integration: its `fromSql` is registered as PGlite's parser).
 * Every path returns the same numbers (checked before timing). Wall time, median of BENCH_RUNS.
 * Run: `npx tsx bench/fetch.ts` (DATABASE_URL for the server; BENCH_FETCH_ROWS, BENCH_RUNS to change).
 */
import pg from 'pg';
import pgvector from 'pgvector';
import { registerTypes as pgvectorRegisterTypes } from 'pgvector/pg';
import { binaryColumnSql, decodeVectorColumn } from '../src/sql.ts';
import { registerVectorTypes } from '../src/drivers/pg.ts';
import { openPglite } from '../src/drivers/pglite.ts';
import { cpuMs, ensureVectorExtension, machine, median, printTable } from './util.ts';

const ROWS = Number(process.env.BENCH_FETCH_ROWS ?? 10_000);
const DIMS = 1536;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const table = `bench_fetch_${process.pid}`;

const createSql = [
  `CREATE TABLE ${table} (id int PRIMARY KEY, embedding vector(${DIMS}))`,
  `ALTER TABLE ${table} ALTER COLUMN embedding SET STORAGE MAIN`,
  `INSERT INTO ${table} SELECT i, (SELECT array_agg((random() * 2 - 1)::real) FROM generate_series(1, ${DIMS}) WHERE i > 0)::vector
   FROM generate_series(1, ${ROWS}) AS i`,
  `VACUUM ANALYZE ${table}`,
];
const textSql = `SELECT id, embedding FROM ${table}`;
const binarySql = `SELECT id, ${binaryColumnSql('embedding', 'vector')} FROM ${table}`;

type Rows = Array<{ id: number; embedding: unknown }>;
const decodeAll = (rows: Rows): Rows => {
  for (const r of rows) r.embedding = decodeVectorColumn(r.embedding, 'vector', {});
  return rows;
};

function sameValues(a: Rows, b: Rows, what: string): void {
  const byId = new Map(b.map((r) => [r.id, r.embedding as number[]]));
  for (const r of a) {
    const x = r.embedding as number[];
    const y = byId.get(r.id)!;
    // pgvector parses the printed shortest decimal with parseFloat (a double, not the stored float32):
    // compare after rounding to float32, which is what the server stores.
    if (x.length !== y.length || x.some((v, i) => Math.fround(v) !== Math.fround(y[i]!)))
      throw new Error(`${what}: row ${r.id} differs`);
  }
}

/** Wall and CPU medians of each path, one run of every path per round (first round = warm-up). */
async function interleaved(
  paths: Array<[string, () => Promise<unknown>]>,
): Promise<Array<[string, { wall: number; cpu: number }]>> {
  const wall = paths.map(() => [] as number[]);
  const cpu = paths.map(() => [] as number[]);
  for (let round = 0; round <= RUNS; round++) {
    for (const [i, [, fn]] of paths.entries()) {
      const w = performance.now();
      const c = cpuMs();
      await fn();
      if (round > 0) {
        cpu[i]!.push(cpuMs() - c);
        wall[i]!.push(performance.now() - w);
      }
    }
  }
  return paths.map(([name], i) => [name, { wall: median(wall[i]!), cpu: median(cpu[i]!) }]);
}

/** Markdown rows: [target, path, wall ms, speed-up, client CPU ms, speed-up], all vs pgvector. */
export async function runFetch(): Promise<{ table: string[][]; ratios: Record<string, number> }> {
  const out: string[][] = [];
  const ratios: Record<string, number> = {};
  const add = (target: string, results: Array<[string, { wall: number; cpu: number }]>) => {
    const base = results[0]![1];
    for (const [name, t] of results) {
      out.push([
        target,
        name,
        t.wall.toFixed(0),
        `${(base.wall / t.wall).toFixed(2)}×`,
        t.cpu.toFixed(0),
        `${(base.cpu / t.cpu).toFixed(2)}×`,
      ]);
    }
    ratios[`${target} text`] = base.wall / results[1]![1].wall;
    ratios[`${target} binary`] = base.wall / results[2]![1].wall;
  };

  // --- server, node-postgres ---
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  let serverOk = true;
  try {
    await ensureVectorExtension(setup);
    for (const s of createSql) await setup.query(s);
  } catch (e) {
    serverOk = false;
    console.error(`server skipped: ${(e as Error).message}`);
  }
  if (serverOk) {
    const theirs = new pg.Client({ connectionString: url });
    const ours = new pg.Client({ connectionString: url });
    await Promise.all([theirs.connect(), ours.connect()]);
    await pgvectorRegisterTypes(theirs);
    await registerVectorTypes(ours);
    const pgv = async () => (await theirs.query(textSql)).rows as Rows;
    const text = async () => (await ours.query(textSql)).rows as Rows;
    const binary = async () => decodeAll((await ours.query(binarySql)).rows as Rows);
    const reference = await pgv();
    sameValues(await text(), reference, 'server text');
    sameValues(await binary(), reference, 'server binary');
    add(
      'server (pg)',
      await interleaved([
        ['pgvector registerTypes (text)', pgv],
        ['vecpg registerTypes (text)', text],
        ['vecpg binary read (vector_send)', binary],
      ]),
    );
    await setup.query(`DROP TABLE ${table}`);
    await Promise.all([theirs.end(), ours.end()]);
  }
  await setup.end();

  // --- embedded PGlite ---
  const db = await openPglite();
  for (const s of createSql) await db.query(s);
  const [{ oid }] = (await db.query<{ oid: number }>(`SELECT 'vector'::regtype::oid::int AS oid`)) as [{ oid: number }];
  const pgv = async () =>
    (
      await db.pglite.query<{ id: number; embedding: unknown }>(textSql, [], {
        parsers: { [oid]: (t: string) => pgvector.fromSql(t) },
      })
    ).rows;
  const text = async () => (await db.query(textSql)) as Rows;
  const binary = async () => decodeAll((await db.query(binarySql)) as Rows);
  // What search() does on PGlite: the column itself, asked for in binary result format (raw bytes, no hex).
  const protocol = async () => decodeAll((await db.queryBinaryColumns!(textSql, [], [1])) as Rows);
  const reference = await pgv();
  sameValues(await text(), reference, 'pglite text');
  sameValues(await binary(), reference, 'pglite binary');
  sameValues(await protocol(), reference, 'pglite binary result columns');
  add(
    'PGlite',
    await interleaved([
      ['pgvector fromSql as parser (text)', pgv],
      ['vecpg parsers (text)', text],
      ['vecpg binary read (vector_send)', binary],
      ['vecpg binary result column (search() on PGlite)', protocol],
    ]),
  );
  await db.pglite.close();
  return { table: out, ratios };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { table: rows } = await runFetch();
  console.log(
    `\n## Fetch ${ROWS} rows of vector(${DIMS}) as number[], medians of ${RUNS} interleaved rounds (wall: what the caller waits, server included; CPU: this process only)\n`,
  );
  console.log(machine());
  printTable(['database', 'path', 'wall ms', 'vs pgvector', 'client CPU ms', 'vs pgvector'], rows);
}
