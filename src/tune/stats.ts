/**
 * Small statistics helpers for the tuning tools.
 */

/**
 * The q-quantile (0–1) of `values` by the nearest-rank method; `NaN` for no values.
 *
 * @example
 * percentile([1, 2, 3, 4], 0.5) // 2
 */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

/**
 * Recall of one answer: the share of the true top-k (`exact`) found in `approximate`.
 * An empty exact answer counts as fully recalled.
 *
 * @example
 * recallAt([1, 2, 3], [1, 3, 9]) // 0.6666…
 */
export function recallAt(exact: readonly unknown[], approximate: readonly unknown[]): number {
  if (exact.length === 0) return 1;
  const found = new Set(approximate.map(String));
  let hits = 0;
  for (const id of exact) if (found.has(String(id))) hits++;
  return hits / exact.length;
}

/** Arithmetic mean; `NaN` for no values. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function stdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** Student's t quantile for a two-sided 95% interval with `df` degrees of freedom (table to 6, then Cornish–Fisher, < 0.4% off). */
export function t95(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447];
  if (df < 1) return Number.POSITIVE_INFINITY;
  if (df <= table.length) return table[df - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/**
 * A 95% confidence interval on the mean recall of `values` (one recall per query, k neighbours each),
 * clamped to [0, 1]. When every query scored the same, the spread says nothing: the interval is then
 * Wilson's score interval for the found share of the n·k neighbours (an all-perfect run of 100
 * queries at k = 10 gets [0.9962, 1]).
 *
 * @example
 * recallInterval([1, 0.9, 0.8, 1, 0.9], 10) // [0.796…, 1]
 */
export function recallInterval(values: readonly number[], k: number): [number, number] {
  const n = values.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const m = mean(values);
  const sd = stdDev(values);
  if (sd < 1e-12) return wilson(m, n * k); // equal values (a float sum leaves ~1e-16)
  const half = (t95(n - 1) * sd) / Math.sqrt(n);
  return [Math.max(0, m - half), Math.min(1, m + half)];
}

/** Wilson's 95% score interval for a proportion `p` observed over `trials`. */
function wilson(p: number, trials: number): [number, number] {
  const z2 = 1.959964 ** 2;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const half = (Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials)) * 1.959964) / denominator;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/**
 * Queries needed for a 95% interval of ± `halfWidth` on a mean recall, as {@link recallInterval} would compute
 * it: the normal approximation n = (z·s / E)² from the per-query standard deviation s (at least 2). When
 * every query scored the same (s = 0), `recallInterval` gives Wilson's interval over the n·k neighbours
 * instead, whose width s says nothing about: then, given the recall and k in `uniform`, the fewest queries
 * whose Wilson interval at that recall is that narrow.
 *
 * @example
 * queriesForPrecision(0.15, 0.03) // 97
 * queriesForPrecision(0, 0.01, { recall: 1, k: 10 }) // 19 (Wilson at 190 of 190 neighbours: [0.980, 1])
 */
export function queriesForPrecision(sd: number, halfWidth: number, uniform?: { recall: number; k: number }): number {
  if (sd >= 1e-12 || uniform === undefined) return Math.max(2, Math.ceil(((1.959964 * sd) / halfWidth) ** 2));
  const { recall, k } = uniform;
  const half = (n: number): number => {
    const [lo, hi] = wilson(recall, n * k);
    return (hi - lo) / 2;
  };
  // The half-width shrinks as n grows: the smallest n ≥ 2 within it, by bisection.
  let low = 2;
  if (half(low) <= halfWidth) return low;
  let high = 4;
  while (half(high) > halfWidth) high *= 2;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (half(mid) <= halfWidth) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * Recall of one answer where ties count: a returned row is a hit when it is one of the true top-k or
 * its distance is no larger than the k-th true distance (another row at exactly that distance is as
 * true a neighbour as the one the exact scan happened to list). Capped at the true count.
 *
 * @example
 * recallWithTies(['a', 'b'], [0.1, 0.5], ['a', 'c'], [0.1, 0.5]) // 1 ('c' ties with 'b')
 */
export function recallWithTies(
  exactIds: readonly string[],
  exactDistances: readonly number[],
  ids: readonly string[],
  distances: readonly number[],
): number {
  if (exactIds.length === 0) return 1;
  const truth = new Set(exactIds);
  const kth = exactDistances[exactDistances.length - 1] ?? Number.NEGATIVE_INFINITY;
  // Both sides come from the same distance function; the slack only absorbs `+ 0` turning -0 into 0.
  const limit = kth + 1e-12 * Math.max(1, Math.abs(kth));
  let hits = 0;
  for (let i = 0; i < ids.length; i++)
    if (truth.has(ids[i]!) || (distances[i] ?? Number.POSITIVE_INFINITY) <= limit) hits++;
  return Math.min(hits, exactIds.length) / exactIds.length;
}
