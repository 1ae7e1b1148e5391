import { describe, expect, it } from 'vitest';
import {
  Bit,
  DISTANCES,
  HalfVector,
  SparseVector,
  Vector,
  type DistanceName,
  type IndexMethod,
  type VectorType,
} from 'vecpg';
import { checkIndexDimensions, opclassFor, operatorFor, typeOfValue } from 'vecpg/sql';
import { OPCLASSES } from '../support/opclasses.ts';
import { codeOf } from '../support/errors.ts';

describe('operators', () => {
  it.each<[DistanceName, string, string]>([
    ['l2', '<->', 'l2_distance'],
    ['ip', '<#>', 'inner_product'],
    ['cosine', '<=>', 'cosine_distance'],
    ['l1', '<+>', 'l1_distance'],
    ['hamming', '<~>', 'hamming_distance'],
    ['jaccard', '<%>', 'jaccard_distance'],
  ])('%s is %s / %s()', (distance, operator, fn) => {
    expect(DISTANCES[distance].operator).toBe(operator);
    expect(DISTANCES[distance].function).toBe(fn);
  });

  it.each<[VectorType, DistanceName, string | 'UNSUPPORTED']>([
    ['vector', 'l2', '<->'],
    ['halfvec', 'l1', '<+>'],
    ['sparsevec', 'ip', '<#>'],
    ['bit', 'hamming', '<~>'],
    ['bit', 'jaccard', '<%>'],
    ['vector', 'hamming', 'UNSUPPORTED'],
    ['sparsevec', 'jaccard', 'UNSUPPORTED'],
    ['bit', 'cosine', 'UNSUPPORTED'],
    ['bit', 'l2', 'UNSUPPORTED'],
  ])('operatorFor(%s, %s) → %s', (type, distance, expected) => {
    if (expected === 'UNSUPPORTED') expect(codeOf(() => operatorFor(type, distance))).toBe('UNSUPPORTED');
    else expect(operatorFor(type, distance)).toBe(expected);
  });
});

describe('opclassFor', () => {
  it.each(OPCLASSES)('(%s, %s, %s) → %s', (type, distance, method, expected) => {
    if (expected === null) expect(codeOf(() => opclassFor(type, distance, method))).toBe('UNSUPPORTED');
    else expect(opclassFor(type, distance, method)).toBe(expected);
  });

  it('says why and what to do instead', () => {
    expect(() => opclassFor('sparsevec', 'l2', 'ivfflat')).toThrow(/IVFFlat.*sparsevec.*hnsw/);
    expect(() => opclassFor('vector', 'l1', 'ivfflat')).toThrow(/IVFFlat.*l1.*hnsw/);
    expect(() => opclassFor('vector', 'hamming', 'hnsw')).toThrow(/binary_quantize/);
  });

  it.each<[string, unknown[]]>([
    ['unknown type', ['float4', 'l2', 'hnsw']],
    ['unknown distance', ['vector', 'euclid', 'hnsw']],
    ['unknown method', ['vector', 'l2', 'diskann']],
  ])('refuses an %s with INVALID_OPTION', (_label, args) => {
    expect(codeOf(() => opclassFor(...(args as [VectorType, DistanceName, IndexMethod])))).toBe('INVALID_OPTION');
  });
});

describe('checkIndexDimensions', () => {
  it.each<[VectorType, number, boolean]>([
    ['vector', 2000, true],
    ['vector', 2001, false],
    ['halfvec', 4000, true],
    ['halfvec', 4001, false],
    ['bit', 64000, true],
    ['bit', 64001, false],
    ['sparsevec', 1_000_000, true], // limit is on non-zeros, checked by the server
  ])('%s(%d) indexable: %s', (type, dims, ok) => {
    if (ok) expect(checkIndexDimensions(type, dims, 'hnsw')).toBeUndefined();
    else expect(codeOf(() => checkIndexDimensions(type, dims, 'hnsw'))).toBe('UNSUPPORTED');
  });

  it('suggests the halfvec expression for a wide vector', () => {
    expect(() => checkIndexDimensions('vector', 3072, 'hnsw')).toThrow(/halfvec\(3072\)/);
  });
});

describe('typeOfValue', () => {
  it.each<[string, unknown, VectorType]>([
    ['Vector', new Vector([1, 2]), 'vector'],
    ['number[]', [1, 2], 'vector'],
    ['Float32Array', new Float32Array([1]), 'vector'],
    ['HalfVector', new HalfVector([1, 2]), 'halfvec'],
    ['SparseVector', new SparseVector({ 0: 1 }, 3), 'sparsevec'],
    ['{indices,values,dimensions}', { indices: [0], values: [1], dimensions: 3 }, 'sparsevec'],
    ['Bit', new Bit('101'), 'bit'],
    ['0/1 string', '0110', 'bit'],
  ])('%s → %s', (_label, value, expected) => {
    expect(typeOfValue(value)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['a text string', 'hello'],
    ['an empty string', ''],
    ['a number', 3],
    ['null', null],
    ['a plain object', { a: 1 }],
  ])('refuses %s with INVALID_VALUE', (_label, value) => {
    expect(codeOf(() => typeOfValue(value))).toBe('INVALID_VALUE');
  });
});
