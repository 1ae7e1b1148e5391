import { VecpgError, describeValue } from '../errors.ts';
import { checkFinite, parseElement } from './float.ts';
import { isFloat32Tie, trimSpace } from './float-parse.ts';
import { MAX_FLOAT32_TEXT, writeFloat32 } from './float-format.ts';
import { asciiText, textScratch } from './text-bytes.ts';
import { MAX_DIMENSIONS } from './limits.ts';

/** What a dense vector can be built from. */
export type DenseInput = readonly number[] | Float32Array | Float64Array | ArrayLike<number>;

/** Refuse empty and over-long dense vectors (pgvector: 1..16,000 dimensions). */
export function checkDenseLength(length: number, typeName: string): void {
  if (length < 1) {
    throw new VecpgError('EMPTY_VECTOR', `${typeName} must have at least 1 dimension`);
  }
  if (length > MAX_DIMENSIONS) {
    throw new VecpgError(
      'TOO_MANY_DIMENSIONS',
      `${typeName} cannot have more than ${MAX_DIMENSIONS} dimensions (got ${length})`,
      { details: { dimensions: length } },
    );
  }
}

/**
 * Copy a dense input into a Float32Array, checking length, element kind and finiteness.
 * Elements are rounded to float32, as the server stores them.
 */
export function toFloat32(input: DenseInput, typeName: string): Float32Array {
  if (input === null || typeof input !== 'object' || typeof (input as ArrayLike<number>).length !== 'number') {
    throw new VecpgError('INVALID_VALUE', `${typeName} expects an array of numbers, got ${describeValue(input)}`);
  }
  const n = input.length;
  checkDenseLength(n, typeName);
  const out = new Float32Array(n);
  if (input instanceof Float32Array) {
    out.set(input);
    for (let i = 0; i < n; i++) checkFinite(out[i]!, i, typeName);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const x = input[i];
    if (typeof x !== 'number') {
      throw new VecpgError('INVALID_VALUE', `${typeName} element ${i} is not a number: ${describeValue(x)}`, {
        details: { position: i },
      });
    }
    const f = Math.fround(x);
    // A finite double beyond float32's range becomes Infinity: the server refuses it too.
    checkFinite(f, i, typeName);
    out[i] = f;
  }
  return out;
}

/**
 * The server's vector text is valid JSON (`[1,2.5,1e-07]`), and V8's JSON parser is the fastest number
 * parser JavaScript has. Returns null when the text is anything but a well-formed, in-range vector, so
 * the careful parser below can say exactly what is wrong.
 */
function parseDenseJson(t: string): number[] | null {
  if (t.charCodeAt(0) !== 91) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > MAX_DIMENSIONS) return null;
  for (let i = 0; i < parsed.length; i++) {
    const x: unknown = parsed[i];
    if (typeof x !== 'number') return null;
    const f = Math.fround(x);
    if (f === Infinity || f === -Infinity) return null;
    // A decimal that lands exactly on a float32 tie needs the exact reading of its digits.
    if (f !== x && isFloat32Tie(x)) return null;
  }
  return parsed as number[];
}

/**
 * Parse `[1,2,3]` straight into float32 values, validating once: the server's own output takes the
 * JSON fast path, anything else the careful parser (same errors as {@link parseDenseText}).
 */
export function parseDenseFloat32(text: string, typeName: string): Float32Array {
  if (typeof text === 'string' && text.charCodeAt(0) === 91 /* [ */) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.length <= MAX_DIMENSIONS) {
      const n = parsed.length;
      const out = new Float32Array(n);
      let ok = true;
      for (let i = 0; i < n; i++) {
        const x: unknown = parsed[i];
        if (typeof x !== 'number') {
          ok = false;
          break;
        }
        out[i] = x;
        const f = out[i]!;
        // Beyond float32, or a decimal exactly on a float32 tie (needs the exact reading of its digits).
        if (f === Infinity || f === -Infinity || (f !== x && isFloat32Tie(x))) {
          ok = false;
          break;
        }
      }
      if (ok) return out;
    }
  }
  return toFloat32(parseDenseText(text, typeName), typeName);
}

/**
 * Parse `[1,2,3]` into `number[]` holding the exact float32 values (what a driver returns for a
 * `vector` column), validating and rounding in one pass over the JSON-parsed array.
 */
export function parseDenseNumbers(text: string, typeName: string): number[] {
  if (typeof text === 'string' && text.charCodeAt(0) === 91 /* [ */) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.length <= MAX_DIMENSIONS) {
      const a = parsed as unknown[];
      let i = 0;
      for (; i < a.length; i++) {
        const x = a[i];
        if (typeof x !== 'number') break;
        const f = Math.fround(x);
        if (f === Infinity || f === -Infinity || (f !== x && isFloat32Tie(x))) break;
        a[i] = f;
      }
      if (i === a.length) return a as number[];
    }
  }
  return parseDenseText(text, typeName).map(Math.fround);
}

/** Parse `[1,2,3]` (whitespace tolerated) into numbers. */
export function parseDenseText(text: string, typeName: string): number[] {
  if (typeof text !== 'string') {
    throw new VecpgError(
      'INVALID_TEXT',
      `malformed ${typeName} literal: expected a string, got ${describeValue(text)}`,
    );
  }
  const t = trimSpace(text);
  const fast = parseDenseJson(t);
  if (fast !== null) return fast;
  if (t.length < 2 || t.charCodeAt(0) !== 91 /* [ */ || t.charCodeAt(t.length - 1) !== 93 /* ] */) {
    throw new VecpgError(
      'INVALID_TEXT',
      `malformed ${typeName} literal: ${describeValue(text)} must look like "[1,2,3]"`,
    );
  }
  const inner = t.slice(1, -1);
  if (inner.trim().length === 0) throw new VecpgError('EMPTY_VECTOR', `${typeName} must have at least 1 dimension`);
  const out: number[] = [];
  let start = 0;
  for (let i = 0; ; i++) {
    const comma = inner.indexOf(',', start);
    const end = comma === -1 ? inner.length : comma;
    if (i >= MAX_DIMENSIONS) {
      throw new VecpgError('TOO_MANY_DIMENSIONS', `${typeName} cannot have more than ${MAX_DIMENSIONS} dimensions`);
    }
    const value = parseElement(inner.slice(start, end), i, typeName);
    checkFinite(Math.fround(value), i, typeName);
    out.push(value);
    if (comma === -1) break;
    start = comma + 1;
  }
  return out;
}

/** `[1,2,3]` with each element in the server's own float32 form (finite values: callers have validated them). */
export function formatDenseText(values: ArrayLike<number>): string {
  const n = values.length;
  const buf = textScratch(n * (MAX_FLOAT32_TEXT + 1) + 2);
  buf[0] = 91; // [
  let pos = 1;
  for (let i = 0; i < n; i++) {
    if (i > 0) buf[pos++] = 44; // ,
    pos = writeFloat32(buf, pos, values[i]!);
  }
  buf[pos++] = 93; // ]
  return asciiText(buf, pos);
}
