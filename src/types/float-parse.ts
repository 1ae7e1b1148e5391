/**
 * Decimal text → float32 exactly as the server reads it (`strtof`: correctly rounded, straight from
 * the decimal). `Math.fround(Number(text))` rounds twice (decimal → double → float32) and is wrong
 * when the double lands exactly on a float32 rounding tie: `1.0000000596046448` is a hair above the
 * tie between 1 and 1.0000001, so the server stores 1.0000001, but as a double it *is* the tie and
 * fround's ties-to-even gives 1. Only those ties need the exact comparison below.
 */

/** The whitespace PostgreSQL's and pgvector's parsers skip (`isspace` in the C locale): not Unicode spaces. */
const SPACE = /^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g;

/**
 * Trim the characters pgvector treats as whitespace, and only those (`String.trim` also removes
 * U+00A0, U+FEFF… which the server refuses).
 *
 * @example
 * trimSpace(' \t[1]\n'); // '[1]'
 */
export function trimSpace(text: string): string {
  return text.replace(SPACE, '');
}

/** strtof's decimal syntax (hexadecimal floats, which strtof also reads, are refused separately). */
export const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new DataView(new ArrayBuffer(8));
const F32_MAX = 3.4028234663852886e38;

/** |decimal text| compared with |d| exactly: -1, 0 or 1. `text` matches {@link DECIMAL}. */
function compareExact(text: string, d: number): number {
  const m = /^[+-]?([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(text)!;
  const fraction = m[2] ?? '';
  let digits = `${m[1] ?? ''}${fraction}`.replace(/^0+/, '');
  let exp10 = Number(m[3] ?? 0) - fraction.length;
  const zeros = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - zeros);
  exp10 += zeros;
  // A float32 tie has at most ~110 significant digits: digits beyond 800 only say "a bit more".
  let sticky = false;
  if (digits.length > 800) {
    sticky = true; // trailing zeros were removed, so the cut part is non-zero
    exp10 += digits.length - 800;
    digits = digits.slice(0, 800);
  }
  f64.setFloat64(0, Math.abs(d));
  const bits = f64.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const mantissa = (bits & 0xfffffffffffffn) | (biased === 0 ? 0n : 0x10000000000000n);
  const exp2 = (biased === 0 ? 1 : biased) - 1075;
  let left = BigInt(digits === '' ? '0' : digits);
  let right = mantissa;
  if (exp10 >= 0) left *= 10n ** BigInt(exp10);
  else right *= 10n ** BigInt(-exp10);
  if (exp2 >= 0) right <<= BigInt(exp2);
  else left <<= BigInt(-exp2);
  if (left !== right) return left > right ? 1 : -1;
  return sticky ? 1 : 0;
}

/** When double `d` lies exactly halfway between two float32s: those two (`fround(d)` first), else null. */
function float32Tie(d: number): [number, number] | null {
  const f = Math.fround(d);
  if (f === d || !Number.isFinite(d)) return null;
  const sign = Math.sign(d);
  let other: number;
  let tie: number;
  if (!Number.isFinite(f)) {
    // d rounded up to infinity: the candidates are the largest float32 and 2^128.
    other = sign * F32_MAX;
    tie = sign * (F32_MAX + 2 ** 103);
  } else {
    // The float32 on the other side of d: one step in magnitude on the bit pattern.
    f32[0] = f;
    u32[0] = Math.abs(f) > Math.abs(d) ? u32[0]! - 1 : u32[0]! + 1;
    other = f32[0]!;
    tie = (f + (Number.isFinite(other) ? other : sign * 2 ** 128)) / 2; // exact in double arithmetic
  }
  return tie === d ? [f, other] : null;
}

/**
 * True when `Math.fround(d)` may differ from the server's reading of the decimal `d` came from:
 * `d` is exactly halfway between two float32s. Never true for the server's own output.
 *
 * @example
 * isFloat32Tie(1 + 2 ** -24); // true
 */
export function isFloat32Tie(d: number): boolean {
  const f = Math.fround(d);
  if (f === d) return false;
  if (f === Infinity || f === -Infinity) return float32Tie(d) !== null;
  // d lies between f and the next float32 g, nearer f or halfway. f + 2(d - f) (d - f and its double
  // are exact) is g at the halfway point, a float32; anywhere else it is strictly between f and g, at
  // least two double steps from either, so even rounded it is no float32. NaN gives false.
  const other = f + 2 * (d - f);
  return Math.fround(other) === other;
}

/**
 * The float32 the server stores for decimal `text` whose nearest double is `d` (`Number(text)`):
 * `Math.fround(d)`, except when `d` sits exactly on a tie between two float32s and the decimal
 * itself does not. Returns ±Infinity beyond the float32 range, as `Math.fround` does.
 *
 * @example
 * roundDecimalToFloat32('1.0000000596046448', 1.0000000596046448); // 1.0000001192092896
 */
export function roundDecimalToFloat32(text: string, d: number): number {
  const tie = float32Tie(d);
  if (tie === null) return Math.fround(d); // not a tie: fround's answer is strtof's
  const [f, other] = tie;
  const cmp = compareExact(text, d);
  if (cmp === 0) return f; // a true tie: ties-to-even, like strtof
  const larger = Math.abs(f) > Math.abs(other) ? f : other;
  const smaller = larger === f ? other : f;
  return cmp > 0 ? larger : smaller;
}
