/**
 * sparsevec's storage and codecs, apart from the value class: validating entries (0-based indices,
 * dimensions, non-zeros), pgvector's text format (1-based, the one place the shift happens for sparse text)
 * and its binary format. Everything here produces or reads a {@link SparseStorage}, which `SparseVector`
 * (sparsevec.ts) keeps as it is.
 */
import { VecpgError, describeValue } from '../errors.ts';
import { asBytes, expectLength, readInt32 } from './binary.ts';
import { type DenseInput } from './dense.ts';
import { checkFinite, parseElement } from './float.ts';
import { MAX_FLOAT32_TEXT, writeFloat32, writeInteger } from './float-format.ts';
import { asciiText, textScratch } from './text-bytes.ts';
import { isFloat32Tie, trimSpace } from './float-parse.ts';
import { SPARSEVEC_TEXT_INDEX_BASE, fromBase, toBase } from './index-base.ts';
import { SPARSE_MAX_DIMENSIONS, SPARSE_MAX_NNZ } from './limits.ts';

/** `{index: value}` with 0-based keys, as a plain object or a Map. */
export type SparseEntries = Readonly<Record<number, number>> | ReadonlyMap<number, number>;

/** Refuse a dimension count outside 1..1,000,000,000. */
export function checkSparseDimensions(dimensions: unknown): number {
  if (
    typeof dimensions !== 'number' ||
    !Number.isInteger(dimensions) ||
    dimensions < 1 ||
    dimensions > SPARSE_MAX_DIMENSIONS
  ) {
    throw new VecpgError(
      'INVALID_DIMENSIONS',
      `sparsevec dimensions must be an integer from 1 to ${SPARSE_MAX_DIMENSIONS}, got ${describeValue(dimensions)}`,
      { details: { dimensions } },
    );
  }
  return dimensions;
}

function checkIndex(index: number, dimensions: number, label: string | number): void {
  if (!Number.isInteger(index) || index < 0 || index >= dimensions) {
    const why = !Number.isInteger(index)
      ? 'is not an integer'
      : index < 0
        ? 'is negative'
        : `is out of range for ${dimensions} dimensions (0-based: the last index is ${dimensions - 1})`;
    throw new VecpgError('INVALID_SPARSE_INDEX', `sparsevec index ${label} ${why}`, {
      details: { index: label, dimensions },
    });
  }
}

/**
 * Build sorted, validated (indices, values) from unsorted pairs. Zero values are dropped.
 * `labels` is used in messages (the key as written, or the text position).
 */
export function buildSparse(indices: number[], values: number[], dimensions: number): SparseStorage {
  const n = indices.length;
  const order = Array.from({ length: n }, (_, i) => i);
  let sorted = true;
  for (let i = 1; i < n; i++)
    if (indices[i]! <= indices[i - 1]!) {
      sorted = false;
      break;
    }
  if (!sorted) order.sort((a, b) => indices[a]! - indices[b]!);
  const outI: number[] = [];
  const outV: number[] = [];
  let prev = -1;
  for (let k = 0; k < n; k++) {
    const j = order[k]!;
    const index = indices[j]!;
    checkIndex(index, dimensions, index);
    if (index === prev) {
      throw new VecpgError('DUPLICATE_SPARSE_INDEX', `sparsevec index ${index} appears more than once`, {
        details: { index },
      });
    }
    prev = index;
    const raw = values[j];
    if (typeof raw !== 'number') {
      throw new VecpgError('INVALID_VALUE', `sparsevec value at index ${index} is not a number: ${describeValue(raw)}`);
    }
    const v = Math.fround(raw);
    checkFinite(Number.isNaN(raw) ? raw : v, index, 'sparsevec');
    if (v === 0) continue;
    outI.push(index);
    outV.push(v);
  }
  if (outI.length > SPARSE_MAX_NNZ) {
    throw new VecpgError(
      'TOO_MANY_NONZEROS',
      `sparsevec cannot have more than ${SPARSE_MAX_NNZ} non-zero elements (got ${outI.length})`,
      { details: { nnz: outI.length } },
    );
  }
  return packSparse(outI, outV, dimensions);
}

/**
 * A sparse vector's storage: pgvector's binary send format itself (`int32 dim | int32 nnz | int32 0 |
 * nnz × int32 index | nnz × float32`, big-endian), so `toBinary()` is one copy and `fromBinary()` one
 * validated copy, with no typed array per field to allocate.
 */
export interface SparseStorage {
  bytes: Uint8Array;
  view: DataView;
  nnz: number;
  dimensions: number;
}

/** Write ascending, in-range 0-based indices and non-zero float32 values (already checked) in the binary format. */
export function packSparse(indices: ArrayLike<number>, values: ArrayLike<number>, dimensions: number): SparseStorage {
  const nnz = indices.length;
  const bytes = new Uint8Array(12 + 8 * nnz);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, dimensions);
  view.setInt32(4, nnz);
  for (let k = 0; k < nnz; k++) {
    view.setInt32(12 + 4 * k, indices[k]!);
    view.setFloat32(12 + 4 * nnz + 4 * k, values[k]!);
  }
  return { bytes, view, nnz, dimensions };
}

export function sparseFromEntries(entries: SparseEntries | DenseInput, dimensions: number | undefined): SparseStorage {
  const idx: number[] = [];
  const val: number[] = [];
  let dims: number;
  if (entries instanceof Map) {
    dims = checkSparseDimensions(dimensions);
    for (const [k, v] of entries) {
      if (typeof k !== 'number') {
        throw new VecpgError('INVALID_SPARSE_INDEX', `sparsevec index ${describeValue(k)} is not a number`);
      }
      idx.push(k);
      val.push(v);
    }
  } else if (Array.isArray(entries) || ArrayBuffer.isView(entries)) {
    const dense = entries as ArrayLike<unknown>;
    dims = checkSparseDimensions(dimensions ?? dense.length);
    if (dims !== dense.length) {
      throw new VecpgError('DIMENSION_MISMATCH', `dense input has ${dense.length} elements but dimensions is ${dims}`);
    }
    for (let i = 0; i < dense.length; i++) {
      const v = dense[i];
      if (v !== 0) {
        idx.push(i);
        val.push(v as number);
      }
    }
  } else if (entries !== null && typeof entries === 'object') {
    dims = checkSparseDimensions(dimensions);
    for (const key of Object.keys(entries)) {
      // Object keys are strings: accept only canonical non-negative integers ("42", not "042" or "4.2").
      if (!/^(0|[1-9][0-9]*)$/.test(key)) {
        const why = /^-/.test(key) ? 'is negative' : 'is not a non-negative integer';
        throw new VecpgError('INVALID_SPARSE_INDEX', `sparsevec index ${JSON.stringify(key)} ${why}`, {
          details: { index: key },
        });
      }
      idx.push(Number(key));
      val.push((entries as Record<string, number>)[key]!);
    }
  } else {
    throw new VecpgError(
      'INVALID_VALUE',
      `SparseVector expects an object, a Map or an array, got ${describeValue(entries)}`,
    );
  }
  return buildSparse(idx, val, dims);
}

/**
 * The server's own sparsevec text (`1:1.5,3:2`, 1-based indices ascending, no spaces, non-zero finite
 * values) parsed in one pass; null for anything else, which the careful parser then explains.
 */
function parseServerSparse(inner: string, dims: number): SparseStorage | null {
  const n = inner.length;
  if (n === 0) return packSparse([], [], dims);
  const idx: number[] = [];
  const val: number[] = [];
  let pos = 0;
  let prev = -1;
  while (pos < n) {
    let index = 0;
    let c = inner.charCodeAt(pos);
    const start = pos;
    while (c >= 48 && c <= 57) {
      index = index * 10 + (c - 48);
      c = inner.charCodeAt(++pos);
    }
    if (pos === start || c !== 58 /* : */ || pos - start > 10) return null;
    if (index < SPARSEVEC_TEXT_INDEX_BASE) return null;
    const zeroBased = fromBase(index, SPARSEVEC_TEXT_INDEX_BASE, 'sparsevec text');
    if (zeroBased <= prev || zeroBased >= dims) return null;
    let end = inner.indexOf(',', ++pos);
    if (end === -1) end = n;
    const text = inner.slice(pos, end);
    const d = Number(text);
    const value = Math.fround(d);
    // Number() reads '' and spaces as 0, which the server never prints: a zero sends us to the careful path.
    if (value === 0 || value !== value || value === Infinity || value === -Infinity) return null;
    // Number() also reads what strtof refuses (0x10, 0b1, 0o7, Unicode spaces); a float32 tie needs the
    // exact digits. The server prints neither: its numbers start with a digit or '-' and end with a digit.
    const c0 = text.charCodeAt(0);
    const c1 = text.charCodeAt(1) | 0x20; // lower case
    const cLast = text.charCodeAt(text.length - 1);
    if (!((c0 >= 48 && c0 <= 57) || c0 === 45) || cLast < 48 || cLast > 57 || c1 === 120 || c1 === 98 || c1 === 111)
      return null;
    if (value !== d && isFloat32Tie(d)) return null;
    idx.push(zeroBased);
    val.push(value);
    prev = zeroBased;
    pos = end + 1;
    if (idx.length > SPARSE_MAX_NNZ) return null;
  }
  if (inner.charCodeAt(n - 1) === 44 /* , */) return null;
  return packSparse(idx, val, dims);
}

/** Parse pgvector text `{1:1.5,3:2}/6` (1-based indices) into 0-based storage, refusing what the server refuses. */
export function parseSparseText(text: string): SparseStorage {
  if (typeof text !== 'string') {
    throw new VecpgError('INVALID_TEXT', `malformed sparsevec literal: expected a string, got ${describeValue(text)}`);
  }
  const t = trimSpace(text);
  const close = t.lastIndexOf('}');
  if (t.charCodeAt(0) !== 123 /* { */ || close === -1) {
    throw new VecpgError(
      'INVALID_TEXT',
      `malformed sparsevec literal ${describeValue(text)}: must look like "{1:1.5,3:2}/6"`,
    );
  }
  const tail = trimSpace(t.slice(close + 1));
  if (tail.charCodeAt(0) !== 47 /* / */ || !/^\/[ \t\n\r\v\f]*[0-9]+$/.test(tail)) {
    throw new VecpgError(
      'INVALID_TEXT',
      `malformed sparsevec literal ${describeValue(text)}: missing "/dimensions" after "}"`,
    );
  }
  const dims = checkSparseDimensions(Number(tail.slice(1)));
  const inner = t.slice(1, close);
  const fast = parseServerSparse(inner, dims);
  if (fast !== null) return fast;
  const idx: number[] = [];
  const val: number[] = [];
  if (trimSpace(inner).length > 0) {
    let start = 0;
    for (let k = 0; ; k++) {
      const comma = inner.indexOf(',', start);
      const end = comma === -1 ? inner.length : comma;
      const pair = inner.slice(start, end);
      const colon = pair.indexOf(':');
      const rawIndex = colon === -1 ? '' : trimSpace(pair.slice(0, colon));
      if (colon === -1 || !/^[+-]?[0-9]+$/.test(rawIndex)) {
        throw new VecpgError(
          'INVALID_TEXT',
          `malformed sparsevec literal: element ${k} ${JSON.stringify(pair)} must be "index:value"`,
        );
      }
      if (k >= SPARSE_MAX_NNZ) {
        throw new VecpgError(
          'TOO_MANY_NONZEROS',
          `sparsevec cannot have more than ${SPARSE_MAX_NNZ} non-zero elements`,
        );
      }
      const oneBased = Number(rawIndex);
      const zeroBased = fromBase(oneBased, SPARSEVEC_TEXT_INDEX_BASE, `element ${k} of the text`);
      if (zeroBased >= dims) {
        throw new VecpgError(
          'INVALID_SPARSE_INDEX',
          `sparsevec text index ${oneBased} (element ${k}) is out of range for ${dims} dimensions`,
        );
      }
      idx.push(zeroBased);
      const rawValue = pair.slice(colon + 1);
      const value = parseElement(rawValue, k, 'sparsevec');
      // Like the server: a non-zero number too small for float32 is out of range, not a silent 0.
      if (Math.fround(value) === 0 && /[1-9]/.test(trimSpace(rawValue).split(/[eE]/)[0]!)) {
        throw new VecpgError(
          'INVALID_TEXT',
          `sparsevec value ${JSON.stringify(rawValue)} (element ${k}) is out of range: it would round to 0`,
        );
      }
      val.push(value);
      if (comma === -1) break;
      start = comma + 1;
    }
  }
  return buildSparse(idx, val, dims);
}

/** Read pgvector's binary format into storage (a validated copy), refusing anything the server would refuse. */
export function readSparseBinary(input: Uint8Array | ArrayBuffer | ArrayBufferView): SparseStorage {
  const b = asBytes(input, 'sparsevec');
  if (b.byteLength < 12) expectLength(b, 12, 'sparsevec', 'the header');
  const dim = readInt32(b, 0);
  const nnz = readInt32(b, 4);
  const unused = readInt32(b, 8);
  if (unused !== 0)
    throw new VecpgError('INVALID_BINARY', `invalid sparsevec binary: unused header field must be 0, got ${unused}`);
  if (dim < 1 || dim > SPARSE_MAX_DIMENSIONS) {
    throw new VecpgError(
      'INVALID_BINARY',
      `invalid sparsevec binary: dimensions ${dim} outside 1..${SPARSE_MAX_DIMENSIONS}`,
    );
  }
  if (nnz < 0 || nnz > SPARSE_MAX_NNZ || nnz > dim) {
    throw new VecpgError('INVALID_BINARY', `invalid sparsevec binary: ${nnz} non-zeros for ${dim} dimensions`);
  }
  expectLength(b, 12 + 8 * nnz, 'sparsevec', `${nnz} non-zeros`);
  // The bytes are the storage: copy them (`new Uint8Array(typedArray)` always copies, even from a Node
  // Buffer), then check the copy, so what is checked is what is kept.
  const bytes = new Uint8Array(b);
  const view = new DataView(bytes.buffer);
  let prev = -1;
  for (let k = 0; k < nnz; k++) {
    const i = view.getInt32(12 + 4 * k);
    if (i <= prev || i >= dim) {
      throw new VecpgError(
        'INVALID_BINARY',
        `invalid sparsevec binary: index ${i} at position ${k} is out of range or not ascending`,
      );
    }
    prev = i;
    // Checked on the float's bits (no conversion needed to keep it): ±0 has none set but the sign, and an
    // all-ones exponent is NaN or ±Infinity.
    const at = 12 + 4 * nnz + 4 * k;
    const x = view.getInt32(at);
    if ((x & 0x7fffffff) === 0) {
      throw new VecpgError('INVALID_BINARY', `invalid sparsevec binary: zero value at index ${i}`);
    }
    if ((x & 0x7f800000) === 0x7f800000) checkFinite(view.getFloat32(at), i, 'sparsevec');
  }
  // Validated above exactly as build() would (ascending, in range, non-zero, finite): no second pass.
  return { bytes, view, nnz, dimensions: dim };
}

/** pgvector text of stored entries: `{1:1.5,3:2}/6`, indices shifted to pgvector's 1-based text form. */
export function formatSparseText(s: SparseStorage): string {
  // Written as ASCII bytes into one buffer, decoded once: no string per element.
  const n = s.nnz;
  const buf = textScratch(n * (MAX_FLOAT32_TEXT + 12) + 14);
  buf[0] = 123; // {
  let pos = 1;
  for (let k = 0; k < n; k++) {
    if (k > 0) buf[pos++] = 44; // ,
    pos = writeInteger(buf, pos, toBase(s.view.getInt32(12 + 4 * k), SPARSEVEC_TEXT_INDEX_BASE));
    buf[pos++] = 58; // :
    pos = writeFloat32(buf, pos, s.view.getFloat32(12 + 4 * n + 4 * k));
  }
  buf[pos++] = 125; // }
  buf[pos++] = 47; // /
  pos = writeInteger(buf, pos, s.dimensions);
  return asciiText(buf, pos);
}
