/**
 * The version matrix's smoke scenario (the Django walkthrough's core), shared by every integration:
 * the data, the table, and the results pgvector must return. scripts/matrix.mjs copies this folder
 * into each scratch consumer; each `<integration>.ts` runs the scenario through its host library.
 */
import { SparseVector, isSparseVector } from 'vecpg';

export const TABLE = 'matrix_items';
/** The table as SQL (for hosts whose schema tools are not part of the smoke). */
export const CREATE_TABLE = `CREATE TABLE ${TABLE} (id serial PRIMARY KEY, name text NOT NULL, embedding vector(3) NOT NULL, features sparsevec(10) NOT NULL)`;
export const QUERY = [1, 2, 3];
export const ITEMS = [
  { name: 'A', embedding: [1, 1, 1], features: new SparseVector({ 0: 1 }, 10) },
  { name: 'B', embedding: [3, 2, 1], features: new SparseVector({ 1: 1 }, 10) },
  { name: 'C', embedding: [1, 2, 2], features: new SparseVector({ 0: 1, 1: 1 }, 10) },
  { name: 'D', embedding: [2, 4, 6], features: new SparseVector({ 9: 2.5 }, 10) },
];
export type Metric = 'l2' | 'cosine' | 'ip';
export const METRICS: Metric[] = ['l2', 'cosine', 'ip'];

// pgvector's definitions, by hand for [1,2,3]: `<->` sqrt(Σ(a-b)²), `<=>` 1 - a·b/(|a||b|), `<#>` -(a·b).
const EXPECTED: Record<Metric, Array<[string, number]>> = {
  l2: [
    ['C', 1],
    ['A', Math.sqrt(5)],
    ['B', Math.sqrt(8)],
    ['D', Math.sqrt(14)],
  ],
  cosine: [
    ['D', 0],
    ['C', 1 - 11 / (3 * Math.sqrt(14))],
    ['A', 1 - 6 / Math.sqrt(42)],
    ['B', 1 - 10 / 14],
  ],
  ip: [
    ['D', -28],
    ['C', -11],
    ['B', -10],
    ['A', -6],
  ],
};

let checks = 0;
function fail(what: string, got: unknown, want: unknown): never {
  throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

/** The exact search by `metric` returned every item, nearest first, with pgvector's distances. */
export function expectSearch(metric: Metric, rows: ReadonlyArray<{ name: unknown; distance: unknown }>): void {
  const want = EXPECTED[metric];
  const names = rows.map((r) => r.name);
  if (JSON.stringify(names) !== JSON.stringify(want.map(([n]) => n)))
    fail(
      `${metric} order`,
      names,
      want.map(([n]) => n),
    );
  rows.forEach((r, i) => {
    const d = Number(r.distance);
    if (!(Math.abs(d - want[i]![1]) < 1e-5)) fail(`${metric} distance of ${String(r.name)}`, d, want[i]![1]);
  });
  checks++;
}

/** Item D's sparse vector came back as a SparseVector with its 0-based index. */
export function expectFeatures(value: unknown): void {
  if (!isSparseVector(value)) fail('features type', typeof value, 'SparseVector');
  const got = { dimensions: value.dimensions, entries: value.toObject() };
  const want = { dimensions: 10, entries: { 9: 2.5 } };
  if (JSON.stringify(got) !== JSON.stringify(want)) fail('features of D', got, want);
  checks++;
}

/** PostgreSQL stores D's features 1-based: `{10:2.5}/10`. */
export function expectStoredText(text: unknown): void {
  if (text !== '{10:2.5}/10') fail('features::text of D', text, '{10:2.5}/10');
  checks++;
}

/** The dense vector read back is the stored float32 values. */
export function expectEmbedding(value: unknown): void {
  if (JSON.stringify(value) !== JSON.stringify([2, 4, 6])) fail('embedding of D', value, [2, 4, 6]);
  checks++;
}

/** `pg_indexes.indexdef`s of the table include an HNSW index on `embedding` with the L2 opclass. */
export function expectIndex(defs: readonly unknown[]): void {
  if (!defs.some((d) => typeof d === 'string' && /USING hnsw \(embedding vector_l2_ops\)/.test(d)))
    fail('hnsw index', defs, 'USING hnsw (embedding vector_l2_ops)');
  checks++;
}

/** The pgvector version the integration reported is the installed one. */
export function expectVersion(version: unknown): void {
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) fail('pgvector version', version, 'x.y.z');
  checks++;
}

export const INDEXES_SQL = `SELECT indexdef FROM pg_indexes WHERE tablename = '${TABLE}'`;
export const STORED_TEXT_SQL = `SELECT features::text AS text FROM ${TABLE} WHERE name = 'D'`;

/** Run `scenario` on the target the environment names (DATABASE_URL: the server; otherwise PGlite) and report. */
export async function main(label: string, scenario: (url: string | undefined) => Promise<void>): Promise<void> {
  const url = process.env.DATABASE_URL || undefined;
  try {
    await scenario(url);
    console.log(`ok ${label} on ${url ? 'server' : 'pglite'}: ${checks} checks`);
  } catch (error) {
    console.error(`FAIL ${label} on ${url ? 'server' : 'pglite'}:`, error);
    process.exitCode = 1;
  }
}
