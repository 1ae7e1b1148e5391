import { describe, expect, it } from 'vitest';
import { isVecpgError } from 'vecpg';
import { type RawVector, type VectorColumnSpec, encodeField, importError, toColumnValue } from 'vecpg/load';

const sparse = (indices: number[], values: number[], base: 0 | 1 = 1, dimensions?: number): RawVector => ({
  kind: 'sparse',
  indices,
  values,
  dimensions,
  base,
});

describe('toColumnValue', () => {
  it.each<[string, RawVector, VectorColumnSpec, string]>([
    ['dense → vector', { kind: 'dense', values: [1, 0.5] }, { type: 'vector', dimensions: 2 }, '[1,0.5]'],
    [
      'dense → halfvec (rounded)',
      { kind: 'dense', values: [0.1] },
      { type: 'halfvec', dimensions: undefined },
      '[0.099975586]',
    ],
    [
      'dense → sparsevec',
      { kind: 'dense', values: [1, 0, 2, 0, 3, 0] },
      { type: 'sparsevec', dimensions: 6 },
      '{1:1,3:2,5:3}/6',
    ],
    [
      'sparse (0-based in memory) → sparsevec text (1-based)',
      sparse([0, 2, 4], [1, 2, 3]),
      { type: 'sparsevec', dimensions: 6 },
      '{1:1,3:2,5:3}/6',
    ],
    [
      'sparse states its dimensions',
      sparse([9999], [2], 0, 10000),
      { type: 'sparsevec', dimensions: undefined },
      '{10000:2}/10000',
    ],
    [
      'pgvector sparse text',
      { kind: 'text', text: '{1:5.5,43:1.2}/10000' },
      { type: 'sparsevec', dimensions: 10000 },
      '{1:5.5,43:1.2}/10000',
    ],
    ['bit string', { kind: 'text', text: '0101' }, { type: 'bit', dimensions: 4 }, '0101'],
  ])('%s', (_name, raw, target, text) => {
    expect(toColumnValue(raw, target).toSql()).toBe(text);
  });

  it.each<[string, RawVector, VectorColumnSpec, string, unknown]>([
    [
      'index = dims in a 0-based file',
      sparse([6], [1], 0),
      { type: 'sparsevec', dimensions: 6 },
      'INVALID_SPARSE_INDEX',
      6,
    ],
    [
      'index beyond the column (1-based file)',
      sparse([6], [1], 1),
      { type: 'sparsevec', dimensions: 6 },
      'INVALID_SPARSE_INDEX',
      7,
    ],
    [
      'wrong dense length',
      { kind: 'dense', values: [1, 2] },
      { type: 'vector', dimensions: 3 },
      'DIMENSION_MISMATCH',
      2,
    ],
    ['NaN', { kind: 'dense', values: [1, NaN] }, { type: 'vector', dimensions: 2 }, 'NOT_FINITE', NaN],
    [
      'Infinity in a sparse value',
      sparse([0], [Infinity]),
      { type: 'sparsevec', dimensions: 2 },
      'NOT_FINITE',
      Infinity,
    ],
    ['float32 overflow', { kind: 'dense', values: [1e39] }, { type: 'vector', dimensions: 1 }, 'NOT_FINITE', Infinity],
    [
      'too many non-zeros',
      sparse(
        Array.from({ length: 16_001 }, (_, i) => i),
        new Array<number>(16_001).fill(1),
      ),
      { type: 'sparsevec', dimensions: 20_000 },
      'TOO_MANY_NONZEROS',
      16_001,
    ],
    [
      'duplicate index',
      sparse([1, 1], [1, 2]),
      { type: 'sparsevec', dimensions: 5 },
      'DUPLICATE_SPARSE_INDEX',
      undefined,
    ],
    [
      'unknown dimensions',
      sparse([1], [1]),
      { type: 'sparsevec', dimensions: undefined },
      'INVALID_DIMENSIONS',
      undefined,
    ],
    ['sparse data for a dense column', sparse([1], [1]), { type: 'vector', dimensions: 5 }, 'INVALID_VALUE', undefined],
    [
      'sparse text of other dimensions',
      { kind: 'text', text: '{1:1}/5' },
      { type: 'sparsevec', dimensions: 6 },
      'DIMENSION_MISMATCH',
      5,
    ],
  ])('refuses %s', (_name, raw, target, code, value) => {
    let error: unknown;
    try {
      toColumnValue(raw, target);
    } catch (e) {
      error = e;
    }
    expect(isVecpgError(error) && error.code).toBe(code);
    const wrapped = importError({ file: 'f.svm', line: 7 }, error);
    expect(wrapped.code).toBe('IMPORT_FAILED');
    expect(wrapped.details).toMatchObject({ file: 'f.svm', line: 7, value, reason: code });
    expect(wrapped.message.startsWith('f.svm:7: ')).toBe(true);
    expect(wrapped.cause).toBe(error);
  });

  it('the 0-based hint says which way to go', () => {
    expect(() => toColumnValue(sparse([6], [1], 0), { type: 'sparsevec', dimensions: 6 })).toThrow(
      /is the file 1-based\?/,
    );
  });
});

describe('encodeField refusals', () => {
  it.each<[Parameters<typeof encodeField>[0], unknown]>([
    ['int2', 40_000],
    ['int4', 1.5],
    ['int8', 'x'],
    ['float8', 'abc'],
    ['bool', 'maybe'],
    ['uuid', 'not-a-uuid'],
    ['vector', [1, 2]],
  ])('%s refuses %s', (type, value) => {
    expect(() => encodeField(type, value)).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
  });

  it('CSV text is parsed for typed columns', () => {
    expect(Array.from(encodeField('int4', ' 42 ', true)!)).toEqual([0, 0, 0, 42]);
    expect(Array.from(encodeField('bool', 't', true)!)).toEqual([1]);
    expect(new TextDecoder().decode(encodeField('json', '{"a":1}', true))).toBe('{"a":1}');
    expect(new TextDecoder().decode(encodeField('json', '{"a":1}', false))).toBe('"{\\"a\\":1}"');
  });
});
