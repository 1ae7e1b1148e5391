/**
 * Independent answers for the search modes each ORM integration offers (hybrid, two-stage, certified):
 * a table of real text (this repository's docs) with seeded vectors, and the truth for each mode computed
 * with plain SQL written here (pgvector's operators, PostgreSQL's full-text functions) and fused or
 * compared in TypeScript, never with vecpg's own statements.
 */
import { expect } from 'vitest';
import type { SqlExecutor } from '../../src/sql/executor.ts';
import { type Fused, fuse, lit, paragraphs as docParagraphs } from './fusion.ts';
import { randomArray, seededRandom } from './random.ts';
import { certifiedCases } from './certified-cases.ts';

export { type Fused, type Ranked, fuse, lit } from './fusion.ts';

/** Paragraphs of real text: the README, DESIGN and docs of this repository (at most 400). */
export const paragraphs = (): string[] => docParagraphs(400);

export const DIMS = 16;

/** The shared table: `id`, `category` (id % 3), `body` (a paragraph), `embedding vector(16)`. */
export interface ModesData {
  texts: string[];
  vectors: number[][];
  queries: number[][];
}

export function modesData(seed = 5): ModesData {
  const rand = seededRandom(seed);
  const texts = paragraphs();
  const vectors = texts.map(() => randomArray(rand, DIMS).map((x) => Math.fround(x)));
  const queries = Array.from({ length: 3 }, () => randomArray(rand, DIMS).map((x) => Math.fround(x)));
  return { texts, vectors, queries };
}

/** Fill `table` (created by the ORM under test with the columns above) with the data, in chunks. */
export async function fillModesTable(db: SqlExecutor, table: string, data: ModesData): Promise<void> {
  for (let i = 0; i < data.texts.length; i += 100) {
    const chunk = data.texts.slice(i, i + 100);
    const values = chunk.map(
      (_, j) => `($${4 * j + 1}::int, $${4 * j + 2}::int, $${4 * j + 3}, $${4 * j + 4}::vector)`,
    );
    await db.query(
      `INSERT INTO "${table}" (id, category, body, embedding) VALUES ${values.join(', ')}`,
      chunk.flatMap((t, j) => [i + j, (i + j) % 3, t, lit(data.vectors[i + j]!)]),
    );
  }
}

const OPS = { l2: '<->', cosine: '<=>', ip: '<#>', l1: '<+>' } as const;
export type ModesDistance = keyof typeof OPS;

/** The exact top k by pgvector's operator, with plain SQL: ids and distances, nearest first. */
export async function exactTruth(
  db: SqlExecutor,
  table: string,
  query: readonly number[],
  distance: ModesDistance,
  k: number,
  category?: number,
): Promise<Array<{ id: number; distance: number }>> {
  const filter = category === undefined ? '' : `WHERE category::text = '${category}'`;
  const rows = await db.query<{ id: number; d: number }>(
    `SELECT id, embedding ${OPS[distance]} $1::vector AS d FROM "${table}" ${filter} ORDER BY d, id LIMIT ${k}`,
    [lit(query)],
  );
  return rows.map((r) => ({ id: Number(r.id), distance: Number(r.d) }));
}

/**
 * Check a two-stage answer without assuming how ties in the quantized distance were broken: with T the
 * `candidates`-th smallest quantized distance (plain SQL), every returned row has a quantized distance
 * <= T, its distance is pgvector's, the rows are in distance order, and every row strictly under T (a
 * candidate whatever the tie-break) that was not returned is no nearer than the k-th returned row.
 */
export async function expectTwoStage(
  db: SqlExecutor,
  table: string,
  rows: ReadonlyArray<{ id: unknown; distance: unknown }>,
  options: {
    query: readonly number[];
    distance: ModesDistance;
    using: 'binary' | 'halfvec';
    candidates: number;
    k: number;
    category?: number;
    dims?: number;
  },
): Promise<void> {
  const { query, distance, using, candidates, k } = options;
  const dims = options.dims ?? DIMS;
  const q = '$1::vector';
  const stage =
    using === 'binary'
      ? `binary_quantize(embedding)::bit(${dims}) <~> binary_quantize(${q})::bit(${dims})`
      : `embedding::halfvec(${dims}) ${OPS[distance]} ${q}::halfvec(${dims})`;
  const filter = options.category === undefined ? '' : `WHERE category::text = '${options.category}'`;
  const all = await db.query<{ id: number; s: number; d: number }>(
    `SELECT id, ${stage} AS s, embedding ${OPS[distance]} ${q} AS d FROM "${table}" ${filter} ORDER BY s`,
    [lit(query)],
  );
  const threshold = Number(all[Math.min(candidates, all.length) - 1]!.s);
  const byId = new Map(all.map((r) => [Number(r.id), { s: Number(r.s), d: Number(r.d) }]));
  expect(rows.length).toBe(Math.min(k, all.length));
  for (const row of rows) {
    const truth = byId.get(Number(row.id));
    expect(truth, `row ${String(row.id)} passes the filter`).toBeDefined();
    expect(truth!.s).toBeLessThanOrEqual(threshold);
    expect(Number(row.distance)).toBeCloseTo(truth!.d, 5);
  }
  const distances = rows.map((r) => Number(r.distance));
  expect([...distances].sort((a, b) => a - b)).toEqual(distances);
  const returned = new Set(rows.map((r) => Number(r.id)));
  const kth = distances[distances.length - 1]!;
  for (const [id, truth] of byId) {
    if (truth.s < threshold && !returned.has(id)) expect(truth.d).toBeGreaterThanOrEqual(kth - 1e-6);
  }
}

/** The two ranked lists of a hybrid search, each by plain SQL, fused here. */
export async function hybridTruth(
  db: SqlExecutor,
  table: string,
  options: {
    query: readonly number[];
    distance: ModesDistance;
    words: string;
    k: number;
    vectorCandidates: number;
    textCandidates: number;
    weights?: { vector: number; text: number };
    category?: number;
    /** The text column (default `body`). */
    textColumn?: string;
  },
): Promise<Fused[]> {
  const filter = options.category === undefined ? '' : `AND category::text = '${options.category}'`;
  const body = `"${options.textColumn ?? 'body'}"`;
  const vector = await db.query<{ id: number }>(
    `SELECT id FROM "${table}" WHERE true ${filter} ORDER BY embedding ${OPS[options.distance]} $1::vector, ctid LIMIT ${options.vectorCandidates}`,
    [lit(options.query)],
  );
  const text = await db.query<{ id: number }>(
    `SELECT id FROM "${table}", websearch_to_tsquery('english', $1) q
     WHERE to_tsvector('english', ${body}) @@ q ${filter}
     ORDER BY ts_rank_cd(to_tsvector('english', ${body}), q) DESC, ctid LIMIT ${options.textCandidates}`,
    [options.words],
  );
  return fuse(
    vector.map((r, i) => ({ id: Number(r.id), rank: i + 1 })),
    text.map((r, i) => ({ id: Number(r.id), rank: i + 1 })),
    options.k,
    options.weights?.vector ?? 1,
    options.weights?.text ?? 1,
  );
}

/** Compare hybrid rows with the fused truth: ids, both ranks, scores. */
export function expectFused(
  rows: ReadonlyArray<{ id: unknown; vectorRank: unknown; textRank: unknown; score: unknown }>,
  expected: readonly Fused[],
): void {
  expect(rows.map((r) => ({ id: Number(r.id), vectorRank: r.vectorRank, textRank: r.textRank }))).toEqual(
    expected.map((r) => ({ id: r.id, vectorRank: r.vectorRank, textRank: r.textRank })),
  );
  rows.forEach((r, i) => expect(Number(r.score)).toBeCloseTo(expected[i]!.score, 12));
}

/** The certified prefix form on this data: the layout its columns are added with, and the search's options. */
export const PREFIX_LAYOUT = { form: 'prefix', prefix: DIMS / 2 } as const;
export const PREFIX_SEARCH = { ...PREFIX_LAYOUT, candidates: 100 } as const;
/** Each certified search the ORM tests run: both distances, in the half form and in the prefix form. */
export const CERTIFIED_CASES = certifiedCases(PREFIX_SEARCH);
