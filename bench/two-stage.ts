/**
 * Two-stage search vs exact and plain HNSW: top-10 latency and recall@10 over ROWS × vector(768)
 * (default 100,000) on the server, all in one run, same data and queries:
 *
 *   exact              vecpg's exact search (STORAGE MAIN, `search()`): recall 1 by definition
 *   HNSW               plain pgvector HNSW on the column (m 16, ef_construction 64), ef_search 40 and 100
 *   binary + re-rank   rerankSearch: candidates from HNSW on binary_quantize(col)::bit(768), exact re-rank
 *   halfvec + re-rank  rerankSearch: candidates from HNSW on col::halfvec(768), exact re-rank
 *
 * Data: no real embedding set of ≥384 dimensions ships in an npm package we could find, so this is
 * synthetic and embedding-like (as in bench/certified.ts): 200 Gaussian centres, each row = centre +
 * noise with a decaying spectrum (element j scaled by 1/√j), unit-normalized, cosine distance; queries
 * are drawn the same way. Such data is easier for binary quantization than uniform noise and harder
 * than well-separated clusters; real embeddings must be measured on your own data (`vecpg recall`).
 * Run: DATABASE_URL=postgres://… npm run bench:two-stage   (ROWS, QUERIES to change)
 */
import pg from 'pg';
import { createIndexSql, quantizedExpression, rerankSearch, search, setStorageSql } from '../src/index.ts';
import { vectorParam } from '../src/sql.ts';
import { wrapPg } from '../src/drivers/pg.ts';
import { machine, median, printTable, seeded } from './util.ts';

const ROWS = Number(process.env.ROWS ?? 100_000);
const QUERIES = Number(process.env.QUERIES ?? 50);
const DIMS = 768;
const K = 10;
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const table = `bench_two_stage_${process.pid}`;

const gaussian = (rand: () => number) => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const HARMONIC = Array.from({ length: DIMS }, (_, j) => 1 / (j + 1)).reduce((a, b) => a + b);
const NOISE = 0.6 * Math.sqrt(DIMS / HARMONIC);

async function main(): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const db = await wrapPg(client);
  const rand = seeded(7);
  const centres = Array.from({ length: 200 }, () => Array.from({ length: DIMS }, () => gaussian(rand)));
  const queries = Array.from({ length: QUERIES }, () => {
    const c = centres[Math.floor(rand() * centres.length)]!;
    const v = c.map((x, j) => x + (NOISE / Math.sqrt(j + 1)) * gaussian(rand));
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
  const log = (s: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await client.query(`CREATE TABLE ${table}_centres (id int, x vector(${DIMS}))`);
    for (let i = 0; i < centres.length; i++)
      await client.query(`INSERT INTO ${table}_centres VALUES ($1, $2)`, [i, vectorParam(centres[i], 'vector')]);
    await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, embedding vector(${DIMS}))`);
    await client.query(setStorageSql(table, 'embedding', 'main'));
    const scale = `[${Array.from({ length: DIMS }, (_, j) => NOISE / Math.sqrt(j + 1)).join(',')}]`;
    const gauss = `sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())`;
    log(`generating ${ROWS} rows`);
    await client.query(`INSERT INTO ${table} SELECT i,
      l2_normalize(c.x + (SELECT array_agg(${gauss}) FROM generate_series(1, ${DIMS}) WHERE i > 0)::vector * '${scale}'::vector)
      FROM generate_series(1, ${ROWS}) AS i JOIN ${table}_centres c ON c.id = i % 200`);
    await client.query(`VACUUM ANALYZE ${table}`);

    const truth: number[][] = [];
    const exactMs: number[] = [];
    await search(db, { table, column: 'embedding', query: queries[0]!, distance: 'cosine', k: K, select: ['id'] });
    for (const q of queries) {
      const t = performance.now();
      const rows = await search<{ id: number }>(db, {
        table,
        column: 'embedding',
        query: q,
        distance: 'cosine',
        k: K,
        select: ['id'],
      });
      exactMs.push(performance.now() - t);
      truth.push(rows.map((r) => r.id));
    }
    const out: string[][] = [['exact (vecpg search)', '—', median(exactMs).toFixed(1), '1.000', '1.0×']];
    const measure = async (name: string, index: string, run: (q: number[]) => Promise<number[]>) => {
      await run(queries[0]!); // warm-up: the first statement after an index build pays for a cold cache
      const ms: number[] = [];
      let hits = 0;
      for (let i = 0; i < queries.length; i++) {
        const t = performance.now();
        const ids = await run(queries[i]!);
        ms.push(performance.now() - t);
        const set = new Set(truth[i]);
        hits += ids.filter((id) => set.has(id)).length;
      }
      const m = median(ms);
      out.push([
        name,
        index,
        m.toFixed(1),
        (hits / (K * queries.length)).toFixed(3),
        `${(median(exactMs) / m).toFixed(1)}×`,
      ]);
      log(`${name}: ${m.toFixed(1)} ms`);
    };
    const build = async (sql: string) => {
      const t = performance.now();
      await client.query(sql);
      return `${((performance.now() - t) / 1000).toFixed(0)} s build`;
    };

    log('HNSW on binary_quantize');
    const binaryIndex = await build(
      createIndexSql({
        table,
        expression: quantizedExpression('embedding', 'binary', DIMS),
        type: 'bit',
        distance: 'hamming',
      }),
    );
    for (const candidates of [200, 400, 800, 1000]) {
      await measure(`binary + re-rank, ${candidates} candidates`, binaryIndex, async (q) =>
        (
          await rerankSearch<{ id: number }>(db, {
            table,
            column: 'embedding',
            query: q,
            distance: 'cosine',
            k: K,
            select: ['id'],
            rerank: { using: 'binary', candidates },
          })
        ).map((r) => r.id),
      );
    }
    await client.query(`DROP INDEX ${table}_binary_quantize_embedding_bit_768_hnsw_hamming_idx`).catch(async () => {
      const { rows } = await client.query<{ i: string }>(
        `SELECT indexname AS i FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%binary_quantize%'`,
        [table],
      );
      for (const r of rows) await client.query(`DROP INDEX "${r.i}"`);
    });
    log('HNSW on halfvec');
    const halfIndex = await build(
      createIndexSql({
        table,
        expression: quantizedExpression('embedding', 'halfvec', DIMS),
        type: 'halfvec',
        distance: 'cosine',
      }),
    );
    for (const candidates of [40, 100]) {
      await measure(`halfvec + re-rank, ${candidates} candidates`, halfIndex, async (q) =>
        (
          await rerankSearch<{ id: number }>(db, {
            table,
            column: 'embedding',
            query: q,
            distance: 'cosine',
            k: K,
            select: ['id'],
            rerank: { using: 'halfvec', candidates },
          })
        ).map((r) => r.id),
      );
    }
    const { rows: halfIdx } = await client.query<{ i: string }>(
      `SELECT indexname AS i FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%halfvec%'`,
      [table],
    );
    for (const r of halfIdx) await client.query(`DROP INDEX "${r.i}"`);
    log('HNSW on the column');
    const plainIndex = await build(createIndexSql({ table, column: 'embedding', type: 'vector', distance: 'cosine' }));
    for (const efSearch of [40, 100]) {
      await measure(`HNSW, ef_search ${efSearch}`, plainIndex, async (q) =>
        (
          await search<{ id: number }>(db, {
            table,
            column: 'embedding',
            query: q,
            distance: 'cosine',
            k: K,
            select: ['id'],
            approximate: { efSearch },
          })
        ).map((r) => r.id),
      );
    }
    console.log(
      `\n${machine()}; PostgreSQL ${(await client.query('SHOW server_version')).rows[0].server_version}; ${ROWS} × vector(${DIMS}), cosine, ${QUERIES} queries, top-${K}\n`,
    );
    printTable(['method', 'index', 'median ms', 'recall@10', 'speed-up vs exact'], out);
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}, ${table}_centres`).catch(() => undefined);
    await client.end();
  }
}

await main();
