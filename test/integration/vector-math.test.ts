/**
 * vecpg's vector math (l2Norm, l2Normalize, subvector, binaryQuantize, add, subtract, multiply, concat)
 * equals pgvector's functions on random data, and the client distances agree with the server's
 * operators at the float32 edges (overflow to Infinity/NaN, underflow to 0, zero-length bit strings).
 * Every expected value comes from the server. Not compared: a sum whose terms overflow to +∞ and −∞
 * (e.g. [1e20, −1e20]·[1e20, 1e20]), which even the servers disagree on — NaN on PGlite (WebAssembly),
 * ±Infinity on x86 where pgvector's loop is compiled with fused multiply-adds.
 */
import { expect, it } from 'vitest';
import {
  Bit,
  HalfVector,
  SparseVector,
  Vector,
  add,
  binaryQuantize,
  concat,
  cosineDistance,
  hammingDistance,
  innerProduct,
  isVecpgError,
  jaccardDistance,
  l1Distance,
  l2Distance,
  l2Norm,
  l2Normalize,
  maxInnerProduct,
  multiply,
  subtract,
  subvector,
} from 'vecpg';
import { describeEachTarget, type TestDb } from '../support/db.ts';
import { randomArray, seededRandom } from '../support/random.ts';

const N = 30;
const DIMS = 24;

/** Random vectors with a spread of magnitudes, a few exact zeros and negative values. */
function randomValues(rand: () => number, i: number): number[] {
  const scale = [1, 1e-3, 100, 1e4, 3][i % 5]!;
  return randomArray(rand, DIMS, scale).map((x, k) => (k % 7 === i % 7 ? 0 : x));
}

async function one(db: TestDb, sql: string, params: unknown[]): Promise<unknown> {
  const rows = await db.query<{ r: unknown }>(sql, params);
  return rows[0]!.r;
}

/** The server's error message for a statement, or undefined when it succeeds. */
async function serverError(db: TestDb, sql: string, params: unknown[]): Promise<string | undefined> {
  try {
    await db.query(sql, params);
    return undefined;
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    return String(cause instanceof Error ? cause.message : (e as Error).message);
  }
}

function relClose(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(Math.abs(expected), Number.MIN_VALUE));
}

describeEachTarget('vector math vs pgvector functions', (db) => {
  it('vector: l2Norm, l2Normalize, binaryQuantize equal vector_norm, l2_normalize, binary_quantize', async () => {
    const rand = seededRandom(7);
    for (let i = 0; i < N; i++) {
      const v = new Vector(randomValues(rand, i));
      const t = v.toSql();
      relClose(l2Norm(v), Number(await one(db(), 'SELECT vector_norm($1::vector) AS r', [t])), 1e-12);
      expect(l2Normalize(v).toSql()).toBe(await one(db(), 'SELECT l2_normalize($1::vector)::text AS r', [t]));
      expect(binaryQuantize(v).toString()).toBe(await one(db(), 'SELECT binary_quantize($1::vector)::text AS r', [t]));
    }
    const zero = new Vector([0, 0, 0]);
    expect(l2Normalize(zero).toSql()).toBe(await one(db(), "SELECT l2_normalize('[0,0,0]'::vector)::text AS r", []));
  });

  it('halfvec: l2Norm, l2Normalize, binaryQuantize equal l2_norm, l2_normalize, binary_quantize', async () => {
    const rand = seededRandom(8);
    for (let i = 0; i < N; i++) {
      const h = new HalfVector(randomValues(rand, i).map((x) => Math.max(-6e4, Math.min(6e4, x))));
      const t = h.toSql();
      relClose(l2Norm(h), Number(await one(db(), 'SELECT l2_norm($1::halfvec) AS r', [t])), 1e-12);
      expect(l2Normalize(h).toSql()).toBe(await one(db(), 'SELECT l2_normalize($1::halfvec)::text AS r', [t]));
      expect(binaryQuantize(h).toString()).toBe(await one(db(), 'SELECT binary_quantize($1::halfvec)::text AS r', [t]));
    }
  });

  it('sparsevec: l2Norm and l2Normalize (dropping elements that underflow) equal the server', async () => {
    const rand = seededRandom(9);
    for (let i = 0; i < N; i++) {
      const entries: Record<number, number> = {};
      for (let k = 0; k < 12; k++) entries[Math.floor(rand() * 5000)] = (rand() * 2 - 1) * [1, 1e-20, 1e20][i % 3]!;
      const s = new SparseVector(entries, 5000);
      const t = s.toSql();
      relClose(l2Norm(s), Number(await one(db(), 'SELECT l2_norm($1::sparsevec) AS r', [t])), 1e-12);
      expect(l2Normalize(s).toSql()).toBe(await one(db(), 'SELECT l2_normalize($1::sparsevec)::text AS r', [t]));
    }
    // A tiny element beside a huge one underflows to 0 after normalizing: the server drops it.
    const mixed = new SparseVector({ 0: 1e30, 3: 1e-20 }, 5);
    const server = await one(db(), 'SELECT l2_normalize($1::sparsevec)::text AS r', [mixed.toSql()]);
    expect(l2Normalize(mixed).toSql()).toBe(server);
    expect(l2Normalize(mixed).nnz).toBe(1);
  });

  it('subvector: 0-based start is SQL start + 1, with pgvector’s clipping and errors', async () => {
    const rand = seededRandom(10);
    const v = new Vector(randomArray(rand, 10));
    const h = new HalfVector(v.toArray());
    for (const type of ['vector', 'halfvec'] as const) {
      const value = type === 'vector' ? v : h;
      for (let start = -3; start <= 11; start++) {
        for (const count of [-1, 0, 1, 3, 10, 12, 2147483647]) {
          const sql = `SELECT subvector($1::${type}, $2::int, $3::int)::text AS r`;
          const params = [value.toSql(), start + 1, count];
          const error = await serverError(db(), sql, params);
          let mine: string | undefined;
          let code: string | undefined;
          try {
            mine = (type === 'vector' ? subvector(v, start, count) : subvector(h, start, count)).toSql();
          } catch (e) {
            code = isVecpgError(e) ? e.code : String(e);
          }
          if (error !== undefined) {
            expect({ start, count, code }).toEqual({ start, count, code: 'EMPTY_VECTOR' });
          } else {
            expect({ start, count, mine }).toEqual({ start, count, mine: await one(db(), sql, params) });
          }
        }
      }
    }
  });

  it('add, subtract, multiply, concat equal +, -, *, || for vector and halfvec', async () => {
    const rand = seededRandom(11);
    for (let i = 0; i < N; i++) {
      const a = randomValues(rand, i);
      const b = randomValues(rand, i + 1);
      for (const type of ['vector', 'halfvec'] as const) {
        const clip = (xs: number[]) => xs.map((x) => Math.max(-200, Math.min(200, x)));
        const [x, y] =
          type === 'vector' ? [new Vector(a), new Vector(b)] : [new HalfVector(clip(a)), new HalfVector(clip(b))];
        const params = [x.toSql(), y.toSql()];
        const ops = [
          ['+', add],
          ['-', subtract],
          ['*', multiply],
          ['||', concat],
        ] as const;
        for (const [op, f] of ops) {
          const sql = `SELECT ($1::${type} ${op} $2::${type})::text AS r`;
          const error = await serverError(db(), sql, params);
          let mine: string | undefined;
          let code: string | undefined;
          try {
            mine = (f as (p: Vector | HalfVector, q: Vector | HalfVector) => Vector | HalfVector)(x, y).toSql();
          } catch (e) {
            code = isVecpgError(e) ? e.code : String(e);
          }
          if (error !== undefined) expect({ op, type, code, error }).toMatchObject({ code: 'VALUE_OUT_OF_RANGE' });
          else expect({ op, type, mine }).toEqual({ op, type, mine: await one(db(), sql, params) });
        }
      }
    }
  });

  it('overflow and underflow are refused as the server refuses them', async () => {
    const cases: [string, () => unknown, string][] = [
      ["'[3e38]'::vector + '[3e38]'::vector", () => add([3e38], [3e38]), 'overflow'],
      ["'[1e-30]'::vector * '[1e-30]'::vector", () => multiply([1e-30], [1e-30]), 'underflow'],
      ["'[60000]'::halfvec + '[60000]'::halfvec", () => add(new HalfVector([6e4]), new HalfVector([6e4])), 'overflow'],
      [
        "'[0.0001]'::halfvec * '[0.0001]'::halfvec",
        () => multiply(new HalfVector([1e-4]), new HalfVector([1e-4])),
        'underflow',
      ],
    ];
    for (const [sql, f, word] of cases) {
      expect(await serverError(db(), `SELECT ${sql}`, [])).toContain(word);
      expect(f).toThrowError(
        expect.objectContaining({ code: 'VALUE_OUT_OF_RANGE', message: expect.stringContaining(word) }) as Error,
      );
    }
  });
});

describeEachTarget('client distances vs server at the float32 edges', (db) => {
  const edge: [string, number[], number[]][] = [
    ['huge same sign', [3e38, 3e38], [-3e38, 1]],
    ['huge products', [2e19, 2e19], [2e19, 2e19]],
    ['huge one side', [3e38, 0], [1, 1]],
    ['tiny', [1e-30, 2e-30], [3e-30, -1e-30]],
    ['tiny vs normal', [1e-30, 0], [1, 1]],
    ['large, no overflow', [1e18, 2e18, 5], [1e18, 1e18, -1]],
  ];
  it.each(edge)('%s: l2, inner product, cosine, l1 equal the operators', async (_name, a, b) => {
    const params = [new Vector(a).toSql(), new Vector(b).toSql()];
    const rows = await db().query<Record<string, number>>(
      `SELECT $1::vector <-> $2::vector AS l2, $1::vector <#> $2::vector AS ip, inner_product($1::vector, $2::vector) AS dot,
              $1::vector <=> $2::vector AS cos, $1::vector <+> $2::vector AS l1`,
      params,
    );
    const s = rows[0]!;
    const expectSame = (mine: number, theirs: unknown) => {
      const t = Number(theirs);
      if (!Number.isFinite(t)) expect(mine).toBe(t);
      // float32 sums in another order: ~1e-6 relative, or absolute below 1 (cosine's 1 − sim).
      else expect(Math.abs(mine - t)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(t)));
    };
    expectSame(l2Distance(a, b), s.l2);
    expectSame(maxInnerProduct(a, b), s.ip);
    expectSame(innerProduct(a, b), s.dot);
    expectSame(cosineDistance(a, b), s.cos);
    expectSame(l1Distance(a, b), s.l1);
  });

  it('zero-length bit strings: Hamming 0, Jaccard 1, as the server', async () => {
    const rows = await db().query<{ h: unknown; j: unknown }>(
      `SELECT $1::varbit <~> $1::varbit AS h, $1::varbit <%> $1::varbit AS j`,
      [''],
    );
    expect(hammingDistance(new Bit(''), new Bit(''))).toBe(Number(rows[0]!.h));
    expect(jaccardDistance('', '')).toBe(Number(rows[0]!.j));
    expect(new Bit('').length).toBe(0);
    expect(Bit.fromBinary(new Bit('').toBinary()).toString()).toBe('');
  });
});
