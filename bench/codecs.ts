/**
 * Encode / decode 10,000 dense 1536-d vectors and 10,000 sparse vectors (10,000-d, 50 non-zeros):
 * vecpg's text codecs, vecpg's binary codecs, and the `pgvector` npm package (text only; it has no
 * binary codec). Pure CPU, no database. Run: `node --expose-gc --import tsx bench/codecs.ts` (BENCH_N, BENCH_RUNS to change).
 */
import pgvector from 'pgvector';
import { SparseVector as PgvSparse } from 'pgvector';
import { SparseVector, Vector } from '../src/index.ts';
import { textParsers } from '../src/drivers/vector-types.ts';
import { cpuMs, machine, median, printTable, seeded } from './util.ts';

const N = Number(process.env.BENCH_N ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const DIMS = 1536;
const SPARSE_DIMS = 10_000;
const NNZ = 50;
const rand = seeded(42);

// Embedding-like values: float32 already (as they come from the database or a model), in [-1, 1).
const dense: number[][] = Array.from({ length: N }, () =>
  Array.from({ length: DIMS }, () => Math.fround(rand() * 2 - 1)),
);
const sparseEntries = Array.from({ length: N }, () => {
  const idx = new Set<number>();
  while (idx.size < NNZ) idx.add(Math.floor(rand() * SPARSE_DIMS));
  const indices = [...idx].sort((a, b) => a - b);
  return { indices, values: indices.map(() => Math.fround(rand() * 2 - 1)) };
});

const vecs = dense.map((d) => new Vector(d));
const sparse = sparseEntries.map((e) => SparseVector.fromIndices(e.indices, e.values, SPARSE_DIMS));
const pgvSparse = sparseEntries.map((e) => {
  const m = new Map<number, number>();
  e.indices.forEach((i, k) => m.set(i, e.values[k]!));
  return new PgvSparse(m, SPARSE_DIMS);
});
const denseText = vecs.map((v) => v.toSql());
// The parser vecpg's drivers register for vector columns (OIDs are irrelevant here).
const driverParse = textParsers({
  vector: 1,
  halfvec: 2,
  sparsevec: 3,
  arrays: { vector: 4, halfvec: 5, sparsevec: 6 },
  schema: 'public',
}).get(1)!;
const denseBinary = vecs.map((v) => v.toBinary());
const sparseText = sparse.map((v) => v.toSql());
const sparseBinary = sparse.map((v) => v.toBinary());

let sink = 0;
const gc = (globalThis as { gc?: () => void }).gc;
const each =
  <T>(xs: readonly T[], f: (x: T) => unknown) =>
  () => {
    for (const x of xs) if (f(x) !== undefined) sink++;
  };

type Case = { what: string; name: string; fn: () => void; values: number };
const cases: Case[] = [
  {
    what: 'dense encode',
    name: 'pgvector toSql (JSON.stringify of doubles)',
    fn: each(dense, (d) => pgvector.toSql(d)),
    values: N * DIMS,
  },
  { what: 'dense encode', name: 'vecpg text: Vector#toSql', fn: each(vecs, (v) => v.toSql()), values: N * DIMS },
  {
    what: 'dense encode',
    name: 'vecpg binary: Vector#toBinary',
    fn: each(vecs, (v) => v.toBinary()),
    values: N * DIMS,
  },
  {
    what: 'dense decode',
    name: 'pgvector fromSql → number[]',
    fn: each(denseText, (t) => pgvector.fromSql(t)),
    values: N * DIMS,
  },
  {
    what: 'dense decode',
    name: 'vecpg text → number[] (driver parser)',
    fn: each(denseText, (t) => driverParse(t)),
    values: N * DIMS,
  },
  {
    what: 'dense decode',
    name: 'vecpg text: Vector.fromSql',
    fn: each(denseText, (t) => Vector.fromSql(t)),
    values: N * DIMS,
  },
  {
    what: 'dense decode',
    name: 'vecpg binary: Vector.fromBinary',
    fn: each(denseBinary, (b) => Vector.fromBinary(b)),
    values: N * DIMS,
  },
  {
    what: 'sparse encode',
    name: 'pgvector SparseVector#toPostgres',
    fn: each(pgvSparse, (s) => pgvector.toSql(s)),
    values: N * NNZ,
  },
  {
    what: 'sparse encode',
    name: 'vecpg text: SparseVector#toSql',
    fn: each(sparse, (s) => s.toSql()),
    values: N * NNZ,
  },
  {
    what: 'sparse encode',
    name: 'vecpg binary: SparseVector#toBinary',
    fn: each(sparse, (s) => s.toBinary()),
    values: N * NNZ,
  },
  {
    what: 'sparse decode',
    name: 'pgvector fromSql',
    fn: each(sparseText, (t) => pgvector.fromSql(t)),
    values: N * NNZ,
  },
  {
    what: 'sparse decode',
    name: 'vecpg text: SparseVector.fromSql',
    fn: each(sparseText, (t) => SparseVector.fromSql(t)),
    values: N * NNZ,
  },
  {
    what: 'sparse decode',
    name: 'vecpg binary: SparseVector.fromBinary',
    fn: each(sparseBinary, (b) => SparseVector.fromBinary(b)),
    values: N * NNZ,
  },
];

/** The markdown table and the ratios (pgvector time / vecpg time) by "case text|binary", for bench/run.ts. */
export async function runCodecs(): Promise<{ table: string[][]; ratios: Record<string, number> }> {
  // Rounds over all cases (one run of each per round, first round = warm-up), so a burst of load on a
  // shared machine weighs on every case alike; then the median of each case's CPU times.
  const times = cases.map(() => [] as number[]);
  for (let round = 0; round <= RUNS; round++) {
    for (const [i, c] of cases.entries()) {
      // Collect the previous case's garbage first, so it is not billed to this one (needs --expose-gc;
      // bench/run.ts passes it), then let the collector's background threads finish: CPU time is
      // process-wide, and that tail (~5-15 ms) was billed to the next case, swamping the few
      // milliseconds the sparse binary cases take.
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const t = cpuMs();
      c.fn();
      if (round > 0) times[i]!.push(cpuMs() - t);
    }
  }
  const rows: string[][] = [];
  const ratios: Record<string, number> = {};
  let baseline = 0;
  for (const [i, c] of cases.entries()) {
    const t = median(times[i]!);
    if (c.name.startsWith('pgvector')) baseline = t;
    const kind = c.name.startsWith('vecpg binary') ? 'binary' : c.name.startsWith('vecpg text:') ? 'text' : undefined;
    if (kind) ratios[`${c.what} ${kind}`] = baseline / t;
    rows.push([c.what, c.name, t.toFixed(1), ((t * 1e6) / c.values).toFixed(1), `${(baseline / t).toFixed(2)}×`]);
  }
  return { table: rows, ratios };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { table } = await runCodecs();
  console.log(
    `\n## Codecs: ${N} dense ${DIMS}-d and ${N} sparse (${SPARSE_DIMS}-d, ${NNZ} nnz), median CPU time of ${RUNS} interleaved rounds\n`,
  );
  console.log(machine());
  printTable(['case', 'implementation', 'median ms', 'ns / value', 'speed-up vs pgvector'], table);
  if (sink < 0) console.log(sink);
}
