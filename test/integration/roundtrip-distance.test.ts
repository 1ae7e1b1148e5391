/**
 * Client-side distances (vecpg's `l2Distance` …) agree with the server's operators on random data.
 * The server accumulates in float32, the client in float64: they agree to ~1e-5 relative.
 */
import { expect, it } from 'vitest';
import {
  Bit,
  HalfVector,
  SparseVector,
  Vector,
  cosineDistance,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
} from 'vecpg';
import { describeEachTarget } from '../support/db.ts';
import { randomArray, seededRandom } from '../support/random.ts';

const PAIRS = 40;
const DIMS = 32;
const SPARSE_DIMS = 1000;
const BITS = 77;

function close(actual: number, expected: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  return Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected));
}

function randomSparse(rand: () => number): SparseVector {
  const entries: Record<number, number> = {};
  // Indices from a small range so the two sides of a pair overlap.
  for (let k = 0; k < 15; k++) entries[Math.floor(rand() * 60) * 16] = rand() * 2 - 1;
  return new SparseVector(entries, SPARSE_DIMS);
}

function randomBits(rand: () => number): Bit {
  return Bit.fromBooleans(Array.from({ length: BITS }, () => rand() < 0.3));
}

describeEachTarget('client distances vs server operators', (db) => {
  it('dense, halfvec, sparse and bit distances agree', async () => {
    await db().query(
      `CREATE TABLE dist_pairs (id int PRIMARY KEY, av vector, bv vector, ah halfvec, bh halfvec,
       asp sparsevec, bsp sparsevec, ab bit(${BITS}), bb bit(${BITS}))`,
    );
    const rand = seededRandom(42);
    const pairs = Array.from({ length: PAIRS }, (_, id) => {
      const a = randomArray(rand, DIMS, id % 5 === 0 ? 100 : 1);
      const b = randomArray(rand, DIMS, 1);
      return {
        id,
        av: new Vector(a),
        bv: new Vector(b),
        ah: new HalfVector(a),
        bh: new HalfVector(b),
        asp: randomSparse(rand),
        bsp: randomSparse(rand),
        ab: randomBits(rand),
        bb: randomBits(rand),
      };
    });
    // A zero vector: cosine distance is NaN on both sides.
    pairs.push({
      id: PAIRS,
      av: new Vector(new Array<number>(DIMS).fill(0)),
      bv: new Vector(randomArray(rand, DIMS)),
      ah: new HalfVector(new Array<number>(DIMS).fill(0)),
      bh: new HalfVector(randomArray(rand, DIMS)),
      asp: new SparseVector({}, SPARSE_DIMS),
      bsp: randomSparse(rand),
      ab: new Bit('0'.repeat(BITS)),
      bb: randomBits(rand),
    });
    for (const p of pairs) {
      await db().query('INSERT INTO dist_pairs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
        p.id,
        p.av,
        p.bv,
        p.ah,
        p.bh,
        p.asp,
        p.bsp,
        p.ab,
        p.bb,
      ]);
    }
    const rows = await db().query<Record<string, number>>(
      `SELECT id,
        av <-> bv AS v_l2, av <#> bv AS v_ip, av <=> bv AS v_cos, av <+> bv AS v_l1,
        ah <-> bh AS h_l2, ah <#> bh AS h_ip, ah <=> bh AS h_cos, ah <+> bh AS h_l1,
        asp <-> bsp AS s_l2, asp <#> bsp AS s_ip, asp <=> bsp AS s_cos, asp <+> bsp AS s_l1,
        ab <~> bb AS b_ham, ab <%> bb AS b_jac
       FROM dist_pairs ORDER BY id`,
    );
    expect(rows).toHaveLength(pairs.length);
    const failures: string[] = [];
    const check = (id: number, what: string, server: number | undefined, client: number): void => {
      if (typeof server !== 'number' || !close(client, server))
        failures.push(`${what} #${id}: server ${server}, client ${client}`);
    };
    for (const [i, p] of pairs.entries()) {
      const r = rows[i]!;
      for (const [prefix, a, b] of [
        ['v', p.av, p.bv],
        ['h', p.ah, p.bh],
        ['s', p.asp, p.bsp],
      ] as const) {
        check(p.id, `${prefix}_l2`, r[`${prefix}_l2`], l2Distance(a, b));
        check(p.id, `${prefix}_ip`, r[`${prefix}_ip`], maxInnerProduct(a, b));
        check(p.id, `${prefix}_cos`, r[`${prefix}_cos`], cosineDistance(a, b));
        check(p.id, `${prefix}_l1`, r[`${prefix}_l1`], l1Distance(a, b));
      }
      check(p.id, 'b_ham', r.b_ham, hammingDistance(p.ab, p.bb));
      check(p.id, 'b_jac', r.b_jac, jaccardDistance(p.ab, p.bb));
    }
    expect(failures).toEqual([]);
    // The zero vector really gave NaN on the server (the comparison above accepts NaN only on both sides).
    expect(rows[PAIRS]!.v_cos).toBeNaN();
  });
});
