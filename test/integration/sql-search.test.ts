import { beforeAll, expect, it } from 'vitest';
import {
  Bit,
  HalfVector,
  SparseVector,
  Vector,
  buildSimilarityQuery,
  cosineDistance,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  search,
  type DistanceName,
  type VectorType,
} from 'vecpg';
import { describeEachTarget } from '../support/db.ts';

type Value = Vector | HalfVector | SparseVector | Bit;

const JS: Record<DistanceName, (a: never, b: never) => number> = {
  l2: l2Distance,
  ip: maxInnerProduct,
  cosine: cosineDistance,
  l1: l1Distance,
  hamming: hammingDistance,
  jaccard: jaccardDistance,
};

/** Deterministic data: small multiples of 0.25, exact in float16, float32 and decimal text. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const rnd = prng(42);
const N = 24;
const DIMS = 6;
const dense = Array.from({ length: N + 1 }, () =>
  Array.from({ length: DIMS }, () => (rnd() < 0.3 ? 0 : Math.round((rnd() * 8 - 4) * 4) / 4 || 0.25)),
);
const bits = Array.from({ length: N + 1 }, () => Array.from({ length: 16 }, () => (rnd() < 0.5 ? '1' : '0')).join(''));

const make: Record<VectorType, (i: number) => Value> = {
  vector: (i) => new Vector(dense[i]!),
  halfvec: (i) => new HalfVector(dense[i]!),
  sparsevec: (i) => new SparseVector(dense[i]!),
  bit: (i) => new Bit(bits[i]!),
};
const COLUMN: Record<VectorType, string> = { vector: 'v', halfvec: 'h', sparsevec: 's', bit: 'b' };
const COMBOS: Array<[VectorType, DistanceName]> = [
  ...(['vector', 'halfvec', 'sparsevec'] as const).flatMap((t) =>
    (['l2', 'ip', 'cosine', 'l1'] as const).map((d): [VectorType, DistanceName] => [t, d]),
  ),
  ['bit', 'hamming'],
  ['bit', 'jaccard'],
];

/** The expected distances, computed client-side with vecpg's distance functions; query is row N. */
function expected(type: VectorType, distance: DistanceName): Map<number, number> {
  const q = make[type](N);
  return new Map(Array.from({ length: N }, (_, i) => [i + 1, JS[distance](make[type](i) as never, q as never)]));
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
}

describeEachTarget('sql search patterns', (db) => {
  beforeAll(async () => {
    await db().query(
      `CREATE TABLE docs (id int PRIMARY KEY, category text, v vector(${DIMS}), h halfvec(${DIMS}), s sparsevec(${DIMS}), b bit(16))`,
    );
    for (let i = 0; i < N; i++) {
      await db().query(`INSERT INTO docs VALUES ($1, $2, $3::vector, $4::halfvec, $5::sparsevec, $6::bit(16))`, [
        i + 1,
        i % 3 === 0 ? 'a' : i % 3 === 1 ? 'b' : null,
        make.vector(i).toSql(),
        make.halfvec(i).toSql(),
        make.sparsevec(i).toSql(),
        bits[i],
      ]);
    }
  });

  for (const [type, distance] of COMBOS) {
    const column = COLUMN[type];
    const query = make[type](N);

    it(`${type} ${distance}: 1. ordered by distance (exact), top 5`, async () => {
      const exp = expected(type, distance);
      const sorted = [...exp.values()].sort((a, b) => a - b);
      const q = buildSimilarityQuery({ table: 'docs', column, query, distance, annotate: false, select: ['id'], k: 5 });
      const rows = await db().query<{ id: number }>(q.text, q.values);
      expect(rows).toHaveLength(5);
      const got = rows.map((r) => exp.get(r.id)!);
      got.forEach((d, k) => expect([k, d, close(d, sorted[k]!)]).toEqual([k, d, true]));
    });

    it(`${type} ${distance}: 2. annotated with the distance, every row`, async () => {
      const exp = expected(type, distance);
      const q = buildSimilarityQuery({ table: 'docs', column, query, distance, orderBy: false, select: ['id'] });
      const rows = await db().query<{ id: number; distance: number }>(q.text, q.values);
      expect(rows).toHaveLength(N);
      for (const r of rows) expect([r.id, close(r.distance, exp.get(r.id)!)]).toEqual([r.id, true]);
    });

    it(`${type} ${distance}: 3. annotated, filtered below a threshold, ordered (search)`, async () => {
      const exp = expected(type, distance);
      const sorted = [...new Set(exp.values())].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      const threshold = (sorted[mid - 1]! + sorted[mid]!) / 2;
      const rows = await search<{ id: number }>(db(), {
        table: 'docs',
        column,
        query,
        distance,
        maxDistance: threshold,
        k: 100,
        select: ['id'],
      });
      const want = [...exp].filter(([, d]) => d < threshold).sort((a, b) => a[1] - b[1]);
      expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual(want.map(([id]) => id).sort((a, b) => a - b));
      rows.forEach((r, k) => {
        expect(close(r.distance, exp.get(r.id)!)).toBe(true);
        expect(close(r.distance, want[k]![1])).toBe(true);
      });
    });
  }

  it('equality filters, IS NULL, offset, and select *', async () => {
    const query = make.vector(N);
    const exp = expected('vector', 'l2');
    const byDistance = (ids: number[]) =>
      ids
        .map((id) => [id, exp.get(id)!] as const)
        .sort((a, b) => a[1] - b[1])
        .map(([id]) => id);
    const all = Array.from({ length: N }, (_, i) => i + 1);
    const inA = byDistance(all.filter((id) => (id - 1) % 3 === 0));
    const rowsA = await search<{ id: number; category: string; v: unknown }>(db(), {
      table: 'docs',
      column: 'v',
      query,
      distance: 'l2',
      where: { category: 'a' },
      k: 3,
    });
    expect(rowsA.map((r) => r.id)).toEqual(inA.slice(0, 3));
    expect(rowsA.every((r) => r.category === 'a')).toBe(true);
    expect(rowsA[0]).toHaveProperty('v');
    const inNull = byDistance(all.filter((id) => (id - 1) % 3 === 2));
    const rowsNull = await search<{ id: number }>(db(), {
      table: 'docs',
      column: 'v',
      query,
      distance: 'l2',
      where: { category: null },
      k: 3,
      select: ['id'],
    });
    expect(rowsNull.map((r) => r.id)).toEqual(inNull.slice(0, 3));
    const q = buildSimilarityQuery({
      table: 'docs',
      column: 'v',
      query,
      distance: 'l2',
      select: ['id'],
      k: 4,
      offset: 2,
      where: { id: inA[0]! },
    });
    expect(await db().query(q.text, q.values)).toEqual([]);
    const page = buildSimilarityQuery({
      table: 'docs',
      column: 'v',
      query,
      distance: 'l2',
      select: ['id'],
      k: 4,
      offset: 2,
    });
    const rows = await db().query<{ id: number; distance: number }>(page.text, page.values);
    expect(rows.map((r) => r.id)).toEqual(byDistance(all).slice(2, 6));
  });

  it('refuses contradictory or invalid search options before querying', async () => {
    const common = { table: 'docs', column: 'v', query: make.vector(N), distance: 'l2' } as const;
    await expect(search(db(), { ...common, exact: true, approximate: { efSearch: 10 } })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    await expect(search(db(), { ...common, approximate: { efSearch: 0 } })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    await expect(search(db(), { ...common, k: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(search(db(), { ...common, distance: 'hamming' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    // a wrong-sized query is the server's error, reported as QUERY_FAILED
    await expect(search(db(), { ...common, query: [1, 2] })).rejects.toMatchObject({ code: 'QUERY_FAILED' });
    // exact: false without settings is an approximate search with the server defaults
    const rows = await search<{ id: number }>(db(), { ...common, exact: false, k: 3, select: ['id'] });
    expect(rows).toHaveLength(3);
  });

  it('searches with the seed sparse vector, 0-based indices in, 1-based on the server', async () => {
    await db().query(`CREATE TABLE science (id int PRIMARY KEY, name text, features sparsevec(10000))`);
    await db().query(`INSERT INTO science VALUES (1, 'Sample A', $1::sparsevec), (2, 'Sample B', $2::sparsevec)`, [
      new SparseVector({ 0: 5.5, 42: 1.2 }, 10000).toSql(),
      new SparseVector({ 1: 5.5, 43: 1.2 }, 10000).toSql(),
    ]);
    const target = { indices: [0, 42], values: [5.1, 1.0], dimensions: 10000 };
    const rows = await search<{ name: string }>(db(), {
      table: 'science',
      column: 'features',
      query: target,
      distance: 'cosine',
      select: ['name'],
    });
    expect(rows.map((r) => r.name)).toEqual(['Sample A', 'Sample B']);
    const a = new SparseVector({ 0: 5.5, 42: 1.2 }, 10000);
    expect(close(rows[0]!.distance, cosineDistance(a, SparseVector.fromIndices([0, 42], [5.1, 1.0], 10000)))).toBe(
      true,
    );
    expect(rows[1]!.distance).toBe(1); // no shared index: orthogonal
    const text = await db().query<{ t: string }>(`SELECT features::text AS t FROM science WHERE id = 1`);
    expect(text[0]!.t).toBe('{1:5.5,43:1.2}/10000');
  });
});
