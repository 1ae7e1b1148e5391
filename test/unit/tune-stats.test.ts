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

describe('queries for a precision', () => {
  // Textbook sample size for a 95% interval of ±E on a mean: n = (z·s/E)², z = 1.96 (the normal 97.5% quantile).
  const textbook = (s: number, e: number): number => ((1.96 * s) / e) ** 2;

  it.each([
    // [per-query standard deviation, half-width]
    [0.15, 0.03],
    [0.15, 0.01],
    [0.05, 0.01],
    [0.3, 0.005],
    [0.02, 0.01],
  ])('spread %d, ±%d: the normal-approximation n = (1.96·s/E)², rounded up', (s, e) => {
    const n = queriesForPrecision(s, e);
    const want = textbook(s, e);
    // 1.96 is z to two decimals; the code's 1.959964 may round up to one query fewer at an integer edge
    expect(n).toBeGreaterThanOrEqual(Math.ceil(want) - 1);
    expect(n).toBeLessThanOrEqual(Math.ceil(want));
    // and that many queries do give an interval that narrow (the t quantile at n − 1 is a little wider than z)
    expect((1.959964 * s) / Math.sqrt(n)).toBeLessThanOrEqual(e);
  });

  it('never fewer than two (a spread needs two values)', () => {
    expect(queriesForPrecision(0.001, 0.1)).toBe(2);
    expect(queriesForPrecision(0, 0.01)).toBe(2);
  });

  it("every query scoring the same: as many queries as Wilson's interval needs, not the two a zero spread gives", () => {
    const z2 = 1.959964 ** 2;
    // all recalls 1: the interval is [N/(N + z²), 1] over N = n·k neighbours, half-width z²/(2(N + z²)) ≤ E
    // when N ≥ z²/(2E) − z²
    for (const [e, k] of [
      [0.01, 10],
      [0.005, 10],
      [0.02, 5],
    ] as const) {
      expect(queriesForPrecision(0, e, { recall: 1, k })).toBe(Math.ceil((z2 / (2 * e) - z2) / k));
    }
    // all recalls 0.9 at k = 10: the fewest n whose Wilson half-width, written out here, is within ±0.01
    const wilsonHalf = (p: number, trials: number): number =>
      (1.959964 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / (1 + z2 / trials);
    const n = queriesForPrecision(0, 0.01, { recall: 0.9, k: 10 });
    expect(wilsonHalf(0.9, n * 10)).toBeLessThanOrEqual(0.01);
    expect(wilsonHalf(0.9, (n - 1) * 10)).toBeGreaterThan(0.01);
    // close to the binomial sample size n·k = z²·p(1 − p)/E² (3457 neighbours; n·k is a multiple of 10)
    expect(Math.abs((n * 10) / ((z2 * 0.9 * 0.1) / 0.01 ** 2) - 1)).toBeLessThan(0.01);
    // a spread, however small, is the normal formula's business
    expect(queriesForPrecision(0.01, 0.01, { recall: 0.99, k: 10 })).toBe(4);
  });
});
