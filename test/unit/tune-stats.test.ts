import { describe, expect, it } from 'vitest';
import { queriesForPrecision, recallInterval, recallWithTies, stdDev, t95 } from '../../src/tune/stats.ts';

describe('recallWithTies', () => {
  it.each([
    // [exact ids, exact distances, returned ids, returned distances, recall]
    [['a', 'b'], [0.1, 0.5], ['a', 'b'], [0.1, 0.5], 1],
    [['a', 'b'], [0.1, 0.5], ['a', 'c'], [0.1, 0.5], 1], // c ties with the k-th: a true neighbour too
    [['a', 'b'], [0.1, 0.5], ['a', 'c'], [0.1, 0.5000001], 0.5], // just beyond: a miss
    [['a', 'b', 'c'], [1, 1, 1], ['d', 'e', 'f'], [1, 1, 1], 1], // all tied (grid neighbours)
    [['a', 'b'], [-3, -2], ['x', 'a'], [-2, -3], 1], // negative inner product distances
    [['a', 'b'], [0, 0.5], [], [], 0],
    [[], [], ['a'], [0], 1], // nothing to find
  ] as const)('%j at %j, returned %j at %j: %d', (ids, dist, got, gotDist, want) => {
    expect(recallWithTies(ids, dist, got, gotDist)).toBe(want);
  });

  it('never exceeds 1 when more rows tie than k', () => {
    expect(recallWithTies(['a'], [1], ['b', 'c', 'a'], [1, 1, 1])).toBe(1);
  });
});

describe('recall interval', () => {
  it("t quantiles match Student's t table (two-sided 95%)", () => {
    // published values: df 1 12.706, 4 2.776, 9 2.262, 29 2.045, 99 1.984
    expect(t95(1)).toBeCloseTo(12.706, 3);
    expect(t95(4)).toBeCloseTo(2.776, 3);
    expect(t95(9)).toBeCloseTo(2.262, 2);
    expect(t95(29)).toBeCloseTo(2.045, 2);
    expect(t95(99)).toBeCloseTo(1.984, 2);
  });

  it('mean ± t·s/√n, clamped to [0, 1]', () => {
    const values = [1, 0.9, 0.8, 1, 0.9];
    // mean 0.92, s = sqrt(0.028/4) = 0.083666, t(4) = 2.776: half-width 0.10387
    expect(stdDev(values)).toBeCloseTo(0.083666, 5);
    const [lo, hi] = recallInterval(values, 10);
    expect(lo).toBeCloseTo(0.92 - 0.10387, 4);
    expect(hi).toBe(1);
  });

  it('with 100 queries of spread 0.15 the mean is good to about ±0.03, and ±0.01 takes ~865 queries', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 0.95 : 0.65));
    const [lo, hi] = recallInterval(values, 10);
    expect((hi - lo) / 2).toBeCloseTo(0.0301, 3);
    expect(queriesForPrecision(0.15, 0.01)).toBe(865);
  });

  it("identical per-query recalls: Wilson's interval over the n·k neighbours, not a zero-width one", () => {
    // Wilson at p = 1 over N trials: [N / (N + z²), 1]; at p = 0: [0, z² / (N + z²)]; z = 1.959964
    const z2 = 1.959964 ** 2;
    const [lo1, hi1] = recallInterval([1, 1, 1, 1], 10);
    expect(lo1).toBeCloseTo(40 / (40 + z2), 12);
    expect(hi1).toBeCloseTo(1, 12);
    const [lo0, hi0] = recallInterval([0, 0], 5);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(z2 / (10 + z2), 12);
    // 0.9 on every one of 100 queries at k = 10: 900 of 1000, Wilson [0.87985, 0.91709]
    const [lo, hi] = recallInterval(
      Array.from({ length: 100 }, () => 0.9),
      10,
    );
    expect(lo).toBeCloseTo(0.87985, 4);
    expect(hi).toBeCloseTo(0.91709, 4);
  });
});
