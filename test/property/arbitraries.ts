/**
 * fast-check generators for pgvector values, biased toward the edges: ±0, float32 subnormals and
 * limits, float16 limits and rounding ties, 1 and 16,000 dimensions, 0 and 16,000 non-zeros,
 * 1,000,000,000 sparse dimensions. Shared by the property tests and the fuzzers.
 *
 * Counts: PROPERTY_RUNS (default CI-sized) and PROPERTY_SEED; `npm run fuzz` raises them.
 */
import fc from 'fast-check';

export const PROPERTY_RUNS = Number(process.env.PROPERTY_RUNS ?? 12);
export const PROPERTY_SEED = Number(process.env.PROPERTY_SEED ?? 20261126);
export const propertyParams = { numRuns: PROPERTY_RUNS, seed: PROPERTY_SEED, endOnFailure: true } as const;

/** float32 landmarks, written out by hand (not computed by the code under test). */
export const F32 = {
  minSubnormal: 2 ** -149, // 1.4e-45
  maxSubnormal: 2 ** -126 - 2 ** -149,
  minNormal: 2 ** -126, // 1.1754944e-38
  max: (2 - 2 ** -23) * 2 ** 127, // 3.4028235e38
  epsilon: 2 ** -23,
} as const;

/** float16 landmarks. */
export const F16 = {
  minSubnormal: 2 ** -24, // 5.9604645e-08
  minNormal: 2 ** -14,
  max: 65504,
} as const;

const float32Edge = fc.constantFrom(
  0,
  -0,
  F32.minSubnormal,
  -F32.minSubnormal,
  F32.maxSubnormal,
  F32.minNormal,
  -F32.minNormal,
  F32.max,
  -F32.max,
  1,
  -1,
  1 + F32.epsilon,
  0.1,
  -1e-7,
  16_777_217, // 2^24 + 1: not a float32, rounds to 2^24
  1 / 3,
);

/** Any number the client accepts for a float32 element (finite after rounding to float32). */
export const float32Element: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true }), weight: 4 },
  { arbitrary: float32Edge, weight: 2 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -F32.max, max: F32.max }), weight: 2 },
  { arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }), weight: 1 },
);

/** The exact value of IEEE binary16 bits, decoded here independently of src/types/float.ts. */
export function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return exponent === 0 ? sign * fraction * 2 ** -24 : sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/** Every finite float16 value (both zeros, subnormals, up to ±65504). */
export const exactHalf: fc.Arbitrary<number> = fc
  .tuple(fc.boolean(), fc.integer({ min: 0, max: 0x7bff }))
  .map(([negative, bits]) => halfValue(bits | (negative ? 0x8000 : 0)));

const halfEdge = fc.constantFrom(
  0,
  -0,
  F16.minSubnormal,
  -F16.minSubnormal,
  F16.minNormal,
  F16.max,
  -F16.max,
  65519, // rounds down to 65504 (65520 would round to infinity)
  2 ** -25, // exactly half the smallest subnormal: ties to even, 0
  3 * 2 ** -26, // above that tie: rounds up to 2^-24
  -(2 ** -26), // rounds to -0
  0.1,
  1 / 3,
  2049, // between 2048 and 2050: ties to even, 2048
);

/** Any number the client accepts for a float16 element. */
export const halfElement: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: exactHalf, weight: 3 },
  { arbitrary: halfEdge, weight: 2 },
  { arbitrary: fc.double({ noNaN: true, min: -65519, max: 65519 }), weight: 2 },
  { arbitrary: fc.float({ noNaN: true, min: -65519, max: 65519 }), weight: 2 },
);

/**
 * Dense dimension counts: mostly small, sometimes 1. (16,000 is in each property's fixed examples:
 * generating arrays that long element by element would dominate the run time.)
 */
export const denseDimensions: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 12 }), weight: 10 },
  { arbitrary: fc.constant(1), weight: 1 },
  { arbitrary: fc.integer({ min: 13, max: 300 }), weight: 1 },
);

export const denseArray = (element: fc.Arbitrary<number>): fc.Arbitrary<number[]> =>
  denseDimensions.chain((n) => fc.array(element, { minLength: n, maxLength: n }));

/** A sparse vector as plain data: 0-based indices (unique, unsorted), values (zeros allowed), dimensions. */
export interface SparseSample {
  dimensions: number;
  indices: number[];
  values: number[];
}

const sparseDimensions = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 40 }), weight: 6 },
  { arbitrary: fc.constantFrom(1, 1_000_000_000), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 1_000_000_000 }), weight: 2 },
);

export const sparseSample: fc.Arbitrary<SparseSample> = sparseDimensions.chain((dimensions) =>
  fc
    .uniqueArray(fc.oneof(fc.integer({ min: 0, max: dimensions - 1 }), fc.constant(dimensions - 1), fc.constant(0)), {
      maxLength: Math.min(dimensions, 10),
    })
    .chain((indices) =>
      fc
        .array(fc.oneof({ arbitrary: float32Element, weight: 9 }, { arbitrary: fc.constantFrom(0, -0), weight: 1 }), {
          minLength: indices.length,
          maxLength: indices.length,
        })
        .map((values) => ({ dimensions, indices, values })),
    ),
);

/** Bit strings: 1 to 200 bits, sometimes long ones. */
export const bitString: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc.array(fc.constantFrom('0', '1'), { minLength: 1, maxLength: 200 }).map((b) => b.join('')),
    weight: 8,
  },
  { arbitrary: fc.constantFrom('0', '1', '1'.repeat(64), '10'.repeat(32_000)), weight: 1 },
);
