/**
 * The certificate of a certified exact search, client side: the query's compact form, the per-query
 * constants of the candidate ordering key, and the lower bound that every row outside the candidates
 * satisfies. The derivation, with each margin, is in docs/certified-search.md; the names here follow it.
 */
import { VecpgError, describeValue } from '../errors.ts';
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

/**
 * The compact form of a certified search's columns: `half`, a float16 copy of the whole vector (the
 * default), or `prefix`, a float16 copy of the first `prefix` elements plus the norm of the rest (l2
 * and cosine only; see docs/certified-search.md).
 */
export interface CertifiedLayout {
  /** 'half' (default) or 'prefix'. */
  readonly form?: 'half' | 'prefix';
  /** With form 'prefix': how many leading elements the compact copy keeps (1 <= prefix < dimensions). */
  readonly prefix?: number;
}

/** A query prepared for a certified search: see {@link prepareCertifiedQuery}. */
export interface CertifiedQuery {
  readonly distance: CertifiedDistance;
  /** The compact form the key is computed over ('half' unless made for a prefix layout). */
  readonly form?: 'half' | 'prefix';
  /** The compact query (exact float16 values): h(q), or h(q/‖q‖) for cosine; only the prefix for 'prefix'. */
  readonly half: readonly number[];
  /**
   * The float8 coefficients of the ordering key, bound after the compact query: κ, or α and β for ip;
   * for 'prefix': s1, s2, t1 (the prefix term), ρ_q, b1, b0 (the rest-norm term).
   */
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
export function prepareCertifiedQuery(
  query: ArrayLike<number>,
  distance: CertifiedDistance,
  layout: CertifiedLayout = {},
): CertifiedQuery | string {
  const n = query.length;
  if (layout.form === 'prefix') return preparePrefixQuery(query, distance, checkPrefix(layout.prefix, n));
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

/**
 * Check the prefix length of a prefix layout against the vector's dimensions: an integer with
 * 1 <= prefix < dimensions.
 *
 * @example
 * checkPrefix(128, 768); // 128
 */
export function checkPrefix(prefix: unknown, dimensions: number): number {
  if (typeof prefix !== 'number' || !Number.isSafeInteger(prefix) || prefix < 1 || prefix >= dimensions) {
    throw new VecpgError(
      'INVALID_OPTION',
      `certified prefix must be an integer with 1 <= prefix < ${dimensions} (the dimensions), got ${describeValue(prefix)}`,
      { details: { option: 'prefix' } },
    );
  }
  return prefix;
}

/**
 * The prefix form (l2, cosine): with p the first m elements and r the rest,
 * ‖q − v‖² = ‖q_p − v_p‖² + ‖q_r − v_r‖² >= A² + B², A a lower bound of ‖q_p − v_p‖ from the float16
 * prefix (the triangle inequality, as for the whole vector) and B = |‖q_r‖ − ‖v_r‖| less its margins.
 * The server computes both with their float32 margins folded in (so they can be squared), and the key is
 * A² + B² in float8; every row has ‖q − v‖ >= √(key / (1 + 8u)) (‖q̂ − v̂‖ + ν for cosine).
 */
function preparePrefixQuery(query: ArrayLike<number>, distance: CertifiedDistance, m: number): CertifiedQuery | string {
  if (distance !== 'l2' && distance !== 'cosine') {
    throw new VecpgError('UNSUPPORTED', `the certified prefix form has a bound for l2 and cosine, not ${distance}`, {
      details: { distance },
    });
  }
  const n = query.length;
  const q = Float64Array.from({ length: n }, (_, i) => Math.fround(query[i]!));
  const rel = 1 + 4 * (n + 2) * U64;
  const qNorm = norm2(q);
  let target = q;
  let nu = 0;
  let targetError = 0; // ‖target − the exact q̂‖ (cosine: q/‖q‖ computed in double)
  if (distance === 'cosine') {
    if (!(qNorm >= COSINE_MIN_NORM && qNorm <= COSINE_MAX_NORM)) return 'query norm outside [1e-12, 1e18]';
    target = q.map((x) => x / qNorm);
    nu = 2 * U32 + Math.sqrt(n) * 2 ** -125;
    targetError = 4 * (n + 2) * U64;
  } else {
    for (let i = 0; i < n; i++)
      if (Math.abs(q[i]!) > HALF_MAX) return `query element ${i} is beyond the float16 range (±65504)`;
  }
  const half = Array.from(target.subarray(0, m), (x) => halfBitsToNumber(float32ToHalfBits(x)));
  let eq = 0;
  for (let i = 0; i < m; i++) eq += (target[i]! - half[i]!) ** 2;
  eq = Math.sqrt(eq) * rel + targetError;
  const rq = norm2(target.subarray(m)); // ρ_q, within ρ_q·4(n+2)u + targetError of the exact one
  const w = 16 * U64; // covers the float8 roundings of the server's key expression
  // A: prefix term, m-element float32 sums
  const gp = float32SumError(m);
  const taup = Math.sqrt(m * 2 ** -124);
  const s1 = (1 - w) / (1 + gp);
  const s2 = (1 + w) / (1 - gp);
  const t1 = (eq + 3 * taup) * (1 + w);
  // B: rest-norm term, the server's ‖v_r‖ taken as a float32-accurate norm of n − m elements
  const gr = float32SumError(n - m);
  const taur = Math.sqrt((n - m) * 2 ** -124);
  const b1 = (gr / (1 - gr)) * (1 + w) + w;
  const b0 = (taur / (1 - gr) + rq * 4 * (n + 2) * U64 + targetError) * (1 + w) + w * rq;
  const g = float32SumError(n);
  const tau = Math.sqrt(n * 2 ** -124);
  const slack = (x: number) => x - 1e-12 * (Math.abs(x) + 1e-300);
  // ‖q − v‖ (‖q̂ − v̂‖ for cosine) >= L for every row whose key is >= `key`
  const lower = (key: number) => Math.max(0, Math.sqrt(Math.max(0, key) / (1 + 8 * U64)) * (1 - 2 * U64) - nu);
  const coefficients = [s1, s2, t1, rq, b1, b0];
  if (distance === 'cosine') {
    const eta = n * 2 ** -45;
    const epsCos = (4 * (g + eta)) / (1 - 3 * (g + eta)) + 8 * U64;
    return { distance, form: 'prefix', half, coefficients, bound: (key) => slack(lower(key) ** 2 / 2 - epsCos) };
  }
  return { distance, form: 'prefix', half, coefficients, bound: (key) => slack((1 - g) * lower(key) - tau) };
}
