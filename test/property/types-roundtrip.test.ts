/**
 * Property tests against the real databases: random vector, halfvec, sparsevec and bit values,
 * biased to the edges (see ./arbitraries.ts), are written twice — once as a text parameter
 * (`toSql()`), once through the server's binary input (`toBinary()` into the type's receive
 * function, see ./binary-input.ts) — and read back. For each row:
 *   - the server's own `::text` equals `toSql()`;
 *   - the server's own send function (`vector_send` …) equals `toBinary()`, byte for byte;
 *   - the row as the driver parses it is the value we wrote (-0 stays -0);
 *   - `fromSql` of the server's text and `fromBinary` of the server's bytes give the value back.
 * And, checked against hand-derived expectations: vector elements are `Math.fround` of the input,
 * float16 inputs come back unchanged, sparse indices are exactly the 0-based indices we gave.
 *
 * Fixed seed, CI-sized (PROPERTY_RUNS, PROPERTY_SEED to change; `npm run fuzz` runs more).
 */
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { Bit, HalfVector, SparseVector, Vector } from 'vecpg';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import {
  F32,
  type SparseSample,
  bitString,
  denseArray,
  exactHalf,
  float32Element,
  halfElement,
  propertyParams,
  sparseSample,
} from './arbitraries.ts';
import { insertBinary } from './binary-input.ts';

type Value = Vector | HalfVector | SparseVector | Bit;

interface Written<V extends Value> {
  value: V;
  /** What the driver must return for this row. */
  parsed: unknown;
}

interface RowBack {
  id: number;
  v: unknown;
  t: string;
  b: Uint8Array;
}

let nextId = 1;

/** Compare like toEqual (with -0 ≠ 0) but fast on 16,000 elements: a label naming the first difference. */
function sameValue(actual: unknown, expected: unknown): string {
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      if (!Object.is(actual[i], expected[i])) return `element ${i}: ${String(actual[i])} ≠ ${String(expected[i])}`;
    }
    return 'same';
  }
  if (actual instanceof SparseVector)
    return actual.equals(expected) ? 'same' : `${actual.toSql()} ≠ ${String(expected)}`;
  return Object.is(actual, expected) ? 'same' : `${String(actual)} ≠ ${String(expected)}`;
}

/**
 * Write each value as text and as binary into `table`, read both rows back, and check them
 * against the server's text and send output.
 */
async function roundTrip<V extends Value>(
  db: TestDb,
  table: string,
  sqlType: string,
  send: string,
  written: Array<Written<V>>,
  decode: { fromSql(t: string): V; fromBinary(b: Uint8Array): V },
): Promise<void> {
  const first = nextId;
  const textIds = written.map(() => nextId++);
  const binaryIds = written.map(() => nextId++);
  for (const [i, w] of written.entries()) {
    await db.query(`INSERT INTO ${table} (id, v) VALUES ($1, $2)`, [textIds[i], w.value.toSql()]);
  }
  await insertBinary(
    db,
    table,
    sqlType,
    written.map((w, i) => [binaryIds[i]!, w.value.toBinary()] as const),
  );
  const rows = await db.query<RowBack & Record<string, unknown>>(
    `SELECT id, v, v::text AS t, ${send}(v) AS b FROM ${table} WHERE id >= $1 AND id < $2`,
    [first, nextId],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  expect(rows).toHaveLength(2 * written.length);
  for (const [i, w] of written.entries()) {
    for (const [via, id] of [
      ['text', textIds[i]!],
      ['binary', binaryIds[i]!],
    ] as const) {
      const row = byId.get(id)!;
      const label = `${sqlType} written as ${via}: ${w.value.toSql().slice(0, 80)}`;
      expect(row.t, label).toBe(w.value.toSql());
      expect(Buffer.from(row.b).equals(Buffer.from(w.value.toBinary())), label).toBe(true);
      expect(sameValue(row.v, w.parsed), label).toBe('same');
      expect(decode.fromSql(row.t).equals(w.value), label).toBe(true);
      expect(decode.fromBinary(row.b).equals(w.value), label).toBe(true);
    }
  }
}

/** 16,000 non-zeros spread over `dimensions`, values all distinct and non-zero. */
function wideSparse(dimensions: number): SparseSample {
  const step = Math.floor(dimensions / 16_000);
  const indices = Array.from({ length: 16_000 }, (_, k) => k * step + (k % step));
  return { dimensions, indices, values: indices.map((_, k) => (k % 2 ? -1 : 1) * (k + 0.5) * 1e-3) };
}

describeEachTarget('property: values round-trip through text and binary', (db) => {
  beforeAll(async () => {
    await db().query('CREATE TABLE prop_vector (id int PRIMARY KEY, v vector)');
    await db().query('CREATE TABLE prop_halfvec (id int PRIMARY KEY, v halfvec)');
    await db().query('CREATE TABLE prop_sparsevec (id int PRIMARY KEY, v sparsevec)');
    await db().query('CREATE TABLE prop_bit (id int PRIMARY KEY, v varbit)');
  });

  it('vector: edge magnitudes, subnormals, ±0, 1 and 16,000 dimensions', async () => {
    const big = Array.from({ length: 16_000 }, (_, i) => (i % 3 === 0 ? -F32.minSubnormal : (i - 8000) * 4.2e30));
    await fc.assert(
      fc.asyncProperty(fc.array(denseArray(float32Element), { minLength: 1, maxLength: 4 }), async (arrays) => {
        const written = arrays.map((a) => {
          const value = new Vector(a);
          // Hand-derived: each element is the input rounded to float32, nothing else.
          expect(sameValue(value.toArray(), a.map(Math.fround))).toBe('same');
          return { value, parsed: a.map(Math.fround) };
        });
        await roundTrip(db(), 'prop_vector', 'vector', 'vector_send', written, Vector);
      }),
      { ...propertyParams, examples: [[[big, [0], [-0], [F32.max, -F32.max, F32.minSubnormal, F32.minNormal]]]] },
    );
  });

  it('halfvec: every float16 value comes back unchanged, other numbers rounded as the server rounds them', async () => {
    const big = Array.from({ length: 16_000 }, (_, i) => ((i % 2 ? -1 : 1) * (i % 2049)) / 32);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            denseArray(exactHalf).map((a) => ({ a, exact: true })),
            denseArray(halfElement).map((a) => ({ a, exact: false })),
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        async (inputs) => {
          const written = inputs.map(({ a, exact }) => {
            const value = new HalfVector(a);
            if (exact) expect(sameValue(value.toArray(), a)).toBe('same');
            return { value, parsed: value.toArray() };
          });
          await roundTrip(db(), 'prop_halfvec', 'halfvec', 'halfvec_send', written, HalfVector);
        },
      ),
      {
        ...propertyParams,
        examples: [
          [
            [
              { a: big, exact: true },
              { a: [65504, -65504, 2 ** -24, -0], exact: true },
            ],
          ],
        ],
      },
    );
  });

  it('sparsevec: 0 to 16,000 non-zeros, up to 1,000,000,000 dimensions, indices never shift', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sparseSample, { minLength: 1, maxLength: 4 }), async (samples) => {
        const written = samples.map((s) => {
          const value = new SparseVector(new Map(s.indices.map((index, k) => [index, s.values[k]!])), s.dimensions);
          // Hand-derived: the non-zero entries, sorted by their 0-based index, float32-rounded.
          const expected = s.indices
            .map((index, k) => [index, Math.fround(s.values[k]!)] as const)
            .filter(([, x]) => x !== 0)
            .sort((p, q) => p[0] - q[0]);
          expect(
            sameValue(
              value.indices,
              expected.map(([index]) => index),
            ),
          ).toBe('same');
          expect(
            sameValue(
              value.values,
              expected.map(([, x]) => x),
            ),
          ).toBe('same');
          expect(value.dimensions).toBe(s.dimensions);
          return { value, parsed: value };
        });
        await roundTrip(db(), 'prop_sparsevec', 'sparsevec', 'sparsevec_send', written, SparseVector);
      }),
      {
        ...propertyParams,
        examples: [
          [[wideSparse(1_000_000_000), wideSparse(16_000), { dimensions: 1, indices: [], values: [] }]],
          [[{ dimensions: 1_000_000_000, indices: [999_999_999, 0], values: [F32.minSubnormal, -F32.max] }]],
        ],
      },
    );
  });

  it('bit: 1 to 64,000 bits, most significant first', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(bitString, { minLength: 1, maxLength: 4 }), async (strings) => {
        const written = strings.map((s) => {
          const value = new Bit(s);
          expect(value.toString()).toBe(s);
          return { value, parsed: s };
        });
        await roundTrip(db(), 'prop_bit', 'varbit', 'varbit_send', written, Bit);
      }),
      propertyParams,
    );
  });

  it('the binary path really reaches the receive functions: a bad header is refused by the server', async () => {
    const bad = new Vector([1, 2]).toBinary();
    bad[3] = 1; // the "unused" header field, which vector_recv requires to be 0
    await expect(insertBinary(db(), 'prop_vector', 'vector', [[nextId++, bad]])).rejects.toThrow(/unused/);
  });
});
