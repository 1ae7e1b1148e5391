/**
 * The loader's bulk path for float rows (CopyEncoder.addFloat32Rows) must write exactly the bytes the
 * general path writes (addRow of a Vector built from the same values), for every bit pattern a float32
 * row can hold, in every layout a block comes in; float64 and float16 rows (.npy) rounded as the general
 * path rounds them, every finite half exactly.
 */
import { describe, expect, it } from 'vitest';
import { Vector } from 'vecpg';
import { CopyEncoder } from '../../src/io/copy.ts';
import { type DenseBlock, blockRecord } from '../../src/io/readers/dense-block.ts';
import { seededRandom } from '../support/random.ts';

/** Float32 bit patterns the fast path must pass through untouched. */
const EDGE_BITS = [
  0x00000000, // +0
  0x80000000, // -0
  0x00000001, // smallest subnormal
  0x80000001, // -smallest subnormal
  0x007fffff, // largest subnormal
  0x00800000, // smallest normal
  0x7f7fffff, // largest finite
  0xff7fffff, // most negative finite
  0x3f800000, // 1
  0xbf800000, // -1
  0x3eaaaaab, // 1/3
];

/** `rows` rows of `dims` float32 bit patterns: random finite values with the edge patterns mixed in. */
function rowsOfBits(rows: number, dims: number, seed: number): Uint32Array {
  const rand = seededRandom(seed);
  const bits = new Uint32Array(rows * dims);
  for (let i = 0; i < bits.length; i++) {
    if (rand() < 0.2) bits[i] = EDGE_BITS[Math.floor(rand() * EDGE_BITS.length)]!;
    else {
      // any sign and mantissa, any exponent but all-ones (NaN / Infinity)
      const exponent = Math.floor(rand() * 255);
      bits[i] = ((rand() < 0.5 ? 0x80000000 : 0) | (exponent << 23) | Math.floor(rand() * 0x800000)) >>> 0;
    }
  }
  return bits;
}

/** A block holding `bits` in a given layout: byte order, bytes before each row's values, and an offset. */
function blockOf(
  bits: Uint32Array,
  dims: number,
  layout: { littleEndian: boolean; skip: number; offset: number },
): DenseBlock {
  const rows = bits.length / dims;
  const stride = layout.skip + 4 * dims;
  const buffer = new ArrayBuffer(layout.offset + rows * stride);
  const view = new DataView(buffer);
  for (let r = 0; r < rows; r++) {
    if (layout.skip === 4) view.setInt32(layout.offset + r * stride, dims, true);
    for (let i = 0; i < dims; i++)
      view.setUint32(layout.offset + r * stride + layout.skip + 4 * i, bits[r * dims + i]!, layout.littleEndian);
  }
  return {
    first: 1,
    rows,
    dims,
    element: 'f4',
    littleEndian: layout.littleEndian,
    bytes: new Uint8Array(buffer, layout.offset),
    stride,
    skip: layout.skip,
  };
}

/** What the general path writes for the same rows: one Vector per row through addRow. */
function generalBytes(bits: Uint32Array, dims: number): Uint8Array {
  const encoder = new CopyEncoder(['vector']);
  const floats = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  for (let r = 0; r < bits.length / dims; r++) encoder.addRow([new Vector(floats.subarray(r * dims, (r + 1) * dims))]);
  return encoder.take();
}

/** pgvector's send format written independently: int16 1, int32 length, uint16 dims, uint16 0, big-endian floats. */
function expectedBytes(bits: Uint32Array, dims: number): Uint8Array {
  const rows = bits.length / dims;
  const size = 10 + 4 * dims;
  const out = new DataView(new ArrayBuffer(rows * size));
  for (let r = 0; r < rows; r++) {
    out.setInt16(r * size, 1);
    out.setInt32(r * size + 2, 4 + 4 * dims);
    out.setUint16(r * size + 6, dims);
    out.setUint16(r * size + 8, 0);
    for (let i = 0; i < dims; i++) out.setUint32(r * size + 10 + 4 * i, bits[r * dims + i]!);
  }
  return new Uint8Array(out.buffer);
}

const LAYOUTS = [
  { name: '.npy little-endian, aligned', littleEndian: true, skip: 0, offset: 0 },
  { name: '.npy big-endian', littleEndian: false, skip: 0, offset: 0 },
  { name: '.fvecs (count before each row)', littleEndian: true, skip: 4, offset: 0 },
  { name: 'little-endian at an odd byte offset', littleEndian: true, skip: 0, offset: 3 },
];

describe('CopyEncoder.addFloat32Rows', () => {
  for (const layout of LAYOUTS) {
    for (const dims of [1, 3, 100, 768]) {
      it(`${layout.name}, ${dims} dimensions: the same bytes as addRow(new Vector(row)), and pgvector's send format`, () => {
        const rows = 50;
        const bits = rowsOfBits(rows, dims, dims * 31 + layout.offset);
        const encoder = new CopyEncoder(['vector'], { initialBytes: 16 });
        // in two calls, as the loader does across chunks
        expect(encoder.addFloat32Rows(blockOf(bits, dims, layout), 0, 17)).toBe(17);
        expect(encoder.addFloat32Rows(blockOf(bits, dims, layout), 17, rows)).toBe(rows - 17);
        expect(encoder.rows).toBe(rows);
        const bulk = encoder.take();
        expect(Buffer.from(bulk).equals(Buffer.from(expectedBytes(bits, dims)))).toBe(true);
        expect(Buffer.from(bulk).equals(Buffer.from(generalBytes(bits, dims)))).toBe(true);
      });
    }
  }

  for (const [name, pattern] of [
    ['NaN', 0x7fc00000],
    ['a NaN with a payload', 0xff800001],
    ['+Infinity', 0x7f800000],
    ['-Infinity', 0xff800000],
  ] as const) {
    it(`stops before the row holding ${name}, keeping the rows before it`, () => {
      const dims = 5;
      const bits = rowsOfBits(10, dims, 7);
      bits[6 * dims + 3] = pattern;
      const encoder = new CopyEncoder(['vector']);
      const block = blockOf(bits, dims, LAYOUTS[0]!);
      expect(encoder.addFloat32Rows(block, 0, 10)).toBe(6);
      // the general path refuses that row
      const floats = new Float32Array(bits.buffer);
      expect(() => new Vector(floats.subarray(6 * dims, 7 * dims))).toThrow(/NaN|infinite/i);
      // and after it, the bulk path goes on
      expect(encoder.addFloat32Rows(block, 7, 10)).toBe(3);
      const both = new Uint32Array([...bits.subarray(0, 6 * dims), ...bits.subarray(7 * dims)]);
      expect(Buffer.from(encoder.take()).equals(Buffer.from(expectedBytes(both, dims)))).toBe(true);
    });
  }

  it('refuses an encoder with other columns than one vector', () => {
    const block = blockOf(rowsOfBits(1, 2, 1), 2, LAYOUTS[0]!);
    expect(() => new CopyEncoder(['int4', 'vector']).addFloat32Rows(block, 0, 1)).toThrow(/single vector column/);
    expect(() => new CopyEncoder(['halfvec']).addFloat32Rows(block, 0, 1)).toThrow(/single vector column/);
  });

  it('take(true) writes over the buffer of the previous take; take() never does', () => {
    const encoder = new CopyEncoder(['vector']);
    const row = [new Vector([1, 2, 3])];
    encoder.addRow(row);
    const first = encoder.take();
    const firstBytes = Buffer.from(first);
    encoder.addRow(row);
    const second = encoder.take();
    expect(second.buffer).not.toBe(first.buffer);
    encoder.addRow([new Vector([4, 5, 6])]);
    encoder.take(true); // the caller vouches that `second` is no longer used: its buffer is written next
    encoder.addRow([new Vector([7, 8, 9])]);
    const fourth = encoder.take(false);
    expect(fourth.buffer).toBe(second.buffer);
    expect(Buffer.from(first).equals(firstBytes)).toBe(true);
    expect(
      Buffer.from(fourth).equals(Buffer.from(generalBytes(new Uint32Array(new Float32Array([7, 8, 9]).buffer), 3))),
    ).toBe(true);
  });
});

/** A float64 or float16 block of `rows` × `dims` values written with DataView in the given byte order. */
function wideBlock(element: 'f8' | 'f2', values: readonly number[], dims: number, littleEndian: boolean): DenseBlock {
  const width = element === 'f8' ? 8 : 2;
  const view = new DataView(new ArrayBuffer(values.length * width));
  values.forEach((v, i) =>
    element === 'f8' ? view.setFloat64(i * 8, v, littleEndian) : view.setUint16(i * 2, v, littleEndian),
  );
  return {
    first: 1,
    rows: values.length / dims,
    dims,
    element,
    littleEndian,
    bytes: new Uint8Array(view.buffer),
    stride: width * dims,
    skip: 0,
  };
}

/** The general path: each row as the record the reader yields, through new Vector and addRow. */
function generalBlockBytes(block: DenseBlock): Uint8Array {
  const encoder = new CopyEncoder(['vector']);
  for (let r = 0; r < block.rows; r++) {
    const record = blockRecord(block, r);
    if (!record.ok || record.vector?.kind !== 'dense') throw new Error('expected a dense record');
    encoder.addRow([new Vector(record.vector.values as Float64Array)]);
  }
  return encoder.take();
}

/** IEEE binary16 bits as a number, written out from the definition (not vecpg's conversion). */
function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  return exponent === 0 ? sign * 2 ** -14 * (mantissa / 1024) : sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

/** pgvector's send format of rows of numbers, each stored by DataView as float32 (round to nearest even). */
function expectedFromNumbers(values: readonly number[], dims: number): Uint8Array {
  return expectedBytes(
    new Uint32Array(
      values.map((v) => {
        const f = new DataView(new ArrayBuffer(4));
        f.setFloat32(0, v);
        return f.getUint32(0);
      }),
    ),
    dims,
  );
}

describe('CopyEncoder.addFloat32Rows with float64 and float16 rows (.npy <f8, <f2)', () => {
  const FLT_MAX = 3.4028234663852886e38;
  for (const littleEndian of [true, false]) {
    for (const dims of [1, 3, 100]) {
      it(`float64, ${littleEndian ? 'little' : 'big'}-endian, ${dims} dimensions: the general path's bytes`, () => {
        const rand = seededRandom(dims * 7 + (littleEndian ? 1 : 0));
        const edges = [0, -0, 1e-50, -1e-46, 1.4e-45, 0.1, 1 / 3, FLT_MAX, FLT_MAX * (1 + 2 ** -26), -FLT_MAX];
        const values = Array.from({ length: 40 * dims }, () =>
          rand() < 0.2
            ? edges[Math.floor(rand() * edges.length)]!
            : (rand() < 0.5 ? -1 : 1) * rand() * 10 ** Math.floor(rand() * 76 - 38),
        );
        const block = wideBlock('f8', values, dims, littleEndian);
        const encoder = new CopyEncoder(['vector'], { initialBytes: 16 });
        expect(encoder.addFloat32Rows(block, 0, 11)).toBe(11);
        expect(encoder.addFloat32Rows(block, 11, 40)).toBe(29);
        const bulk = Buffer.from(encoder.take());
        expect(bulk.equals(Buffer.from(generalBlockBytes(block)))).toBe(true);
        expect(bulk.equals(Buffer.from(expectedFromNumbers(values, dims)))).toBe(true);
      });

      it(`float16, ${littleEndian ? 'little' : 'big'}-endian, ${dims} dimensions: every finite half, exact`, () => {
        // all 63,488 finite half bit patterns (exponent bits not all ones), a row of `dims` at a time
        const finite = Array.from({ length: 0x10000 }, (_, b) => b).filter((b) => (b & 0x7c00) !== 0x7c00);
        const bits = finite.slice(0, finite.length - (finite.length % dims));
        const block = wideBlock('f2', bits, dims, littleEndian);
        const encoder = new CopyEncoder(['vector']);
        expect(encoder.addFloat32Rows(block, 0, block.rows)).toBe(block.rows);
        const bulk = Buffer.from(encoder.take());
        expect(bulk.equals(Buffer.from(generalBlockBytes(block)))).toBe(true);
        expect(bulk.equals(Buffer.from(expectedFromNumbers(bits.map(halfValue), dims)))).toBe(true);
      });
    }
  }

  for (const [name, element, value] of [
    ['float64 NaN', 'f8', Number.NaN],
    ['float64 -Infinity', 'f8', Number.NEGATIVE_INFINITY],
    ['a float64 beyond float32 (1e39)', 'f8', 1e39],
    ['float16 Infinity', 'f2', 0x7c00],
    ['float16 NaN', 'f2', 0xfe01],
  ] as const) {
    it(`stops before the row holding ${name}; the general path refuses that row; the rest goes on`, () => {
      const dims = 4;
      const values = Array.from({ length: 10 * dims }, (_, i) => (element === 'f8' ? i / 8 : 0x3c00 + i));
      values[6 * dims + 2] = value;
      const block = wideBlock(element, values, dims, true);
      const encoder = new CopyEncoder(['vector']);
      expect(encoder.addFloat32Rows(block, 0, 10)).toBe(6);
      const bad = blockRecord(block, 6);
      if (!bad.ok || bad.vector?.kind !== 'dense') throw new Error('expected a dense record');
      const badValues = bad.vector.values as Float64Array;
      expect(() => new Vector(badValues)).toThrow(/NaN|infinite/i);
      expect(encoder.addFloat32Rows(block, 7, 10)).toBe(3);
      const kept = [...values.slice(0, 6 * dims), ...values.slice(7 * dims)];
      const numbers = element === 'f8' ? kept : kept.map(halfValue);
      expect(Buffer.from(encoder.take()).equals(Buffer.from(expectedFromNumbers(numbers, dims)))).toBe(true);
    });
  }

  for (const dims of [1, 3, 128]) {
    it(`bytes (.bvecs), ${dims} dimensions, every byte value: the general path's bytes, each byte exact`, () => {
      // a .bvecs record is an int32 dimension count, then `dims` bytes: skip 4, stride 4 + dims
      const rows = Math.ceil(256 / dims) + 3;
      const values = Array.from({ length: rows * dims }, (_, i) => (i * 37 + dims) % 256);
      const bytes = new Uint8Array(rows * (4 + dims));
      for (let r = 0; r < rows; r++) {
        new DataView(bytes.buffer).setInt32(r * (4 + dims), dims, true);
        bytes.set(values.slice(r * dims, (r + 1) * dims), r * (4 + dims) + 4);
      }
      const block: DenseBlock = {
        first: 1,
        rows,
        dims,
        element: 'u1',
        littleEndian: true,
        bytes,
        stride: 4 + dims,
        skip: 4,
      };
      expect(new Set(values).size).toBe(256);
      const encoder = new CopyEncoder(['vector'], { initialBytes: 16 });
      expect(encoder.addFloat32Rows(block, 0, 2)).toBe(2);
      expect(encoder.addFloat32Rows(block, 2, rows)).toBe(rows - 2);
      const bulk = Buffer.from(encoder.take());
      expect(bulk.equals(Buffer.from(generalBlockBytes(block)))).toBe(true);
      expect(bulk.equals(Buffer.from(expectedFromNumbers(values, dims)))).toBe(true);
    });
  }

  it('refuses an encoder of other columns than one vector', () => {
    const block: DenseBlock = { ...wideBlock('f2', [1, 2], 2, true), element: 'u1', stride: 2 };
    expect(() => new CopyEncoder(['vector', 'text']).addFloat32Rows(block, 0, 1)).toThrow(/single vector column/);
  });
});
