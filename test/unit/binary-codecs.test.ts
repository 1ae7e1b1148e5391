/**
 * pgvector's binary send formats (pgvector-facts.md: all big-endian): `vector` is `uint16 dim | uint16 0 |
 * dim × float32`, `sparsevec` is `int32 dim | int32 nnz | int32 0 | nnz × int32 index | nnz × float32`.
 * Expected bytes below are written from that layout by hand; what the server refuses (NaN, ±Infinity,
 * zero sparse values, indices out of range or not ascending) must be refused with the same codes.
 */
import { describe, expect, it } from 'vitest';
import { SparseVector, Vector, VecpgError, type VecpgErrorCode } from 'vecpg';

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/ /g, ''), 'hex'));

/** The same bytes inside a larger buffer, starting at `offset` (1 and 3 are never 4-byte aligned). */
function at(offset: number, b: Uint8Array): Uint8Array {
  const big = new Uint8Array(offset + b.length + 5).fill(0xee);
  big.set(b, offset);
  return big.subarray(offset, offset + b.length);
}

function errorOf(fn: () => unknown): VecpgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof VecpgError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

// float32 bits: 1.5 = 3fc00000, -2 = c0000000, -0.5 = bf000000, 3 = 40400000, smallest subnormal = 00000001,
// largest finite = 7f7fffff, -0 = 80000000, +Infinity = 7f800000, -Infinity = ff800000, NaN = 7fc00000,
// a signalling NaN = 7f800001.
const VECTOR = '0002 0000 3fc00000 c0000000'; // [1.5, -2]
const SPARSE = '00000006 00000003 00000000 00000000 00000002 00000004 3fc00000 40000000 40400000'; // {1:1.5,3:2,5:3}/6

describe('binary codecs: byte order and exact values', () => {
  it('vector: decodes big-endian words at any alignment, from a Buffer or an ArrayBuffer', () => {
    for (const offset of [0, 1, 2, 3])
      expect(Vector.fromBinary(at(offset, bytes(VECTOR))).toArray()).toEqual([1.5, -2]);
    expect(Vector.fromBinary(Buffer.from(bytes(VECTOR))).toArray()).toEqual([1.5, -2]);
    expect(Vector.fromBinary(bytes(VECTOR).buffer).toArray()).toEqual([1.5, -2]);
    expect(Vector.fromBinary(new DataView(bytes(VECTOR).buffer)).toArray()).toEqual([1.5, -2]);
  });

  it('vector: keeps every float32 bit pattern it accepts (-0, subnormal, largest finite)', () => {
    const edge = '0004 0000 80000000 00000001 7f7fffff 80000001';
    const v = Vector.fromBinary(at(1, bytes(edge)));
    expect(Object.is(v.toArray()[0], -0)).toBe(true);
    expect(v.toArray().slice(1)).toEqual([2 ** -149, 3.4028234663852886e38, -(2 ** -149)]);
    expect(hex(v.toBinary())).toBe(edge.replace(/ /g, ''));
  });

  it('vector: encodes a dimension over 255 and each element big-endian', () => {
    const v = new Vector(Array.from({ length: 258 }, (_, i) => (i === 257 ? -0.5 : 0)));
    const out = hex(v.toBinary());
    expect(out.slice(0, 8)).toBe('01020000');
    expect(out.length).toBe(2 * (4 + 4 * 258));
    expect(out.slice(-8)).toBe('bf000000');
  });

  it('sparsevec: decodes at any alignment and from a Buffer', () => {
    for (const offset of [0, 1, 2, 3])
      expect(SparseVector.fromBinary(at(offset, bytes(SPARSE))).toSql()).toBe('{1:1.5,3:2,5:3}/6');
    const s = SparseVector.fromBinary(Buffer.from(bytes(SPARSE)));
    expect([s.dimensions, s.nnz, s.indices, s.values]).toEqual([6, 3, [0, 2, 4], [1.5, 2, 3]]);
  });

  it('sparsevec: indices and dimensions over one byte, negative values and subnormals', () => {
    // dim 70000 = 00011170, index 258 = 00000102 and 65536 = 00010000, values -0.5 and the smallest subnormal
    const wire = '00011170 00000002 00000000 00000102 00010000 bf000000 00000001';
    const s = SparseVector.fromIndices([65536, 258], [2 ** -149, -0.5], 70000);
    expect(hex(s.toBinary())).toBe(wire.replace(/ /g, ''));
    const d = SparseVector.fromBinary(at(3, bytes(wire)));
    expect([d.dimensions, d.indices, d.values]).toEqual([70000, [258, 65536], [-0.5, 2 ** -149]]);
    expect(d.toObject()).toEqual({ 258: -0.5, 65536: 2 ** -149 });
    expect(d.toSql()).toBe('{259:-0.5,65537:1e-45}/70000');
    expect(d.equals(s)).toBe(true);
  });

  it('sparsevec: no non-zeros is twelve header bytes', () => {
    const s = SparseVector.fromBinary(bytes('00000005 00000000 00000000'));
    expect([s.nnz, s.toSql(), hex(s.toBinary())]).toEqual([0, '{}/5', '000000050000000000000000']);
  });
});

describe('binary codecs: values own their bytes', () => {
  it('fromBinary copies: changing the source afterwards changes nothing', () => {
    const src = at(1, bytes(VECTOR));
    const v = Vector.fromBinary(src);
    src.fill(0);
    expect(v.toArray()).toEqual([1.5, -2]);

    // A Node Buffer's slice() is a view, not a copy: the sparse decoder must not keep one.
    const pool = Buffer.alloc(64, 0xee);
    bytes(SPARSE).forEach((b, i) => (pool[7 + i] = b));
    const s = SparseVector.fromBinary(pool.subarray(7, 7 + 36));
    pool.fill(0);
    expect(s.toSql()).toBe('{1:1.5,3:2,5:3}/6');
  });

  it('toBinary returns a fresh buffer each call', () => {
    for (const value of [SparseVector.fromBinary(bytes(SPARSE)), Vector.fromBinary(bytes(VECTOR))]) {
      const first = value.toBinary();
      const expected = hex(first);
      first.fill(0xff);
      expect(hex(value.toBinary())).toBe(expected);
      expect(value.toBinary().buffer).not.toBe(value.toBinary().buffer);
      expect(value.toBinary().byteOffset).toBe(0);
    }
  });

  it('indices and values are new arrays each call', () => {
    const s = SparseVector.fromBinary(bytes(SPARSE));
    s.indices.push(9);
    s.values[0] = 7;
    expect([s.indices, s.values]).toEqual([
      [0, 2, 4],
      [1.5, 2, 3],
    ]);
  });
});

describe('binary codecs: what the server refuses', () => {
  it('vector: names the first element that is NaN or infinite, wherever it is', () => {
    const one = '3f800000';
    const wire = (dim: number, bad: Record<number, string>) =>
      bytes(dim.toString(16).padStart(4, '0') + '0000' + Array.from({ length: dim }, (_, i) => bad[i] ?? one).join(''));
    const cases: [number, Record<number, string>, number][] = [
      [1, { 0: '7fc00000' }, 0],
      [7, { 5: 'ff800000' }, 5],
      [9, { 6: '7f800000', 7: '7fc00000' }, 6],
      [9, { 8: 'ffc00001' }, 8],
      [1536, { 1000: '7f800000', 1535: '7fc00000' }, 1000],
    ];
    for (const [dim, bad, first] of cases) {
      const e = errorOf(() => Vector.fromBinary(at(1, wire(dim, bad))));
      expect(e.code).toBe('NOT_FINITE');
      expect(e.message).toMatch(new RegExp(`element ${first}\\b`));
    }
    expect(
      Vector.fromBinary(wire(1536, {}))
        .toArray()
        .every((x) => x === 1),
    ).toBe(true);
  });

  it.each<[string, () => unknown, VecpgErrorCode, RegExp]>([
    ['vector NaN', () => Vector.fromBinary(bytes('0002 0000 3f800000 7fc00000')), 'NOT_FINITE', /NaN.*element 1/],
    [
      'vector signalling NaN',
      () => Vector.fromBinary(at(1, bytes('0001 0000 7f800001'))),
      'NOT_FINITE',
      /NaN.*element 0/,
    ],
    [
      'vector +Infinity',
      () => Vector.fromBinary(bytes('0002 0000 7f800000 3f800000')),
      'NOT_FINITE',
      /infinite.*element 0/,
    ],
    [
      'vector -Infinity',
      () => Vector.fromBinary(at(3, bytes('0001 0000 ff800000'))),
      'NOT_FINITE',
      /infinite.*element 0/,
    ],
    ['vector unused header field', () => Vector.fromBinary(bytes('0001 0001 3f800000')), 'INVALID_BINARY', /unused.*1/],
    ['vector 0 dimensions', () => Vector.fromBinary(bytes('0000 0000')), 'EMPTY_VECTOR', /at least 1/],
    ['vector 16,001 dimensions', () => Vector.fromBinary(bytes('3e81 0000')), 'TOO_MANY_DIMENSIONS', /16001/],
    ['vector header only', () => Vector.fromBinary(bytes('0001')), 'INVALID_BINARY', /truncated/],
    [
      'sparse NaN',
      () => SparseVector.fromBinary(bytes('00000005 00000001 00000000 00000002 7fc00000')),
      'NOT_FINITE',
      /NaN/,
    ],
    [
      'sparse -Infinity',
      () => SparseVector.fromBinary(bytes('00000005 00000001 00000000 00000002 ff800000')),
      'NOT_FINITE',
      /infinite/,
    ],
    [
      'sparse zero',
      () => SparseVector.fromBinary(bytes('00000005 00000001 00000000 00000002 00000000')),
      'INVALID_BINARY',
      /zero value at index 2/,
    ],
    [
      'sparse -0',
      () => SparseVector.fromBinary(bytes('00000005 00000001 00000000 00000002 80000000')),
      'INVALID_BINARY',
      /zero value at index 2/,
    ],
    [
      'sparse negative index',
      () => SparseVector.fromBinary(bytes('00000005 00000001 00000000 ffffffff 3f800000')),
      'INVALID_BINARY',
      /index -1 at position 0/,
    ],
    [
      'sparse index = dimensions',
      () => SparseVector.fromBinary(bytes('00000005 00000001 00000000 00000005 3f800000')),
      'INVALID_BINARY',
      /index 5 at position 0/,
    ],
    [
      'sparse duplicate index',
      () => SparseVector.fromBinary(bytes('00000005 00000002 00000000 00000001 00000001 3f800000 3f800000')),
      'INVALID_BINARY',
      /index 1 at position 1/,
    ],
    [
      'sparse unused header field',
      () => SparseVector.fromBinary(bytes('00000005 00000000 00000001')),
      'INVALID_BINARY',
      /unused/,
    ],
    [
      'sparse nnz > dimensions',
      () => SparseVector.fromBinary(bytes('00000001 00000002 00000000')),
      'INVALID_BINARY',
      /2 non-zeros for 1/,
    ],
    [
      'sparse negative dimensions',
      () => SparseVector.fromBinary(bytes('ffffffff 00000000 00000000')),
      'INVALID_BINARY',
      /dimensions -1/,
    ],
    [
      'sparse trailing byte',
      () => SparseVector.fromBinary(bytes('00000005 00000000 00000000 00')),
      'INVALID_BINARY',
      /trailing/,
    ],
  ])('%s', (_name, fn, code, message) => {
    const e = errorOf(fn);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});
