/**
 * Shortest float32 → decimal, printed exactly as PostgreSQL's `float4out` / pgvector's `vector_out`.
 *
 * The shortest decimal that reads back as the float32 `v` is the shortest one inside v's rounding
 * interval (half an ulp either side). For each digit count p = 1..9 we scale the interval by a power
 * of ten and look for an integer in it — a few float operations per try, no strings. Where a candidate
 * sits within rounding error of an interval boundary, the candidate is verified by parsing it back.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** 10^k for k = 0..22 are exact doubles. */
const POW10: number[] = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

function scaleBy10(x: number, k: number): number {
  // Multiply by an exact power of ten where possible; divide for negative exponents (10^-k is inexact).
  if (k >= 0) return k <= 22 ? x * POW10[k]! : x * POW10[22]! * 10 ** (k - 22);
  return -k <= 22 ? x / POW10[-k]! : x / POW10[22]! / 10 ** (-k - 22);
}

/** PostgreSQL's layout: fixed for decimal exponents in [-4, 6), else d.ddde±XX. */
function layout(digits: string, exponent: number, negative: boolean): string {
  let body: string;
  if (exponent >= -4 && exponent < 6) {
    if (exponent < 0) body = `0.${'0'.repeat(-exponent - 1)}${digits}`;
    else if (digits.length <= exponent + 1) body = digits + '0'.repeat(exponent + 1 - digits.length);
    else body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  } else {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const abs = exponent < 0 ? -exponent : exponent;
    body = `${mantissa}e${exponent < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  return negative ? `-${body}` : body;
}

/**
 * The text PostgreSQL prints for the float32 nearest to `value`.
 *
 * @example
 * formatFloat32(0.1);  // '0.1'
 * formatFloat32(1e-7); // '1e-07'
 * formatFloat32(1e6);  // '1e+06'
 */
export function formatFloat32(value: number): string {
  // Small integers are common (1, 2, 42, -3) and print as themselves.
  if (value === (value | 0) && value > -1e6 && value < 1e6) {
    return value === 0 && 1 / value < 0 ? '-0' : String(value);
  }
  f32[0] = value;
  const v = f32[0]!;
  if (v !== v || v === Infinity || v === -Infinity) return v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return 1 / v < 0 ? '-0' : '0';
  const bits = u32[0]!;
  const negative = bits >>> 31 === 1;
  const a = negative ? -v : v;
  const biased = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  // Rounding interval of a: [a - down, a + up]; asymmetric just above a power of two.
  const ulp = 2 ** ((biased === 0 ? 1 : biased) - 150);
  const up = ulp / 2;
  const down = mantissa === 0 && biased > 1 ? ulp / 4 : ulp / 2;
  // The server (Ryu f2s in PostgreSQL) never prints a decimal lying exactly on the rounding boundary,
  // even where round-half-even would read it back correctly: 95617024 prints as 9.5617024e+07.
  const inclusive = false;
  let e10 = Math.floor(Math.log10(a));
  if (scaleBy10(a, -e10) >= 10) e10++;
  else if (scaleBy10(a, -e10) < 1) e10--;
  for (let p = 1; p <= 9; p++) {
    const k = p - 1 - e10;
    const s = scaleBy10(a, k);
    const lo = scaleBy10(a - down, k);
    const hi = scaleBy10(a + up, k);
    const eps = hi * 1e-14;
    let n = Math.round(s);
    // An exact tie goes to the even digit, as Ryu (the server's float4out) does: 5.73828125 → 5.7382812.
    if (n - s === 0.5 && n % 2 === 1 && n - 1 >= lo) n -= 1;
    if (n > hi) n = Math.floor(hi);
    else if (n < lo) n = Math.ceil(lo);
    if (n < lo - eps || n > hi + eps) continue;
    const nearEdge = n - lo <= eps || hi - n <= eps;
    if (nearEdge) {
      // Too close to call in floating point: check that the decimal really reads back as v.
      const ok = Math.fround(Number(`${n}e${-k}`)) === a;
      if (!ok) continue;
      if (!inclusive && (Number(`${n}e${-k}`) === a - down || Number(`${n}e${-k}`) === a + up)) continue;
    }
    let digits = String(n);
    const exponent = digits.length - 1 - k;
    let end = digits.length;
    while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
    if (end !== digits.length) digits = digits.slice(0, end);
    return layout(digits, exponent, negative);
  }
  // Unreachable: 9 significant digits always identify a float32.
  return layout(a.toPrecision(9).replace('.', '').replace(/e.*$/, ''), e10, negative);
}
