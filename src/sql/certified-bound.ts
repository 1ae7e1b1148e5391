/**
 * The certificate of a certified exact search, client side: the query's compact form, the per-query
 * constants of the candidate ordering key, and the lower bound that every row outside the candidates
 * satisfies. The derivation, with each margin, is in docs/certified-search.md; the names here follow it.
 */
import { float32ToHalfBits, halfBitsToNumber } from '../types/float.ts';

/** The distances with a certificate (pgvector's `bit` distances and sparsevec have none: plain exact scan). */
export type CertifiedDistance = 'l2' | 'ip' | 'cosine' | 'l1';

/** Largest finite float16. */
export const HALF_MAX = 65504;
/** Cosine compacts and queries need a norm in [COSINE_MIN_NORM, COSINE_MAX_NORM] (no float32 under/overflow). */
export const COSINE_MIN_NORM = 1e-12;
export const COSINE_MAX_NORM = 1e18;

const U32 = 2 ** -24; // float32 unit roundoff
const U64 = 2 ** -53; // float64 unit roundoff

/** A query prepared for a certified search: see {@link prepareCertifiedQuery}. */
export interface CertifiedQuery {
  readonly distance: CertifiedDistance;
  /** The compact query (exact float16 values): h(q), or h(q/‖q‖) for cosine. */
  readonly half: readonly number[];
  /** The float8 coefficients of the ordering key, bound after the compact query: κ, or α and β for ip. */
  readonly coefficients: readonly number[];
  /** Proven lower bound of the server's exact distance for every row whose key is >= `key`. */
  bound(key: number): number;
}

/**
 * γ: the relative error bound of any float32 sum of `n` products or squared differences, in any
 * order, with or without FMA (γ_{n+2} of Higham with 6 spare terms).
 *
 * @example
 * float32SumError(768); // ≈ 4.6e-5
 */
export function float32SumError(n: number): number {
  const m = (n + 8) * U32;
  return m / (1 - m);
}

/** a/(1+u) for a >= 0, a/(1-u) for a < 0: undoes one float8 rounding of `a` downwards. */
function down(a: number): number {
  return a >= 0 ? a / (1 + U64) : a / (1 - U64);
}

function norm2(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s);
}

/**
 * Prepare `query` (its float32 values) for a certified search with `distance`, or return the reason
 * there is no certificate for it (then the caller runs the plain exact scan): an element beyond the
 * float16 range, or, for cosine, a norm outside [1e-12, 1e18].
 *
 * @example
 * const p = prepareCertifiedQuery([1, 2, 3], 'l2');
 * if (typeof p !== 'string') p.bound(5); // a lower bound for rows whose key is >= 5
 */
export function prepareCertifiedQuery(query: ArrayLike<number>, distance: CertifiedDistance): CertifiedQuery | string {
  const n = query.length;
  const q = Float64Array.from({ length: n }, (_, i) => Math.fround(query[i]!));
  const g = float32SumError(n);
  const rel = 1 + 4 * (n + 2) * U64; // a double-precision sum or norm of n terms, rounded up
  // The float32 underflow floor: with flush-to-zero each term of a float32 sum may lose up to 2^-126.
  const tinySum = n * 2 ** -124;
  const tau = distance === 'l1' ? tinySum : Math.sqrt(tinySum);
  let target = q;
  let nu = 0; // cosine: ‖v/‖v‖ − l2_normalize(v)‖
  const qNorm = norm2(q);
  if (distance === 'cosine') {
    if (!(qNorm >= COSINE_MIN_NORM && qNorm <= COSINE_MAX_NORM)) return 'query norm outside [1e-12, 1e18]';
    target = q.map((x) => x / qNorm);
    nu = 2 * U32 + Math.sqrt(n) * 2 ** -125;
  } else {
    for (let i = 0; i < n; i++)
      if (Math.abs(q[i]!) > HALF_MAX) return `query element ${i} is beyond the float16 range (±65504)`;
  }
  const half = Array.from(target, (x) => halfBitsToNumber(float32ToHalfBits(x)));
  let eq = 0;
  for (let i = 0; i < n; i++) {
    const d = target[i]! - half[i]!;
    eq += distance === 'l1' ? Math.abs(d) : d * d;
  }
  eq = distance === 'l1' ? eq * rel : Math.sqrt(eq) * rel;
  // cosine: q/‖q‖ itself was computed in double (error <= (n+2)·u64 per unit of norm)
  if (distance === 'cosine') eq += 4 * (n + 2) * U64;
  const slack = (x: number) => x - 1e-12 * (Math.abs(x) + 1e-300);

  if (distance === 'ip') {
    const hqNorm = norm2(half) * rel;
    const tinyProducts = n * 2 ** -125;
    const alpha0 = (eq + g * (hqNorm + qNorm * rel)) * rel;
    const beta0 = (hqNorm * (1 + g)) / (1 - g);
    const k = 2 * hqNorm + alpha0 + beta0;
    const alpha = alpha0 + 8 * U64 * k;
    const beta = beta0 + 8 * U64 * k;
    const c = 2 * tinyProducts + tau * beta0 + 8 * U64 * (tinyProducts + 2 * hqNorm * tau);
    return { distance, half, coefficients: [alpha, beta], bound: (key) => slack(key - c) };
  }
  const kappa = ((1 + g) / (1 - g)) * (1 + 4 * U64);
  // ‖q − v‖ (or ‖q̂ − v̂‖) >= L for every row whose key is >= `key`
  const lower = (key: number) => Math.max(0, down(key) / (1 + g) - eq - 3 * tau - nu);
  if (distance === 'cosine') {
    const eta = n * 2 ** -45;
    const epsCos = (4 * (g + eta)) / (1 - 3 * (g + eta)) + 8 * U64;
    return { distance, half, coefficients: [kappa], bound: (key) => slack(lower(key) ** 2 / 2 - epsCos) };
  }
  return { distance, half, coefficients: [kappa], bound: (key) => slack((1 - g) * lower(key) - tau) };
}
