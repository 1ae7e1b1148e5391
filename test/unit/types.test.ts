import { describe, expect, it } from 'vitest';
import {
  Bit,
  HalfVector,
  SparseVector,
  Vector,
  VecpgError,
  formatFloat32,
  isBit,
  isHalfVector,
  isSparseVector,
  isVector,
  type VecpgErrorCode,
} from 'vecpg';
import { MAX_FLOAT32_TEXT, writeFloat32 } from '../../src/types/float-format.ts';
import { isFloat32Tie } from '../../src/types/float-parse.ts';

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

function codeOf(fn: () => unknown): VecpgErrorCode | string {
  try {
    fn();
  } catch (e) {
    if (e instanceof VecpgError) return e.code;
    return `not a VecpgError: ${String(e)}`;
  }
  return 'did not throw';
}

describe('known test vectors from pgvector-facts.md', () => {
  it('sparse: binary dim=6 nnz=3 idx=[0,2,4] vals=[1.5,2,3] <-> text {1:1.5,3:2,5:3}/6', () => {
    const s = SparseVector.fromSql('{1:1.5,3:2,5:3}/6');
    expect(s.indices).toEqual([0, 2, 4]);
    expect(s.values).toEqual([1.5, 2, 3]);
    // int32 6 | int32 3 | int32 0 | 0,2,4 | 1.5f, 2f, 3f (big-endian)
    expect(hex(s.toBinary())).toBe(
      '00000006' +
        '00000003' +
        '00000000' +
        '00000000' +
        '00000002' +
        '00000004' +
        '3fc00000' +
        '40000000' +
        '40400000',
    );
    expect(SparseVector.fromBinary(s.toBinary()).toSql()).toBe('{1:1.5,3:2,5:3}/6');
  });

  it('dense [1,0,2,0,3,0] <-> sparse {0:1,2:2,4:3}/6 <-> text {1:1,3:2,5:3}/6', () => {
    const a = new SparseVector([1, 0, 2, 0, 3, 0]);
    const b = new SparseVector({ 0: 1, 2: 2, 4: 3 }, 6);
    expect(a.equals(b)).toBe(true);
    expect(a.toSql()).toBe('{1:1,3:2,5:3}/6');
    expect(b.toArray()).toEqual([1, 0, 2, 0, 3, 0]);
  });

  it("the Django walkthrough's example: {0:1, 2:2, 4:3} with 5 dimensions is stored as {1:1,3:2,5:3}/5", () => {
    expect(new SparseVector({ 0: 1, 2: 2, 4: 3 }, 5).toSql()).toBe('{1:1,3:2,5:3}/5');
    expect(SparseVector.fromSql('{1:1,3:2,5:3}/5').indices).toEqual([0, 2, 4]);
    expect(new SparseVector({ 0: 5.5, 42: 1.2 }, 10000).toSql()).toBe('{1:5.5,43:1.2}/10000');
  });

  it('bit bytes 0xfe 0x07 0x00 <-> 111111100000011100000000', () => {
    const b = Bit.fromBytes(new Uint8Array([0xfe, 0x07, 0x00]), 24);
    expect(b.toString()).toBe('111111100000011100000000');
    expect(hex(b.toBinary())).toBe('00000018fe0700');
    expect(Bit.fromBinary(b.toBinary()).equals(b)).toBe(true);
  });

  it('vector binary: uint16 dim | uint16 0 | float32s', () => {
    expect(hex(new Vector([1.5, 2]).toBinary())).toBe('00020000' + '3fc00000' + '40000000');
    expect(Vector.fromBinary(new Vector([1.5, 2]).toBinary()).toArray()).toEqual([1.5, 2]);
  });

  it('halfvec binary: uint16 dim | uint16 0 | binary16s', () => {
    // 1 = 0x3c00, -2 = 0xc000, 65504 = 0x7bff
    expect(hex(new HalfVector([1, -2, 65504]).toBinary())).toBe('00030000' + '3c00' + 'c000' + '7bff');
  });
});

describe('Vector', () => {
  it('keeps float32 values and prints them as the server does', () => {
    const v = new Vector([0.5, 0.2, 0.9, 0.3]);
    expect(v.dimensions).toBe(4);
    expect(v.toSql()).toBe('[0.5,0.2,0.9,0.3]');
    expect(v.toArray()[1]).toBe(Math.fround(0.2));
    expect(new Vector(new Float32Array([1, 2])).toFloat32Array()).toEqual(new Float32Array([1, 2]));
    expect(JSON.stringify(new Vector([1, 2]))).toBe('[1,2]');
    expect(String(new Vector([1, 2]))).toBe('[1,2]');
  });

  it('is immutable: arrays handed out are copies', () => {
    const src = [1, 2, 3];
    const v = new Vector(src);
    src[0] = 9;
    v.toArray()[1] = 9;
    v.toFloat32Array()[2] = 9;
    expect(v.toArray()).toEqual([1, 2, 3]);
  });

  it('parses text with whitespace', () => {
    expect(Vector.fromSql(' [ 1 , 2.5 ,-3e2 ] ').toArray()).toEqual([1, 2.5, -300]);
  });

  it.each([
    // [value, PostgreSQL float4 output] — outputs checked against `SELECT '[...]'::vector` on pgvector 0.8
    [1e-7, '1e-07'],
    [1e6, '1e+06'],
    [123456.7, '123456.7'],
    [1e38, '1e+38'],
    [3.4028234663852886e38, '3.4028235e+38'],
    [1.401298464324817e-45, '1e-45'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-0, '-0'],
    [100000, '100000'],
    [999999, '999999'],
    [1234567, '1.234567e+06'],
    [0.1, '0.1'],
    [-2.5, '-2.5'],
    // powers of two have an asymmetric rounding interval: the shortest decimal lies above the value
    [1.262177448353619e-29, '1.2621775e-29'],
    [1.5474250491067253e26, '1.5474251e+26'],
    [1.2379400392853803e27, '1.2379401e+27'],
  ])('formatFloat32(%s) = %s', (value, text) => {
    expect(formatFloat32(value)).toBe(text);
  });

  // toSql prints values in fixed notation (1e-4 <= |x| < 1e6) with its own exact digit search. Outputs
  // checked against `SELECT '{...}'::float8[]::vector::text` on pgvector 0.8.0.
  it.each([
    ['0x38d1b716', '9.999999e-05'], // below 1e-4: exponent form, the general search
    ['0x38d1b717', '0.0001'], // the float32 nearest 1e-4, just below it
    ['0x38d1b718', '0.000100000005'],
    ['0x38ffffff', '0.000122070305'],
    ['0x39000000', '0.00012207031'], // 2^-13: the interval is narrower below a power of two
    ['0x3dcccccc', '0.099999994'],
    ['0x3dcccccd', '0.1'],
    ['0x3eaaaaab', '0.33333334'],
    ['0x3f7fffff', '0.99999994'],
    ['0x3f800001', '1.0000001'],
    ['0x40b7a000', '5.7382812'], // 5.73828125: 5.7382812 and 5.7382813 are equally near, the even one wins
    ['0x47c35040', '100000.5'],
    ['0x497423ff', '999999.94'],
    ['0x49742400', '1e+06'],
    ['0xbdcccccd', '-0.1'],
    ['0xc97423ff', '-999999.94'],
  ])('Vector toSql of the float32 with bits %s is %s', (bits, text) => {
    const value = new Float32Array(new Uint32Array([Number(bits)]).buffer)[0]!;
    expect(new Vector([value]).toSql()).toBe(`[${text}]`);
    expect(new Vector([value, value]).toSql()).toBe(`[${text},${text}]`);
  });

  it('writes the float32 nearest to a double, never the double itself', () => {
    // 0.99999999 rounds to the float32 1 (SELECT 0.99999999::float4::text is '1').
    const buf = new Uint8Array(MAX_FLOAT32_TEXT);
    const text = (v: number) => Buffer.from(buf.subarray(0, writeFloat32(buf, 0, v))).toString('latin1');
    expect(text(0.99999999)).toBe('1');
    expect(text(-2.9999999999)).toBe('-3');
    expect(text(0.1)).toBe('0.1');
    expect(text(-0)).toBe('-0');
  });
});

describe('float32 rounding ties in parsed decimals', () => {
  // A double exactly halfway between two float32s needs the exact decimal to round like the server's
  // strtof; anything else rounds like Math.fround.
  const F32_MAX = 3.4028234663852886e38;
  it.each([
    [1 + 2 ** -24, true], // between 1 and 1 + 2^-23
    [-(1 + 2 ** -24), true],
    [1 + 2 ** -24 + 2 ** -52, false], // one double step above that midpoint
    [1 + 2 ** -24 - 2 ** -52, false], // and one below
    [1 - 2 ** -25, true], // just below a power of two the float32 spacing halves
    [1 - 2 ** -25 - 2 ** -53, false],
    [2 ** -150, true], // between 0 and the smallest subnormal
    [3 * 2 ** -150, true], // between the two smallest subnormals
    [2 ** -151, false],
    [F32_MAX + 2 ** 103, true], // between the largest float32 and 2^128 (which fround turns into Infinity)
    [F32_MAX + 2 ** 102, false],
    [Math.fround(0.1), false], // float32 values themselves
    [0.1, false],
    [Number.NaN, false],
    [Infinity, false],
  ])('isFloat32Tie(%s) is %s', (d, tie) => {
    expect(isFloat32Tie(d)).toBe(tie);
  });
});

describe('HalfVector', () => {
  it('rounds to float16 on construction, as the server stores it', () => {
    const h = new HalfVector([0.1, 1 / 3, 2]);
    expect(h.toArray()).toEqual([0.0999755859375, 0.333251953125, 2]);
    // halfvec_out prints the float16 value in its shortest float32 form
    expect(h.toSql()).toBe('[0.099975586,0.33325195,2]');
    expect(HalfVector.fromBinary(h.toBinary()).equals(h)).toBe(true);
  });

  it('rounds half to even and keeps subnormals', () => {
    // 2049 is halfway between 2048 and 2050 (spacing 2): ties to even → 2048; 2051 → 2052
    expect(new HalfVector([2049, 2051]).toArray()).toEqual([2048, 2052]);
    expect(new HalfVector([2 ** -24]).toArray()).toEqual([2 ** -24]);
    expect(new HalfVector([2 ** -26]).toArray()).toEqual([0]);
  });
});

describe('SparseVector', () => {
  it('accepts an object, a Map, a dense array, and parallel arrays', () => {
    const expected = '{1:5.5,43:1.2}/10000';
    expect(new SparseVector({ 0: 5.5, 42: 1.2 }, 10000).toSql()).toBe(expected);
    expect(
      new SparseVector(
        new Map([
          [42, 1.2],
          [0, 5.5],
        ]),
        10000,
      ).toSql(),
    ).toBe(expected);
    expect(SparseVector.fromIndices([42, 0], [1.2, 5.5], 10000).toSql()).toBe(expected);
    const s = new SparseVector([0, 0, 7]);
    expect([s.dimensions, s.nnz, s.indices, s.values]).toEqual([3, 1, [2], [7]]);
  });

  it('drops zeros and allows the all-zero vector {}/5', () => {
    const s = new SparseVector({ 0: 0, 3: 2, 4: -0 }, 5);
    expect(s.toSql()).toBe('{4:2}/5');
    expect(SparseVector.fromSql('{}/5').nnz).toBe(0);
    expect(SparseVector.fromSql('{}/5').toSql()).toBe('{}/5');
    expect(SparseVector.fromSql('{1:0,2:3}/5').toSql()).toBe('{2:3}/5');
  });

  it('sorts unsorted text like the server does', () => {
    expect(SparseVector.fromSql('{5:3,1:1}/5').toSql()).toBe('{1:1,5:3}/5');
  });

  it('toJSON is 0-based; toObject is 0-based', () => {
    const s = new SparseVector({ 0: 1, 2: 2 }, 3);
    expect(s.toJSON()).toEqual({ indices: [0, 2], values: [1, 2], dimensions: 3 });
    expect(s.toObject()).toEqual({ 0: 1, 2: 2 });
  });

  it('handles a billion dimensions', () => {
    const s = new SparseVector({ 999_999_999: 1 }, 1_000_000_000);
    expect(s.toSql()).toBe('{1000000000:1}/1000000000');
    expect(SparseVector.fromBinary(s.toBinary()).equals(s)).toBe(true);
  });
});

describe('Bit', () => {
  it('builds from strings, bytes and booleans', () => {
    expect(new Bit('101').length).toBe(3);
    expect(Bit.fromBooleans([true, false, 1, 0]).toString()).toBe('1010');
    expect(Bit.fromBytes(new Uint8Array([0b10100000]), 3).toString()).toBe('101');
    expect(Bit.fromSql("B'0110'").toString()).toBe('0110');
    expect(new Bit('1011').popcount()).toBe(3);
  });
});

describe('brands work across copies of the package', () => {
  it('guards recognise instances and branded look-alikes, not plain objects', () => {
    expect(isVector(new Vector([1]))).toBe(true);
    expect(isHalfVector(new HalfVector([1]))).toBe(true);
    expect(isSparseVector(new SparseVector([1]))).toBe(true);
    expect(isBit(new Bit('1'))).toBe(true);
    expect(isVector(new HalfVector([1]))).toBe(false);
    expect(isVector([1, 2])).toBe(false);
    const foreign = { [Symbol.for('vecpg.sparsevec')]: true };
    expect(isSparseVector(foreign)).toBe(true);
  });
});

describe('validation: every bad input is refused with a stable code', () => {
  it.each<[string, () => unknown, VecpgErrorCode]>([
    ['NaN in vector', () => new Vector([1, NaN]), 'NOT_FINITE'],
    ['Infinity in vector', () => new Vector([Infinity]), 'NOT_FINITE'],
    ['float32 overflow in vector', () => new Vector([1e39]), 'NOT_FINITE'],
    ['NaN in vector text', () => Vector.fromSql('[1,NaN]'), 'NOT_FINITE'],
    ['Infinity in vector text', () => Vector.fromSql('[Infinity]'), 'NOT_FINITE'],
    ['NaN in halfvec', () => new HalfVector([NaN]), 'NOT_FINITE'],
    ['halfvec beyond 65504', () => new HalfVector([70000]), 'NOT_FINITE'],
    ['NaN in sparsevec', () => new SparseVector({ 1: NaN }, 3), 'NOT_FINITE'],
    ['Infinity in sparsevec text', () => SparseVector.fromSql('{1:inf}/3'), 'NOT_FINITE'],
    ['empty vector', () => new Vector([]), 'EMPTY_VECTOR'],
    ['empty vector text', () => Vector.fromSql('[]'), 'EMPTY_VECTOR'],
    ['empty halfvec', () => new HalfVector([]), 'EMPTY_VECTOR'],
    ['16,001 dimensions', () => new Vector(new Float32Array(16_001)), 'TOO_MANY_DIMENSIONS'],
    [
      '16,001 dimensions in text',
      () => Vector.fromSql(`[${new Array(16_001).fill(0).join(',')}]`),
      'TOO_MANY_DIMENSIONS',
    ],
    ['halfvec 16,001', () => new HalfVector(new Array(16_001).fill(1)), 'TOO_MANY_DIMENSIONS'],
    ['negative sparse index', () => SparseVector.fromIndices([-1], [1], 5), 'INVALID_SPARSE_INDEX'],
    ['negative sparse key', () => new SparseVector({ [-1]: 1 }, 5), 'INVALID_SPARSE_INDEX'],
    ['non-integer sparse index', () => SparseVector.fromIndices([1.5], [1], 5), 'INVALID_SPARSE_INDEX'],
    ['non-integer sparse key', () => new SparseVector({ '1.5': 1 }, 5), 'INVALID_SPARSE_INDEX'],
    ['sparse index = dimensions', () => new SparseVector({ 5: 1 }, 5), 'INVALID_SPARSE_INDEX'],
    ['sparse text index 0 (text is 1-based)', () => SparseVector.fromSql('{0:1}/5'), 'INVALID_SPARSE_INDEX'],
    ['sparse text index > dimensions', () => SparseVector.fromSql('{6:1}/5'), 'INVALID_SPARSE_INDEX'],
    ['duplicate sparse index', () => SparseVector.fromIndices([1, 1], [1, 2], 5), 'DUPLICATE_SPARSE_INDEX'],
    ['duplicate sparse text index', () => SparseVector.fromSql('{1:1,1:2}/5'), 'DUPLICATE_SPARSE_INDEX'],
    [
      '16,001 non-zeros',
      () =>
        SparseVector.fromIndices(
          Array.from({ length: 16_001 }, (_, i) => i),
          new Array(16_001).fill(1),
          20_000,
        ),
      'TOO_MANY_NONZEROS',
    ],
    ['0 dimensions', () => new SparseVector({}, 0), 'INVALID_DIMENSIONS'],
    ['1,000,000,001 dimensions', () => new SparseVector({}, 1_000_000_001), 'INVALID_DIMENSIONS'],
    ['fractional dimensions', () => new SparseVector({}, 2.5), 'INVALID_DIMENSIONS'],
    ['sparse object without dimensions', () => new SparseVector({ 0: 1 }), 'INVALID_DIMENSIONS'],
    ['malformed vector text', () => Vector.fromSql('1,2'), 'INVALID_TEXT'],
    ['empty element', () => Vector.fromSql('[1,,2]'), 'INVALID_TEXT'],
    ['garbage element', () => Vector.fromSql('[1,x]'), 'INVALID_TEXT'],
    ['sparse text without dimensions', () => SparseVector.fromSql('{1:1}'), 'INVALID_TEXT'],
    ['sparse text without colon', () => SparseVector.fromSql('{1}/5'), 'INVALID_TEXT'],
    ['sparse text trailing garbage', () => SparseVector.fromSql('{1:1}/5x'), 'INVALID_TEXT'],
    ['bit with a 2', () => new Bit('1021'), 'INVALID_BIT'],
    [
      'truncated vector binary',
      () => Vector.fromBinary(new Uint8Array([0, 2, 0, 0, 0x3f, 0xc0, 0, 0])),
      'INVALID_BINARY',
    ],
    [
      'trailing garbage after vector binary',
      () => Vector.fromBinary(new Uint8Array([0, 1, 0, 0, 0x3f, 0xc0, 0, 0, 1])),
      'INVALID_BINARY',
    ],
    [
      'huge dimension in a tiny buffer',
      () => SparseVector.fromBinary(new Uint8Array([0x7f, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0])),
      'INVALID_BINARY',
    ],
    [
      'unsorted sparse binary',
      () =>
        SparseVector.fromBinary(
          new Uint8Array([
            0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 0x3f, 0x80, 0, 0, 0x3f, 0x80, 0, 0,
          ]),
        ),
      'INVALID_BINARY',
    ],
    [
      'zero value in sparse binary',
      () => SparseVector.fromBinary(new Uint8Array([0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])),
      'INVALID_BINARY',
    ],
    ['bit binary with pad bits set', () => Bit.fromBinary(new Uint8Array([0, 0, 0, 3, 0xff])), 'INVALID_BINARY'],
    ['non-number element', () => new Vector(['1' as unknown as number]), 'INVALID_VALUE'],
  ])('%s', (_name, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });

  it('messages name the bad value and its position', () => {
    expect(() => new Vector([1, 2, NaN])).toThrow(/element 2/);
    expect(() => new SparseVector({ 7: 1 }, 5)).toThrow(/index 7 .*5 dimensions/);
    expect(() => new Bit('1x')).toThrow(/"x".*position 1/);
    expect(() => SparseVector.fromSql('{0:1}/5')).toThrow(/index 0/);
  });
});
