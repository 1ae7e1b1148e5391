/**
 * One dataset and one oracle for every integration's vector aggregates (docs/aggregates.md).
 *
 * The table has a category (3 groups of ~100 rows), a `vector(8)` of random floats and a `halfvec(8)`
 * of random multiples of 1/8 in [-1, 1]. Expected values are computed here in float64 from the values
 * PostgreSQL stored (read back as text with plain SQL, not through vecpg), and compared with the tolerance
 * pgvector's arithmetic allows (see `checkAggregates`), and also with pgvector's own `avg(col)::text` /
 * `sum(col)::text` selected in plain SQL.
 */
import { expect } from 'vitest';
import type { SqlExecutor } from '../../src/sql/executor.ts';
import { seededRandom } from './random.ts';

export type AggregateName = 'avg' | 'sum';
export type DenseName = 'vector' | 'halfvec';

/** Where the dataset lives: a table vecpg's tests create, or an ORM fixture's own table. */
export interface AggregateLayout {
  /** The table, as SQL (quoted if need be). */
  table: string;
  /** The grouping column (SQL). */
  category: string;
  vector?: { column: string; dimensions: number };
  halfvec?: { column: string; dimensions: number };
  /** Other NOT NULL columns of an existing table: column (SQL) → SQL literal. */
  extra?: Readonly<Record<string, string>>;
  /** Ids are text (`'i1'`, …) instead of integers. */
  textIds?: boolean;
  /** Create the table (default layout) instead of filling an existing one. */
  create?: boolean;
}

/** The table the core and most integrations use: id, category, embedding vector(8), half halfvec(8). */
export const LAYOUT: AggregateLayout = {
  table: 'agg_items',
  category: 'category',
  vector: { column: 'embedding', dimensions: 8 },
  halfvec: { column: 'half', dimensions: 8 },
  create: true,
};

/** The column holding each type in {@link LAYOUT}. */
export const COLUMN_OF: Record<DenseName, string> = { vector: 'embedding', halfvec: 'half' };
export const CATEGORIES = ['alpha', 'beta', 'gamma'] as const;
export const ROWS = 300;

/** Parse pgvector's `[1,2,3]` text independently of vecpg: JSON, then rounded to float32 (float16 values are float32 too). */
export function parseVectorText(text: string): number[] {
  return (JSON.parse(text) as number[]).map((x) => Math.fround(x));
}

export interface StoredRow {
  id: number | string;
  category: string;
  vector: number[];
  halfvec: number[];
}

function column(layout: AggregateLayout, type: DenseName): string {
  const c = layout[type];
  if (c === undefined) throw new Error(`layout ${layout.table} has no ${type} column`);
  return c.column;
}

/**
 * Fill `layout.table` (creating it for {@link LAYOUT}) with {@link ROWS} rows in 3 categories: random
 * float32 values in [-1, 1] in the vector column, random multiples of 1/8 in [-1, 1] in the halfvec column,
 * plus one row whose vectors are NULL (aggregates skip it); return the rows as PostgreSQL stored them.
 */
export async function seedAggregates(
  db: SqlExecutor,
  layout: AggregateLayout = LAYOUT,
  seed = 14,
): Promise<StoredRow[]> {
  const random = seededRandom(seed);
  const { table, vector, halfvec } = layout;
  if (layout.create === true) {
    await db.query(
      `CREATE TABLE ${table} (id int PRIMARY KEY, ${layout.category} text NOT NULL, ${vector!.column} vector(${vector!.dimensions}), ${halfvec!.column} halfvec(${halfvec!.dimensions}))`,
    );
  }
  const id = (n: number) => (layout.textIds === true ? `'i${n}'` : String(n));
  const extra = Object.entries(layout.extra ?? {});
  const names = ['id', layout.category, ...extra.map(([c]) => c)];
  if (vector) names.push(vector.column);
  if (halfvec) names.push(halfvec.column);
  const values: string[] = [];
  for (let n = 1; n <= ROWS + 1; n++) {
    const category = n > ROWS ? 'alpha' : CATEGORIES[Math.floor(random() * CATEGORIES.length)]!;
    const items = [id(n), `'${category}'`, ...extra.map(([, v]) => v)];
    // Written with 9 significant digits; the server rounds each to float32 (read back below).
    if (vector) {
      const v = Array.from({ length: vector.dimensions }, () => (random() * 2 - 1).toPrecision(9));
      items.push(n > ROWS ? 'NULL' : `'[${v.join(',')}]'`);
    }
    if (halfvec) {
      const v = Array.from({ length: halfvec.dimensions }, () => String((Math.floor(random() * 17) - 8) / 8));
      items.push(n > ROWS ? 'NULL' : `'[${v.join(',')}]'`);
    }
    values.push(`(${items.join(', ')})`);
  }
  await db.query(`INSERT INTO ${table} (${names.join(', ')}) VALUES ${values.join(', ')}`);
  const text = (type: DenseName) => (layout[type] ? `${column(layout, type)}::text` : 'NULL::text');
  const rows = await db.query<{ id: number | string; category: string; v: string | null; h: string | null }>(
    `SELECT id, ${layout.category} AS category, ${text('vector')} AS v, ${text('halfvec')} AS h FROM ${table}
     WHERE coalesce(${layout.vector ? column(layout, 'vector') : 'NULL'}::text, ${layout.halfvec ? column(layout, 'halfvec') : 'NULL'}::text) IS NOT NULL`,
  );
  return rows
    .map((r) => ({
      id: layout.textIds === true ? String(r.id) : Number(r.id),
      category: r.category,
      vector: r.v === null ? [] : parseVectorText(r.v),
      halfvec: r.h === null ? [] : parseVectorText(r.h),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** pgvector's own aggregate per category, in plain SQL, parsed independently. */
export async function serverAggregates(
  db: SqlExecutor,
  layout: AggregateLayout,
  aggregate: AggregateName,
  type: DenseName,
): Promise<Map<string, number[]>> {
  const rows = await db.query<{ category: string; value: string }>(
    `SELECT ${layout.category} AS category, ${aggregate}(${column(layout, type)})::text AS value FROM ${layout.table} GROUP BY ${layout.category}`,
  );
  return new Map(rows.map((r) => [r.category, parseVectorText(r.value)]));
}

/** The spacing of float32 (float16) numbers at |x|: one unit in the last place. */
function ulp(x: number, type: DenseName): number {
  const mantissaBits = type === 'vector' ? 23 : 10;
  const minUlp = type === 'vector' ? 2 ** -149 : 2 ** -24;
  if (x === 0) return minUlp;
  return Math.max(2 ** (Math.floor(Math.log2(Math.abs(x))) - mantissaBits), minUlp);
}

/** Higham's γ_k = k·u / (1 − k·u): the relative error bound of k recursive additions with unit roundoff u. */
function gamma(k: number, u: number): number {
  return (k * u) / (1 - k * u);
}

/**
 * Check one aggregate per category against the float64 oracle and against pgvector's plain-SQL result.
 *
 * Tolerances, from pgvector's C code (src/vector.c, src/halfvec.c, 0.8):
 * - `avg` (vector and halfvec) accumulates every element in float8 and divides once in float8
 *   (`vector_accum` / `vector_avg`), then rounds to float4 (and, for halfvec, float4 to float16). The float8
 *   sum of n terms is within γ_n(2^-53)·Σ|x| of the exact sum, so the mean is within γ_n·Σ|x|/n; the final
 *   rounding adds at most ½ ulp of float32 (½ ulp32 + ½ ulp16 for halfvec's two roundings), under one ulp of
 *   the target type. Tolerance: 1 ulp of the target type at the mean + γ_n(2^-53)·Σ|x|/n.
 * - `sum(vector)` is `vector_add` row by row: each addition rounds to float32, so the error is within
 *   γ_{n−1}(2^-24)·Σ|x| (Higham, recursive summation), in any order the rows arrive.
 * - `sum(halfvec)` adds in float16 row by row, but every value here is a multiple of 1/8 in [-1, 1], so
 *   every partial sum over a group (~100 rows, checked below) is a multiple of 1/8 below 2^8 in magnitude,
 *   which float16's 11-bit significand holds exactly: the sum is exact, tolerance 0.
 */
export function checkAggregates(
  rows: readonly StoredRow[],
  aggregate: AggregateName,
  type: DenseName,
  got: ReadonlyMap<string, readonly number[]>,
  server: ReadonlyMap<string, readonly number[]>,
): void {
  expect([...got.keys()].sort()).toEqual([...CATEGORIES]);
  for (const category of CATEGORIES) {
    const members = rows.filter((r) => r.category === category).map((r) => r[type]);
    const dimensions = members[0]!.length;
    const n = members.length;
    expect(n).toBeGreaterThan(50);
    expect(n).toBeLessThan(256); // keeps every partial halfvec sum exact (see above)
    const value = got.get(category)!;
    expect(value).toHaveLength(dimensions);
    for (let i = 0; i < dimensions; i++) {
      let sum = 0;
      let abs = 0;
      for (const m of members) {
        sum += m[i]!;
        abs += Math.abs(m[i]!);
      }
      const expected = aggregate === 'avg' ? sum / n : sum;
      const tolerance =
        aggregate === 'avg'
          ? ulp(expected, type) + (gamma(n, 2 ** -53) * abs) / n
          : type === 'vector'
            ? gamma(n - 1, 2 ** -24) * abs
            : 0;
      const error = Math.abs(value[i]! - expected);
      if (error > tolerance) {
        throw new Error(
          `${aggregate}(${type}) of ${category}[${i}] = ${value[i]}, expected ${expected} ± ${tolerance} (off by ${error})`,
        );
      }
    }
    // The integration returns exactly what pgvector computes.
    expect(value).toEqual(server.get(category));
  }
}

/**
 * Ids of the k nearest rows to `query` by L2, in plain SQL (`ORDER BY col <-> $1`), ties by id.
 */
export async function nearestIds(
  db: SqlExecutor,
  layout: AggregateLayout,
  type: DenseName,
  query: readonly number[],
  k: number,
): Promise<Array<number | string>> {
  const c = column(layout, type);
  const rows = await db.query<{ id: number | string }>(
    `SELECT id FROM ${layout.table} WHERE ${c} IS NOT NULL ORDER BY ${c} <-> $1::${type}, id LIMIT ${k}`,
    [`[${query.join(',')}]`],
  );
  return rows.map((r) => (layout.textIds === true ? String(r.id) : Number(r.id)));
}

/** A map from category to a plain number array, from rows of any shape. */
export function byCategory<R>(
  rows: readonly R[],
  category: (row: R) => unknown,
  value: (row: R) => ArrayLike<number> | { toArray(): number[] } | null,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const row of rows) {
    const v = value(row);
    if (v === null) throw new Error(`a NULL aggregate for ${String(category(row))}`);
    out.set(String(category(row)), 'toArray' in v ? v.toArray() : Array.from(v));
  }
  return out;
}
