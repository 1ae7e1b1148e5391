import { describe, expect, it } from 'vitest';
import { Bit, HalfVector, SparseVector, Vector, type VectorType } from 'vecpg';
import { paramCast, toVectorValue, vectorParam } from 'vecpg/sql';
import { codeOf } from '../support/errors.ts';

describe('vectorParam', () => {
  it.each<[string, unknown, VectorType, string]>([
    ['number[] as vector', [1, 2, 3], 'vector', '[1,2,3]'],
    ['Float32Array as vector', new Float32Array([0.5, -1.25]), 'vector', '[0.5,-1.25]'],
    ['Float64Array rounds to float32', new Float64Array([0.1]), 'vector', '[0.1]'],
    ['Vector', new Vector([1.5, 2]), 'vector', '[1.5,2]'],
    ['HalfVector as vector', new HalfVector([0.1]), 'vector', '[0.099975586]'],
    ['number[] as halfvec rounds to float16', [0.1, 2], 'halfvec', '[0.099975586,2]'],
    ['Vector as halfvec', new Vector([1, 65504]), 'halfvec', '[1,65504]'],
    ['SparseVector', new SparseVector({ 0: 1.5, 2: 2, 4: 3 }, 6), 'sparsevec', '{1:1.5,3:2,5:3}/6'],
    [
      '{indices,values,dimensions} (0-based)',
      { indices: [0, 2, 4], values: [1, 2, 3], dimensions: 5 },
      'sparsevec',
      '{1:1,3:2,5:3}/5',
    ],
    ['dense array as sparsevec', [1, 0, 2, 0, 3, 0], 'sparsevec', '{1:1,3:2,5:3}/6'],
    ['all-zero sparse', { indices: [], values: [], dimensions: 5 }, 'sparsevec', '{}/5'],
    ['Bit', Bit.fromBytes(new Uint8Array([0xfe, 0x07, 0x00])), 'bit', '111111100000011100000000'],
    ['0/1 string', '0101', 'bit', '0101'],
    ['booleans', [true, false, true], 'bit', '101'],
  ])('%s → %s', (_label, value, type, expected) => {
    expect(vectorParam(value, type)).toBe(expected);
  });

  it.each<[string, unknown, VectorType, string]>([
    ['NaN', [1, NaN], 'vector', 'NOT_FINITE'],
    ['Infinity', [Infinity], 'vector', 'NOT_FINITE'],
    ['beyond float16', [70000], 'halfvec', 'NOT_FINITE'],
    ['empty array', [], 'vector', 'EMPTY_VECTOR'],
    ['16,001 dimensions', new Array(16001).fill(1), 'vector', 'TOO_MANY_DIMENSIONS'],
    ['a string for vector', '[1,2]', 'vector', 'INVALID_VALUE'],
    ['a SparseVector for vector', new SparseVector({ 0: 1 }, 2), 'vector', 'INVALID_VALUE'],
    ['a Bit for halfvec', new Bit('1'), 'halfvec', 'INVALID_VALUE'],
    ['a negative sparse index', { indices: [-1], values: [1], dimensions: 3 }, 'sparsevec', 'INVALID_SPARSE_INDEX'],
    ['a sparse index = dimensions', { indices: [3], values: [1], dimensions: 3 }, 'sparsevec', 'INVALID_SPARSE_INDEX'],
    [
      'a duplicate sparse index',
      { indices: [1, 1], values: [1, 2], dimensions: 3 },
      'sparsevec',
      'DUPLICATE_SPARSE_INDEX',
    ],
    ['a plain dict for sparsevec', { 0: 1 }, 'sparsevec', 'INVALID_VALUE'],
    ['a non-binary string', '0121', 'bit', 'INVALID_BIT'],
    ['numbers for bit', [1, 0], 'bit', 'INVALID_VALUE'],
    ['an unknown type', [1], 'float4' as VectorType, 'INVALID_OPTION'],
  ])('refuses %s', (_label, value, type, code) => {
    expect(codeOf(() => vectorParam(value, type))).toBe(code);
  });

  it('toVectorValue returns the value class for the type (binary encoding reuses it)', () => {
    const v = toVectorValue([1, 2], 'vector');
    expect(Array.from(v.toBinary())).toEqual([0, 2, 0, 0, 0x3f, 0x80, 0, 0, 0x40, 0, 0, 0]);
    const s = toVectorValue({ indices: [0, 2, 4], values: [1.5, 2, 3], dimensions: 6 }, 'sparsevec');
    expect(s.toSql()).toBe('{1:1.5,3:2,5:3}/6');
    expect(s.indices).toEqual([0, 2, 4]);
  });
});

describe('paramCast', () => {
  it('casts bit parameters to their own length (a bare ::bit is bit(1))', () => {
    expect(paramCast('bit', new Bit('10110'))).toBe('bit(5)');
    expect(paramCast('vector')).toBe('vector');
    expect(paramCast('sparsevec')).toBe('sparsevec');
    expect(codeOf(() => paramCast('bit'))).toBe('INVALID_VALUE');
  });
});
