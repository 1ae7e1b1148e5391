/**
 * The read side of the binary fast path: vecpg's search helpers select a vector column as
 * `vector_send(col)` (bytea) instead of its text, and decode the bytes here into exactly the value the
 * driver's text parser would have returned (see `VectorOutput`).
 */
import { VecpgError, describeValue } from '../errors.ts';
import { HalfVector } from '../types/halfvec.ts';
import { SparseVector } from '../types/sparsevec.ts';
import { Vector, decodeVectorBinary } from '../types/vector.ts';
import type { VectorOutput } from './executor.ts';
import { quoteIdent } from './identifiers.ts';
import type { VectorType } from './operators.ts';

/** The types read back as binary: the float types. `bit` stays text (its text is already one byte per bit). */
export type BinaryReadType = 'vector' | 'halfvec' | 'sparsevec';

const SEND: Record<BinaryReadType, string> = {
  vector: 'vector_send',
  halfvec: 'halfvec_send',
  sparsevec: 'sparsevec_send',
};

/**
 * True when vecpg reads columns of `type` back in binary.
 *
 * @example
 * readsBinary('vector'); // true
 * readsBinary('bit');    // false
 */
export function readsBinary(type: VectorType): type is BinaryReadType {
  return type === 'vector' || type === 'halfvec' || type === 'sparsevec';
}

/**
 * `vector_send("embedding") AS "embedding"`: a select-list item returning the column in pgvector's
 * binary send format under its own name.
 *
 * @example
 * binaryColumnSql('embedding', 'vector'); // 'vector_send("embedding") AS "embedding"'
 */
export function binaryColumnSql(column: string, type: BinaryReadType): string {
  const name = quoteIdent(column);
  return `${SEND[type]}(${name}) AS ${name}`;
}

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[65 + i] = NIBBLE[97 + i] = 10 + i;

/**
 * PostgreSQL's bytea hex text (`\x0002…`) as bytes, in one pass with a lookup table (PGlite's own bytea
 * parser calls parseInt per byte, slower than parsing the vector's text). Throws INVALID_BINARY on
 * anything else.
 *
 * @example
 * byteaHexToBytes('\\x0a0b'); // Uint8Array [10, 11]
 */
export function byteaHexToBytes(text: string): Uint8Array {
  const n = text.length;
  if (n < 2 || text.charCodeAt(0) !== 92 || text.charCodeAt(1) !== 120 || n % 2 !== 0) {
    throw new VecpgError('INVALID_BINARY', `expected bytea hex text (\\x…), got ${describeValue(text)}`);
  }
  const out = new Uint8Array((n - 2) / 2);
  for (let i = 0, p = 2; i < out.length; i++, p += 2) {
    const hi = NIBBLE[text.charCodeAt(p) & 127]!;
    const lo = NIBBLE[text.charCodeAt(p + 1) & 127]!;
    if (hi < 0 || lo < 0 || text.charCodeAt(p) > 127 || text.charCodeAt(p + 1) > 127) {
      throw new VecpgError('INVALID_BINARY', `invalid bytea hex digit at position ${p} of ${describeValue(text)}`);
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/**
 * Decode one `*_send` column value (bytes, or bytea hex text) into what the driver's text parser returns
 * for `type` with `output`: `number[]` (exact float32 / float16 values), `Float32Array`, a `Vector` /
 * `HalfVector`, or a `SparseVector`. `null` stays `null`.
 *
 * @example
 * decodeVectorColumn(new Vector([1, 2]).toBinary(), 'vector', {}); // [1, 2]
 */
export function decodeVectorColumn(value: unknown, type: BinaryReadType, output: VectorOutput): unknown {
  if (value === null || value === undefined) return null;
  const bytes = typeof value === 'string' ? byteaHexToBytes(value) : value;
  if (!(bytes instanceof Uint8Array)) {
    throw new VecpgError('INVALID_BINARY', `expected bytea from ${SEND[type]}, got ${describeValue(value)}`);
  }
  const dense = output.dense ?? 'array';
  switch (type) {
    case 'vector': {
      if (dense === 'class') return Vector.fromBinary(bytes);
      const values = decodeVectorBinary(bytes);
      if (dense === 'float32') return values;
      // A plain loop: Array.from on a typed array goes through the iterator, several times slower.
      const out = new Array<number>(values.length);
      for (let i = 0; i < values.length; i++) out[i] = values[i]!;
      return out;
    }
    case 'halfvec': {
      const h = HalfVector.fromBinary(bytes);
      return dense === 'class' ? h : dense === 'float32' ? h.toFloat32Array() : h.toArray();
    }
    case 'sparsevec':
      return SparseVector.fromBinary(bytes);
  }
}
