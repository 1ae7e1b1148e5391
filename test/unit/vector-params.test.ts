import { describe, expect, it } from 'vitest';
import { SparseVector, VecpgError } from 'vecpg';
import { prepareVectorParams, vectorParamCasts } from '../../src/drivers/vector-params.ts';

describe('which parameters a statement casts to a pgvector type', () => {
  it.each([
    ['SELECT $1::vector', [[1, 'vector']]],
    [
      'SELECT $1 :: vector(3), $2::HALFVEC(2), $3::sparsevec(5)',
      [
        [1, 'vector'],
        [2, 'halfvec'],
        [3, 'sparsevec'],
      ],
    ],
    [
      'SELECT $1::public.vector, $2::"extensions"."halfvec"',
      [
        [1, 'vector'],
        [2, 'halfvec'],
      ],
    ],
    [
      'SELECT CAST($1 AS vector(3)), cast( $2 as sparsevec )',
      [
        [1, 'vector'],
        [2, 'sparsevec'],
      ],
    ],
    // not a vector: arrays of vectors, other types, similar names
    ['SELECT $1::vector[], $2::vector(3)[], $3::int[], $4::vectors, $5', []],
  ])('%s', (text, expected) => {
    expect([...vectorParamCasts(text)]).toEqual(expected);
  });
});

describe('prepareVectorParams', () => {
  it('converts arrays cast to a pgvector type, and Float32Array/Float64Array anywhere', () => {
    expect(
      prepareVectorParams('SELECT $1::vector, $2::halfvec, $3::sparsevec', [
        [1, 2, 3],
        new Float32Array([0.5, 1]),
        [0, 1.5, 0],
      ]),
    ).toEqual(['[1,2,3]', '[0.5,1]', '{2:1.5}/3']);
    expect(prepareVectorParams('INSERT INTO t VALUES ($1)', [new Float64Array([1, 2])])).toEqual(['[1,2]']);
  });

  it('leaves int[] and other arrays, strings, bytes and vecpg values alone', () => {
    const bytes = new Uint8Array([0, 1, 0, 0, 63, 128, 0, 0]);
    const sparse = new SparseVector({ 1: 1 }, 3);
    const params = [[1, 2], ['a'], '[1,2]', bytes, sparse];
    expect(prepareVectorParams('SELECT $1::int[], $2::text[], $3::vector, $4::vector, $5::sparsevec', params)).toBe(
      params,
    );
  });

  it('an invalid vector fails with vecpg’s own code', () => {
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return e instanceof VecpgError ? e.code : String(e);
      }
      return undefined;
    };
    expect(codeOf(() => prepareVectorParams('SELECT $1::vector', [[]]))).toBe('EMPTY_VECTOR');
    expect(codeOf(() => prepareVectorParams('SELECT $1::vector', [[1, NaN]]))).toBe('NOT_FINITE');
  });
});
