/**
 * Fuzzed parsers: whatever bytes or text come in, `fromSql` / `fromBinary` either return a value or throw a
 * VecpgError — never another exception, never a hang — and nothing wrong is accepted: an accepted binary
 * input re-encodes to exactly the same bytes (the formats are canonical), an accepted text re-parses from
 * its own output to the same value.
 * Fixed seed and a CI-sized count; `npm run fuzz` runs 100,000 inputs per parser (FUZZ_RUNS to change).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bit, HalfVector, SparseVector, Vector, VecpgError } from 'vecpg';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const params = { numRuns: RUNS, seed: SEED };

type Codec = {
  name: string;
  fromSql: (t: string) => { toSql(): string; equals(o: unknown): boolean };
  fromBinary: (b: Uint8Array) => { toBinary(): Uint8Array };
  sampleText: fc.Arbitrary<string>;
  sampleBinary: fc.Arbitrary<Uint8Array>;
};

const float = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
const denseArb = fc.array(float, { minLength: 1, maxLength: 8 });
const sparseArb = fc
  .tuple(fc.integer({ min: 1, max: 40 }), fc.array(fc.tuple(fc.nat(39), float), { maxLength: 8 }))
  .map(([dims, pairs]) => new SparseVector(new Map(pairs.filter(([i]) => i < dims)), dims));
const bitArb = fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }).map((b) => Bit.fromBooleans(b));

const codecs: Codec[] = [
  {
    name: 'vector',
    fromSql: (t) => Vector.fromSql(t),
    fromBinary: (b) => Vector.fromBinary(b),
    sampleText: denseArb.map((a) => new Vector(a).toSql()),
    sampleBinary: denseArb.map((a) => new Vector(a).toBinary()),
  },
  {
    name: 'halfvec',
    fromSql: (t) => HalfVector.fromSql(t),
    fromBinary: (b) => HalfVector.fromBinary(b),
    sampleText: denseArb.map((a) => new HalfVector(a.map((x) => x / 100)).toSql()),
    sampleBinary: denseArb.map((a) => new HalfVector(a.map((x) => x / 100)).toBinary()),
  },
  {
    name: 'sparsevec',
    fromSql: (t) => SparseVector.fromSql(t),
    fromBinary: (b) => SparseVector.fromBinary(b),
    sampleText: sparseArb.map((s) => s.toSql()),
    sampleBinary: sparseArb.map((s) => s.toBinary()),
  },
  {
    name: 'bit',
    fromSql: (t) => Bit.fromSql(t),
    fromBinary: (b) => Bit.fromBinary(b),
    sampleText: bitArb.map((b) => b.toSql()),
    sampleBinary: bitArb.map((b) => b.toBinary()),
  },
];

/** Text mutations: replace, insert or delete characters drawn from the formats' own alphabet. */
const alphabet = fc.constantFrom(..."[]{}:,/01234567899.-+eE nNaAiIfF'Bx".split(''));
const textMutation = (sample: fc.Arbitrary<string>) =>
  fc
    .tuple(
      sample,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), alphabet), { minLength: 1, maxLength: 4 }),
    )
    .map(([text, edits]) => {
      let t = text;
      for (const [pos, op, ch] of edits) {
        const i = t.length === 0 ? 0 : pos % (t.length + (op === 1 ? 1 : 0));
        if (op === 0) t = t.slice(0, i) + ch + t.slice(i + 1);
        else if (op === 1) t = t.slice(0, i) + ch + t.slice(i);
        else t = t.slice(0, i) + t.slice(i + 1);
      }
      return t;
    });

/** Binary mutations: flip bytes, truncate, append garbage. */
const binaryMutation = (sample: fc.Arbitrary<Uint8Array>) =>
  fc
    .tuple(
      sample,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 3,
      }),
    )
    .map(([bytes, edits]) => {
      let b = Array.from(bytes);
      for (const [pos, op, v] of edits) {
        if (op === 0 && b.length) b[pos % b.length] = v;
        else if (op === 1) b = b.slice(0, pos % (b.length + 1));
        else b.push(v);
      }
      return Uint8Array.from(b);
    });

function onlyVecpgErrors(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof VecpgError)) throw new Error(`non-VecpgError escaped: ${String(e)}`, { cause: e });
  }
}

for (const c of codecs) {
  describe(`fuzz ${c.name}`, () => {
    it('fromSql on mutated and random text: a VecpgError or a value that re-parses from its own text', () => {
      fc.assert(
        fc.property(fc.oneof(textMutation(c.sampleText), fc.string({ maxLength: 40 }), c.sampleText), (text) => {
          onlyVecpgErrors(() => {
            const v = c.fromSql(text);
            const again = c.fromSql(v.toSql());
            expect(again.equals(v)).toBe(true);
          });
        }),
        params,
      );
    });

    it('fromBinary on mutated and random bytes: a VecpgError or exactly the same bytes back', () => {
      fc.assert(
        fc.property(
          fc.oneof(binaryMutation(c.sampleBinary), fc.uint8Array({ maxLength: 40 }), c.sampleBinary),
          (bytes) => {
            onlyVecpgErrors(() => {
              const v = c.fromBinary(bytes);
              expect(Buffer.from(v.toBinary()).equals(Buffer.from(bytes))).toBe(true);
            });
          },
        ),
        params,
      );
    });
  });
}

describe('fuzz: inputs the issue names are refused', () => {
  it.each([
    ['{1:1,1:2}/5', 'DUPLICATE_SPARSE_INDEX'],
    ['{0:1}/5', 'INVALID_SPARSE_INDEX'],
    ['{1:1}/0', 'INVALID_DIMENSIONS'],
    ['{1:1}/5 trailing', 'INVALID_TEXT'],
  ])('sparsevec %s → %s', (text, code) => {
    expect(() => SparseVector.fromSql(text)).toThrow(expect.objectContaining({ code }));
  });
  it.each([['[1,,2]'], ['[1,2'], ['1,2]'], ['[1 2]'], ['[,]'], ['[1,2],']])('vector %s → INVALID_TEXT', (text) => {
    expect(() => Vector.fromSql(text)).toThrow(expect.objectContaining({ code: 'INVALID_TEXT' }));
  });
});
