import { VecpgError } from '../errors.ts';
import { DECIMAL, roundDecimalToFloat32, trimSpace } from './float-parse.ts';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export { formatFloat32 } from './float-format.ts';

/**
 * Parse one number of pgvector text: the double it denotes, which rounds (`Math.fround`) to the float32
 * the server would store for it — except at a float32 tie, where the float32 itself comes back (see
 * {@link roundDecimalToFloat32}). Accepts strtof's decimal syntax with pgvector's whitespace,
 * nothing else: not `0b1`/`0o7`/`1_000` (which `Number` reads and the server refuses), not hexadecimal
 * floats, not Unicode spaces. Rejects NaN and ±Infinity as NOT_FINITE, with the element's position.
 */
export function parseElement(text: string, position: number, typeName: string): number {
  const t = trimSpace(text);
  if (t.length === 0) {
    throw new VecpgError('INVALID_TEXT', `malformed ${typeName} literal: empty element at position ${position}`);
  }
  if (!DECIMAL.test(t)) {
    // strtof (the server's parser) also knows nan, inf and infinity in any case: refuse them as such.
    const word = t.toLowerCase().replace(/^[+-]/, '');
    if (word === 'nan') throw new VecpgError('NOT_FINITE', `NaN not allowed in ${typeName} (element ${position})`);
    if (word === 'inf' || word === 'infinity') {
      throw new VecpgError('NOT_FINITE', `infinite value not allowed in ${typeName} (element ${position})`);
    }
    const why = /^0x/.test(word) ? ' (hexadecimal numbers are not supported)' : '';
    throw new VecpgError(
      'INVALID_TEXT',
      `malformed ${typeName} literal: invalid number ${JSON.stringify(text)} at position ${position}${why}`,
    );
  }
  const n = Number(t);
  // The double as read, unless rounding it to float32 would differ from the server's reading of the digits.
  const f = roundDecimalToFloat32(t, n);
  return Math.fround(n) === f ? n : f;
}

/** Throw NOT_FINITE when `value` is NaN or ±Infinity (after float32 rounding for vectors). */
export function checkFinite(value: number, position: number, typeName: string): void {
  if (!Number.isFinite(value)) {
    const what = Number.isNaN(value) ? 'NaN' : 'infinite value';
    throw new VecpgError('NOT_FINITE', `${what} not allowed in ${typeName} (element ${position}: ${String(value)})`, {
      details: { position, value },
    });
  }
}

/**
 * float32 → IEEE binary16 bits, round-to-nearest-even, as pgvector's `Float4ToHalf` does.
 * Values beyond the half range give ±Infinity bits (0x7c00), which callers refuse.
 */
export function float32ToHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // subnormal half (or zero)
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++; // a carry into the exponent is correct
  return sign | half;
}

/** IEEE binary16 bits → number (exact). */
export function halfBitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Round a number to the nearest float16 value the way the server stores it (via float32). */
export function roundToHalf(value: number): number {
  return halfBitsToNumber(float32ToHalfBits(value));
}
