import { describe, expect, it } from 'vitest';
import { Bit, SparseVector, buildSimilarityQuery, type SimilarityQueryOptions, type SqlQuery } from 'vecpg';
import { castExpression, distanceSql, exactOrderSql } from 'vecpg/sql';
import { codeOf } from '../support/errors.ts';

const base = { table: 'items', column: 'embedding', query: [1, 2, 3] } as const;

describe('fragments', () => {
  it('distanceSql and exactOrderSql', () => {
    expect(distanceSql('"embedding"', 'vector', 'cosine', '$1::vector')).toBe('"embedding" <=> $1::vector');
    expect(distanceSql('"b"', 'bit', 'jaccard', '$2::bit(8)')).toBe('"b" <%> $2::bit(8)');
    expect(exactOrderSql('"embedding" <-> $1::vector')).toBe('("embedding" <-> $1::vector) + 0');
    expect(codeOf(() => distanceSql('"b"', 'bit', 'l2', '$1'))).toBe('UNSUPPORTED');
  });
});

describe('buildSimilarityQuery', () => {
  it.each<[string, SimilarityQueryOptions, SqlQuery]>([
    [
      '1. order only (exact)',
      { ...base, distance: 'cosine', annotate: false, k: 10 },
      { text: 'SELECT * FROM "items" ORDER BY ("embedding" <=> $1::vector) + 0 LIMIT $2', values: ['[1,2,3]', 10] },
    ],
    [
      '1. order only (approximate)',
      { ...base, distance: 'cosine', annotate: false, k: 10, exact: false },
      { text: 'SELECT * FROM "items" ORDER BY "embedding" <=> $1::vector LIMIT $2', values: ['[1,2,3]', 10] },
    ],
    [
      '2. annotate only',
      { ...base, distance: 'l2', orderBy: false },
      { text: 'SELECT *, "embedding" <-> $1::vector AS "distance" FROM "items"', values: ['[1,2,3]'] },
    ],
    [
      '3. annotate + filter + order',
      { ...base, distance: 'cosine', maxDistance: 0.2 },
      {
        text: 'SELECT *, ("embedding" <=> $1::vector) + 0 AS "distance" FROM "items" WHERE "embedding" <=> $1::vector < $2 ORDER BY ("embedding" <=> $1::vector) + 0',
        values: ['[1,2,3]', 0.2],
      },
    ],
    [
      'select list, equality filters, IS NULL, k, offset',
      {
        ...base,
        table: ['app', 'Items'],
        distance: 'ip',
        select: ['id', 'title'],
        where: { category: 'x', tenant_id: 3, deleted_at: null },
        k: 5,
        offset: 10,
        distanceAlias: 'score',
      },
      {
        text:
          'SELECT "id", "title", ("embedding" <#> $1::vector) + 0 AS "score" FROM "app"."Items" WHERE "category" = $2 AND "tenant_id" = $3 AND "deleted_at" IS NULL ' +
          'ORDER BY ("embedding" <#> $1::vector) + 0 LIMIT $4 OFFSET $5',
        values: ['[1,2,3]', 'x', 3, 5, 10],
      },
    ],
    [
      'sparsevec, L1, inferred type',
      { table: 't', column: 'f', query: new SparseVector({ 0: 5.1, 42: 1 }, 10000), distance: 'l1', k: 1 },
      {
        text: 'SELECT *, ("f" <+> $1::sparsevec) + 0 AS "distance" FROM "t" ORDER BY ("f" <+> $1::sparsevec) + 0 LIMIT $2',
        values: ['{1:5.1,43:1}/10000', 1],
      },
    ],
    [
      'halfvec by explicit type',
      { ...base, type: 'halfvec', distance: 'l2', k: 3 },
      {
        text: 'SELECT *, ("embedding" <-> $1::halfvec) + 0 AS "distance" FROM "items" ORDER BY ("embedding" <-> $1::halfvec) + 0 LIMIT $2',
        values: ['[1,2,3]', 3],
      },
    ],
    [
      'bit with hamming: cast to the value length',
      { table: 't', column: 'b', query: new Bit('1010'), distance: 'hamming', k: 2 },
      {
        text: 'SELECT *, ("b" <~> $1::bit(4)) + 0 AS "distance" FROM "t" ORDER BY ("b" <~> $1::bit(4)) + 0 LIMIT $2',
        values: ['1010', 2],
      },
    ],
    [
      'bit string with jaccard',
      { table: 't', column: 'b', query: '0110', distance: 'jaccard', annotate: false, exact: false, k: 2 },
      { text: 'SELECT * FROM "t" ORDER BY "b" <%> $1::bit(4) LIMIT $2', values: ['0110', 2] },
    ],
    [
      'an expression index target',
      {
        table: 'items',
        expression: castExpression('embedding', 'halfvec', 3),
        query: [1, 2, 3],
        type: 'halfvec',
        distance: 'cosine',
        annotate: false,
        exact: false,
        k: 5,
      },
      {
        text: 'SELECT * FROM "items" ORDER BY ("embedding"::halfvec(3)) <=> $1::halfvec LIMIT $2',
        values: ['[1,2,3]', 5],
      },
    ],
  ])('%s', (_label, options, expected) => {
    expect(buildSimilarityQuery(options)).toEqual(expected);
  });

  it('binds what looks like injection and quotes identifiers', () => {
    const q = buildSimilarityQuery({
      ...base,
      table: 'x"; DROP TABLE y; --',
      distance: 'l2',
      where: { 'a"b': "'; DROP TABLE z; --" },
    });
    expect(q.text).toBe(
      'SELECT *, ("embedding" <-> $1::vector) + 0 AS "distance" FROM "x""; DROP TABLE y; --" WHERE "a""b" = $2 ORDER BY ("embedding" <-> $1::vector) + 0',
    );
    expect(q.values).toEqual(['[1,2,3]', "'; DROP TABLE z; --"]);
  });

  it.each<[string, Partial<SimilarityQueryOptions>, string]>([
    ['an unknown distance', { distance: 'dot' as 'l2' }, 'INVALID_OPTION'],
    ['hamming on a vector', { distance: 'hamming' }, 'UNSUPPORTED'],
    ['a NaN query', { query: [1, NaN, 3] }, 'NOT_FINITE'],
    ['an untypable query', { query: 'hello' }, 'INVALID_VALUE'],
    ['k = 0', { k: 0 }, 'INVALID_OPTION'],
    ['k = 1.5', { k: 1.5 }, 'INVALID_OPTION'],
    ['a negative offset', { offset: -1 }, 'INVALID_OPTION'],
    ['a NaN maxDistance', { maxDistance: NaN }, 'INVALID_OPTION'],
    ['an undefined filter', { where: { tenant_id: undefined as unknown as null } }, 'INVALID_OPTION'],
    ['an empty select', { select: [] }, 'INVALID_OPTION'],
    ['a column and an expression', { expression: '"e"::halfvec(3)' }, 'INVALID_OPTION'],
    ['an empty column name', { column: '' }, 'INVALID_IDENTIFIER'],
  ])('refuses %s', (_label, patch, code) => {
    expect(codeOf(() => buildSimilarityQuery({ ...base, distance: 'l2', ...patch }))).toBe(code);
  });
});
