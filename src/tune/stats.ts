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
