import { VecpgError, describeValue } from '../errors.ts';
import { checkFinite, formatFloat32, parseElement } from './float.ts';
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
  }
  return parsed as number[];
}

/** Parse `[1,2,3]` (whitespace tolerated) into numbers. */
export function parseDenseText(text: string, typeName: string): number[] {
  if (typeof text !== 'string') {
    throw new VecpgError('INVALID_TEXT', `malformed ${typeName} literal: expected a string, got ${describeValue(text)}`);
  }
  const t = text.trim();
  const fast = parseDenseJson(t);
  if (fast !== null) return fast;
  if (t.length < 2 || t.charCodeAt(0) !== 91 /* [ */ || t.charCodeAt(t.length - 1) !== 93 /* ] */) {
    throw new VecpgError('INVALID_TEXT', `malformed ${typeName} literal: ${describeValue(text)} must look like "[1,2,3]"`);
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

/** `[1,2,3]` with each element in the server's own float32 form. */
export function formatDenseText(values: ArrayLike<number>): string {
  const n = values.length;
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) parts[i] = formatFloat32(values[i]!);
  return `[${parts.join(',')}]`;
}
