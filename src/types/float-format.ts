/**
 * Shortest float32 → decimal, printed exactly as PostgreSQL's `float4out` / pgvector's `vector_out`.
 *
 * The shortest decimal that reads back as the float32 `v` is the shortest one inside v's rounding
 * interval (half an ulp either side). Starting from 9 significant digits (always enough) we scale the
 * interval by a power of ten and look for an integer in it, one digit fewer each time, until none is
 * left — a few float operations per try, no strings. Where a candidate sits within rounding error of an
 * interval boundary, the candidate is verified by parsing it back.
 *
 * Two outputs share that digit search: `formatFloat32` (one string), and `writeFloat32`, which writes
 * ASCII bytes into a buffer so a whole vector becomes one string with a single decode (text-bytes.ts) —
 * no string per element. `writeFloat32` sends the values printed in fixed notation (1e-4 <= |v| < 1e6,
 * all of a typical embedding) to an exact integer version of the same search (float-fixed.ts), which
 * gives the same text for each of them; that is what makes vector text cheaper than `JSON.stringify`.
 */
import { POW10, TEN, writeFixed } from './float-fixed.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** One ulp of a float32 with this biased exponent. */
const ULP: number[] = Array.from({ length: 256 }, (_, b) => 2 ** ((b === 0 ? 1 : b) - 150));

function scaleBy10(x: number, k: number): number {
  // Multiply by an exact power of ten where possible; divide for negative exponents (10^-k is inexact).
  if (k >= 0) return k <= 22 ? x * POW10[k]! : x * POW10[22]! * 10 ** (k - 22);
  return -k <= 22 ? x / POW10[-k]! : x / POW10[22]! / 10 ** (-k - 22);
}

// The result of `shortest`: significant digits as an integer (no trailing zeros), their count, and the
// decimal exponent of the first digit. Module state rather than an object: no allocation per element.
let outDigits = 0;
let outLength = 0;
let outExponent = 0;

/** Shortest decimal of a finite, non-zero, positive float32 `a` with bit pattern fields `biased`, `mantissa`. */
function shortest(a: number, biased: number, mantissa: number): void {
  // Rounding interval of a: [a - down, a + up]; asymmetric just above a power of two.
  const ulp = ULP[biased]!;
  const up = ulp / 2;
  const down = mantissa === 0 && biased > 1 ? ulp / 4 : up;
  // Decimal exponent: from the binary exponent (log10(2) ≈ 0.30103), off by at most one, then corrected.
  let e10 = biased === 0 ? Math.floor(Math.log10(a)) : Math.floor((biased - 127) * 0.3010299956639812);
  if (a >= TEN[e10 + 47]!) e10++;
  else if (a < TEN[e10 + 46]!) e10--;
  // The last length that still has a decimal strictly inside the interval is the shortest (a shorter
  // candidate is always a longer one with a trailing zero). The server (Ryu f2s in PostgreSQL) never
  // prints a decimal lying exactly on the interval's boundary. The interval is scaled once, to 9 digits;
  // fewer digits are multiples of 10^j there.
  const k9 = 8 - e10;
  const s9 = scaleBy10(a, k9);
  const lo9 = scaleBy10(a - down, k9);
  const hi9 = scaleBy10(a + up, k9);
  const eps = hi9 * 1e-14;
  let bestN = -1;
  let bestK = 0;
  // A multiple of 10^j lies strictly inside an interval wider than 10^j: start at the last such j.
  let first = 0;
  while (first < 8 && POW10[first + 1]! < hi9 - lo9 - 2 * eps) first++;
  for (let j = first; j <= 8; j++) {
    const step = POW10[j]!;
    const s = j === 0 ? s9 : s9 / step;
    const lo = j === 0 ? lo9 : lo9 / step;
    const hi = j === 0 ? hi9 : hi9 / step;
    // Nearest integer (Math.round is several times slower here, and s - floor(s) is exact). An exact
    // tie goes to the even digit, as Ryu (the server's float4out) does: 5.73828125 → 5.7382812.
    const floor = Math.floor(s);
    const frac = s - floor;
    let n = frac < 0.5 ? floor : floor + 1;
    if (frac === 0.5 && n % 2 === 1 && floor >= lo) n = floor;
    if (n > hi) n = Math.floor(hi);
    else if (n < lo) n = Math.ceil(lo);
    const m = n * step;
    if (m < lo9 - eps || m > hi9 + eps) break;
    if (m - lo9 <= eps || hi9 - m <= eps) {
      // Too close to call in floating point: check that the decimal really reads back as a, off the boundary.
      const back = Number(`${n}e${j - k9}`);
      if (Math.fround(back) !== a || back === a - down || back === a + up) break;
    }
    bestN = n;
    bestK = k9 - j;
  }
  if (bestN < 0) {
    // Unreachable (9 significant digits always identify a float32); kept as a safe answer.
    const [m, e] = a.toPrecision(9).split('e') as [string, string | undefined];
    bestN = Number(m.replace('.', ''));
    bestK = 8 - (e === undefined ? e10 : Number(e));
  }
  // Int32 arithmetic where it fits (the usual case): a double % is a slow library call.
  if (bestN <= 0x7fffffff) {
    let x = bestN | 0;
    while (x % 10 === 0) {
      x = (x / 10) | 0;
      bestK--;
    }
    bestN = x;
  } else {
    while (bestN % 10 === 0) {
      bestN /= 10;
      bestK--;
    }
  }
  let length = 1;
  while (length < 10 && bestN >= POW10[length]!) length++;
  outDigits = bestN;
  outLength = length;
  outExponent = length - 1 - bestK;
}

/** Split a float32 into sign and shortest digits; returns false for ±0 (sign in `outDigits`: 1 = negative). */
function decompose(value: number): boolean {
  f32[0] = value;
  const bits = u32[0]!;
  const biased = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (biased === 0 && mantissa === 0) return false;
  const v = f32[0];
  shortest(v < 0 ? -v : v, biased, mantissa);
  return true;
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
  const v = f32[0];
  if (v !== v || v === Infinity || v === -Infinity) return v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (!decompose(v)) return 1 / v < 0 ? '-0' : '0';
  return layout(String(outDigits), outExponent, v < 0);
}

/** Write the decimal digits of the non-negative integer `n` (`length` of them) at `pos`. */
function writeDigits(buf: Uint8Array, pos: number, n: number, length: number): number {
  if (n <= 0x7fffffff) {
    // Int32 arithmetic: every significand (<= 9 digits), index and dimension count fits.
    let x = n | 0;
    for (let i = pos + length - 1; i >= pos; i--) {
      const q = (x / 10) | 0;
      buf[i] = 48 + x - q * 10;
      x = q;
    }
    return pos + length;
  }
  for (let i = pos + length - 1; i >= pos; i--) {
    const q = Math.floor(n / 10);
    buf[i] = 48 + (n - q * 10);
    n = q;
  }
  return pos + length;
}

/** The most bytes {@link writeFloat32} writes for one value (`-1.2345679e-38`). */
export const MAX_FLOAT32_TEXT = 15;

/**
 * Write the text PostgreSQL prints for the float32 `value` (finite: callers have validated it) as ASCII
 * at `pos` in `buf`, which has room for {@link MAX_FLOAT32_TEXT} bytes. Returns the position after it.
 *
 * @example
 * const buf = new Uint8Array(MAX_FLOAT32_TEXT);
 * new TextDecoder().decode(buf.subarray(0, writeFloat32(buf, 0, 0.1))); // '0.1'
 */
export function writeFloat32(buf: Uint8Array, pos: number, value: number): number {
  f32[0] = value;
  const v = f32[0];
  const a = Math.abs(v);
  if (a >= 1e-4 && a < 1e6 && a !== Math.floor(a)) {
    const bits = u32[0]!;
    buf[pos] = 45; // '-', kept (pos moves past it) only when the sign bit is set
    return writeFixed(buf, pos + (bits >>> 31), a, bits & 0x7fffffff);
  }
  return writeOther(buf, pos, v);
}

/** {@link writeFloat32} for the float32 `value` outside the fixed-notation fast path (or an integer). */
function writeOther(buf: Uint8Array, pos: number, value: number): number {
  if (value < 0 || (value === 0 && 1 / value < 0)) buf[pos++] = 45; // '-'
  const a = value < 0 ? -value : value;
  if (a === Math.floor(a) && a < 1e6) {
    let length = 1;
    while (length < 6 && a >= POW10[length]!) length++;
    return writeDigits(buf, pos, a, length);
  }
  if (!decompose(a)) {
    buf[pos] = 48; // a double too small for float32 rounds to zero
    return pos + 1;
  }
  const n = outDigits;
  const length = outLength;
  const exponent = outExponent;
  if (exponent < 0 && exponent >= -4) {
    buf[pos++] = 48;
    buf[pos++] = 46; // '0.'
    for (let z = -exponent - 1; z > 0; z--) buf[pos++] = 48;
    return writeDigits(buf, pos, n, length);
  }
  if (exponent >= 0 && exponent < 6) {
    // Not an integer (handled above), so there are digits after the point.
    const whole = Math.floor(n / POW10[length - 1 - exponent]!);
    pos = writeDigits(buf, pos, whole, exponent + 1);
    buf[pos++] = 46;
    return writeDigits(buf, pos, n - whole * POW10[length - 1 - exponent]!, length - 1 - exponent);
  }
  const lead = Math.floor(n / POW10[length - 1]!);
  buf[pos++] = 48 + lead;
  if (length > 1) {
    buf[pos++] = 46;
    pos = writeDigits(buf, pos, n - lead * POW10[length - 1]!, length - 1);
  }
  buf[pos++] = 101; // 'e'
  buf[pos++] = exponent < 0 ? 45 : 43;
  const abs = exponent < 0 ? -exponent : exponent;
  return writeDigits(buf, pos, abs, abs < 10 ? 2 : abs < 100 ? 2 : 3);
}

/**
 * Write a non-negative integer (an index or a dimension count) as ASCII at `pos`.
 *
 * @example
 * writeInteger(buf, 0, 10000); // 5
 */
export function writeInteger(buf: Uint8Array, pos: number, n: number): number {
  let length = 1;
  while (length < 22 && n >= POW10[length]!) length++;
  return writeDigits(buf, pos, n, length);
}
