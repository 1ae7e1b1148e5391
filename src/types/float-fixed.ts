/**
 * The shortest float32 text for the values PostgreSQL prints in fixed notation, 1e-4 <= |v| < 1e6 (nearly
 * every value of an embedding), in exact arithmetic: the fast path of `writeFloat32` (float-format.ts
 * holds the general search, whose answers this one reproduces for every float32 of that range).
 *
 * A float32 a = m·2^e (m < 2^24) and its rounding-interval bounds, (2m ± 1)·2^(e-1) (the lower one is
 * (4m - 1)·2^(e-2) when a is a power of two), have at most 25 significant bits. Scaled by 10^k = 5^k·2^k
 * so that a has nine digits before the point (k = 8 - decimal exponent, 3..12 here, 5^12 < 2^28), each
 * needs at most 53 bits: s = a·10^k, lo and hi are exact doubles below 2^31. The nine-digit decimals in
 * the interval are then the integers strictly between lo and hi, and the shortest one comes from integer
 * steps: drop the last digit of both bounds while a multiple of ten is still strictly inside (after j
 * steps, a multiple of 10^j), then take the multiple of 10^j nearest s (an exact tie goes to the even
 * one, as Ryu, the server's float4out, does), moved inside the interval when s lies closer to a bound.
 * By the choice of j it has no trailing zero. No candidate is parsed back, no string is built.
 */

/** 10^k for k = 0..22 (exact doubles). */
export const POW10: readonly number[] = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** 10^e as the nearest double, for e in [-46, 39]: TEN[e + 46]. */
export const TEN: readonly number[] = Array.from({ length: 86 }, (_, i) => Number(`1e${i - 46}`));
/** Half an ulp of a normal float32 with this biased exponent. */
const HALF_ULP: readonly number[] = Array.from({ length: 256 }, (_, b) => 2 ** (b - 151));
/** floor(log10(2^(b - 127))): the decimal exponent of a float32 with biased exponent b, or one less. */
const E10: readonly number[] = Array.from({ length: 256 }, (_, b) => Math.floor((b - 127) * 0.3010299956639812));
/** 1 / (2·10^j): maps twice the distance past a midpoint to [-0.5, 0.5), so `Math.ceil` rounds without a branch. */
const HALF_INV: readonly number[] = POW10.map((p) => 0.5 / p);
/** '00'..'99' as ASCII byte pairs. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + ((i / 10) | 0);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}

/**
 * Write |v| for a float32 v with 1e-4 <= |v| < 1e6 that is not an integer: `a` = |v|, `bits` the bit
 * pattern of |v|. Returns the position after the text.
 */
export function writeFixed(buf: Uint8Array, pos: number, a: number, bits: number): number {
  const biased = bits >>> 23;
  let e10 = E10[biased]!;
  if (a >= TEN[e10 + 47]!) e10++;
  const k = 8 - e10;
  const p = POW10[k]!;
  const s = a * p;
  const up = HALF_ULP[biased]! * p;
  const hi9 = s + up;
  const lo9 = s - ((bits & 0x7fffff) === 0 ? up / 2 : up); // a power of two: the float32 below is nearer
  // The candidates after j steps are the integers in (lo, hi], for the bounds and s cut by j digits.
  let hi = Math.ceil(hi9) - 1;
  let lo = lo9 | 0;
  const whole9 = s | 0;
  let q = whole9;
  let j = 0;
  for (;;) {
    const h = (hi / 10) | 0;
    const l = (lo / 10) | 0;
    if (h <= l) break;
    hi = h;
    lo = l;
    q = (q / 10) | 0;
    j++;
  }
  const step = POW10[j]!;
  // Twice the distance from the midpoint between q·10^j and (q + 1)·10^j up to s: exact.
  const t = 2 * (whole9 - q * step + (s - whole9)) - step;
  let n = q + Math.ceil(t * HALF_INV[j]!);
  if (t === 0 && ((q & 1) === 1 || q <= lo)) n = q + 1; // a tie: the even one, if it is inside
  if (n > hi) n = hi;
  else if (n <= lo) n = lo + 1;
  // n·10^-places, places >= 1 (a is not an integer, and an integer this small is a float32 of its own).
  let places = k - j;
  const unit = POW10[places]!;
  if (n < unit) {
    buf[pos++] = 48;
  } else {
    const whole = (n / unit) | 0;
    n -= whole * unit;
    const digits = whole < 10 ? 1 : whole < 100 ? 2 : whole < 1000 ? 3 : whole < 10000 ? 4 : whole < 100000 ? 5 : 6;
    for (let i = pos + digits - 1, x = whole; i >= pos; i--) {
      const y = (x / 10) | 0;
      buf[i] = 48 + x - y * 10;
      x = y;
    }
    pos += digits;
  }
  buf[pos] = 46; // '.'
  const end = pos + 1 + places;
  let i = end - 1;
  for (; places >= 2; places -= 2, i -= 2) {
    const y = (n / 100) | 0;
    const r = (n - y * 100) << 1;
    buf[i] = PAIRS[r + 1]!;
    buf[i - 1] = PAIRS[r]!;
    n = y;
  }
  if (places === 1) buf[i] = 48 + n;
  return end;
}
