/**
 * One data set and the independent answers for the ORM tests of two-stage, certified and hybrid search:
 * a `docs` table (clustered `vector(64)` embeddings, real paragraphs of this repository's docs as text, a
 * category), and each expected result computed here from plain SQL written in the test — pgvector's
 * operators, PostgreSQL's `ts_rank_cd` — with Reciprocal Rank Fusion done in TypeScript. Nothing here
 * calls vecpg.
 */
import type { SqlExecutor, VecpgDb } from '../../src/sql/executor.ts';
import { type Fused, type Ranked, fuse, lit, paragraphs } from './fusion.ts';
import { seededRandom } from './random.ts';
import { certifiedCases } from './certified-cases.ts';

export { type Fused, type Ranked, fuse, lit, paragraphs };

export const DIMS = 64;
export const ROWS = 2400;
/** Rows per category (`id % 3`). */
export const CATEGORIES = 3;

/** The data set: clustered vectors (30 centres), so that quantized candidates mean something. */
export function docsData(seed = 41): { vectors: number[][]; texts: string[]; queries: number[][] } {
  const rand = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const centers = Array.from({ length: 30 }, () => Array.from({ length: DIMS }, gauss));
  const vectors = Array.from({ length: ROWS }, (_, i) => centers[i % 30]!.map((c) => Math.fround(c + 0.35 * gauss())));
  const queries = Array.from({ length: 4 }, (_, i) =>
    centers[(i * 7) % 30]!.map((c) => Math.fround(c + 0.35 * gauss())),
  );
  const text = paragraphs();
  return { vectors, texts: vectors.map((_, i) => text[i % text.length]!), queries };
}

/**
 * Create and fill `docs` (id, category, body, embedding) with plain SQL; `ANALYZE`d so that the planner
 * knows the table is big enough for its indexes.
 */
export async function seedDocs(db: SqlExecutor, data = docsData()): Promise<void> {
  await db.query(
    `CREATE TABLE docs (id int PRIMARY KEY, category int NOT NULL, body text NOT NULL, embedding vector(${DIMS}) NOT NULL)`,
  );
  for (let i = 0; i < ROWS; i += 400) {
    const chunk = data.vectors.slice(i, i + 400);
    const values = chunk.map(
      (_, j) => `($${4 * j + 1}::int, $${4 * j + 2}::int, $${4 * j + 3}, $${4 * j + 4}::vector)`,
    );
    await db.query(
      `INSERT INTO docs VALUES ${values.join(',')}`,
      chunk.flatMap((v, j) => [i + j, (i + j) % CATEGORIES, data.texts[i + j], lit(v)]),
    );
  }
}

const OPERATORS = { l2: '<->', cosine: '<=>', ip: '<#>', l1: '<+>' } as const;
export type DenseDistance = keyof typeof OPERATORS;

export interface IdDistance {
  id: number;
  distance: number;
}

/** The exact top-k by plain SQL (`category` filters when given). */
export async function exactTop(
  db: SqlExecutor,
  q: readonly number[],
  k: number,
  distance: DenseDistance,
  category?: number,
): Promise<IdDistance[]> {
  const filter = category === undefined ? '' : `WHERE category = ${category}`;
  const rows = await db.query<{ id: number; d: number }>(
    `SELECT id, embedding ${OPERATORS[distance]} $1::vector AS d FROM docs ${filter} ORDER BY d, id LIMIT ${k}`,
    [lit(q)],
  );
  return rows.map((r) => ({ id: Number(r.id), distance: Number(r.d) }));
}

/**
 * A two-stage search written by hand: the first `candidates` rows in the order of the quantized index
 * (`ef_search` raised to `candidates`, as vecpg does), re-ranked by the exact distance.
 */
export async function twoStageTop(
  db: VecpgDb,
  q: readonly number[],
  using: 'binary' | 'halfvec',
  candidates: number,
  k: number,
  distance: DenseDistance,
): Promise<IdDistance[]> {
  const order =
    using === 'binary'
      ? `binary_quantize(embedding)::bit(${DIMS}) <~> binary_quantize($1::vector)::bit(${DIMS})`
      : `embedding::halfvec(${DIMS}) ${OPERATORS[distance]} $1::vector::halfvec(${DIMS})`;
  const rows = await db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('hnsw.ef_search', '${Math.max(40, candidates)}', true)`);
    return tx.query<{ id: number; d: number }>(
      `SELECT id, embedding ${OPERATORS[distance]} $1::vector AS d
       FROM (SELECT id, embedding FROM docs ORDER BY ${order} LIMIT ${candidates}) c ORDER BY d, id LIMIT ${k}`,
      [lit(q)],
    );
  });
  return rows.map((r) => ({ id: Number(r.id), distance: Number(r.d) }));
}

/** The two ranked lists of a hybrid search, each by plain SQL, ties by ctid as vecpg breaks them. */
export async function hybridLists(
  db: SqlExecutor,
  q: readonly number[],
  words: string,
  distance: DenseDistance,
  candidates: { vector: number; text: number },
  category?: number,
): Promise<{ vector: Ranked[]; text: Ranked[] }> {
  const filter = category === undefined ? '' : `AND category = ${category}`;
  const vector = await db.query<{ id: number }>(
    `SELECT id FROM docs WHERE true ${filter} ORDER BY embedding ${OPERATORS[distance]} $1::vector, ctid LIMIT ${candidates.vector}`,
    [lit(q)],
  );
  const text = await db.query<{ id: number }>(
    `SELECT id FROM docs, websearch_to_tsquery('english', $1) q
     WHERE to_tsvector('english', body) @@ q ${filter}
     ORDER BY ts_rank_cd(to_tsvector('english', body), q) DESC, ctid LIMIT ${candidates.text}`,
    [words],
  );
  return {
    vector: vector.map((r, i) => ({ id: Number(r.id), rank: i + 1 })),
    text: text.map((r, i) => ({ id: Number(r.id), rank: i + 1 })),
  };
}

/** The certified prefix form on this data: the layout its columns are added with, and the search's options. */
export const PREFIX_LAYOUT = { form: 'prefix', prefix: DIMS / 2 } as const;
export const PREFIX_SEARCH = { ...PREFIX_LAYOUT, candidates: 500 } as const;
/** Each certified search the ORM tests run: both distances, in the half form and in the prefix form. */
export const CERTIFIED_CASES = certifiedCases(PREFIX_SEARCH);
