/**
 * The filter builder's SQL text and parameters (written out by hand below), the renumbering of
 * sqlFilter placeholders around strings, identifiers, comments and dollar quotes, and the CLI's
 * `--filter` language parsing to the same `Where` object.
 */
import { describe, expect, it } from 'vitest';
import { buildSimilarityQuery, sqlFilter, type SearchFilter } from 'vecpg';
import { parseFilters } from '../../src/cli/filters.ts';
import { codeOf } from '../support/errors.ts';

/** The WHERE clause and the values after the query vector ($1) and before LIMIT. */
function where(filter: SearchFilter): { text: string; values: unknown[] } {
  const q = buildSimilarityQuery({ table: 't', column: 'v', query: [1, 2], distance: 'l2', where: filter });
  const text = /WHERE (.*) ORDER BY/s.exec(q.text)?.[1] ?? '';
  return { text, values: q.values.slice(1) };
}

describe('filterSql through buildSimilarityQuery', () => {
  it.each([
    [{ a: 1 }, '"a" = $2', [1]],
    [{ a: null }, '"a" IS NULL', []],
    [{ a: { gte: 1, lt: 5 } }, '"a" >= $2 AND "a" < $3', [1, 5]],
    [{ a: { in: ['x', 'y'] } }, '"a" IN ($2, $3)', ['x', 'y']],
    [{ a: { notIn: [] } }, '"a" IS NOT NULL', []],
    [{ a: { in: [] } }, 'FALSE', []],
    [{ a: { ne: null, eq: 2 } }, '"a" IS NOT NULL AND "a" = $2', [2]],
    [{ 'we"ird': { isNull: true } }, '"we""ird" IS NULL', []],
    [sqlFilter('a < $1 AND b = $1', [3]), '(a < $2 AND b = $2)', [3]],
    [sqlFilter('b = $2 AND a = $1', ['one', 'two']), '(b = $2 AND a = $3)', ['two', 'one']],
    [
      sqlFilter(`x = '$1' AND "$1" = $1 AND y = E'\\'$1' -- $1\n AND z = $1 /* $1 /* $1 */ */`, [7]),
      `(x = '$1' AND "$1" = $2 AND y = E'\\'$1' -- $1\n AND z = $2 /* $1 /* $1 */ */)`,
      [7],
    ],
    [
      sqlFilter('f($$ $1 $$) AND g($tag$ $1 $tag$) = $1 AND a$1 = 0', [1]),
      '(f($$ $1 $$) AND g($tag$ $1 $tag$) = $2 AND a$1 = 0)',
      [1],
    ],
    [sqlFilter`a BETWEEN ${1} AND ${9}`, '(a BETWEEN $2 AND $3)', [1, 9]],
    [[{ a: 1 }, sqlFilter('b < $1', [2])], '"a" = $2 AND (b < $3)', [1, 2]],
  ] as Array<[SearchFilter, string, unknown[]]>)('filter #%#', (filter, text, values) => {
    expect(where(filter)).toEqual({ text, values });
  });

  it('refuses placeholders without a parameter, unused parameters, unterminated quotes', () => {
    for (const f of [
      sqlFilter('a = $2', [1]),
      sqlFilter('a = $0', [1]),
      sqlFilter('a = 1', [1]),
      sqlFilter('a = "x', []),
      sqlFilter('a = $q$ x', []),
      sqlFilter('a /* x', []),
    ]) {
      expect(
        codeOf(() => where(f)),
        f.text,
      ).toBe('INVALID_OPTION');
    }
  });
});

describe('vecpg --filter parses to the same Where', () => {
  it.each([
    [['category=books'], { category: { eq: 'books' } }],
    [['price<10', 'price >= 1'], { price: { lt: '10', gte: '1' } }],
    [['price<=10', 'price>2', 'tag!=x'], { price: { lte: '10', gt: '2' }, tag: { ne: 'x' } }],
    [['tag <> x'], { tag: { ne: 'x' } }],
    [['tag in (a,b)'], { tag: { in: ['a', 'b'] } }],
    [["tag IN ( a , 'b,c' , 'it''s' )"], { tag: { in: ['a', 'b,c', "it's"] } }],
    [['tag not in (x)'], { tag: { notIn: ['x'] } }],
    [['tag in ()'], { tag: { in: [] } }],
    [['deleted_at is null'], { deleted_at: { isNull: true } }],
    [['deleted_at IS NOT NULL'], { deleted_at: { isNull: false } }],
    [['deleted_at=\\N'], { deleted_at: { isNull: true } }],
    [['deleted_at!=\\N'], { deleted_at: { isNull: false } }],
    [['"odd ""col"" <"<=3'], { 'odd "col" <': { lte: '3' } }],
    [["name=' spaced '"], { name: { eq: ' spaced ' } }],
    [['url=a=b'], { url: { eq: 'a=b' } }],
  ] as Array<[string[], unknown]>)('%j', (items, expected) => {
    expect(parseFilters(items)).toEqual(expected);
  });

  it('refuses what it cannot read', () => {
    for (const bad of [['=x'], ['price'], ['tag in (a'], ['"col<3'], ["tag in ('a)"], ['price<1', 'price<2']]) {
      expect(
        codeOf(() => parseFilters(bad)),
        bad.join(' '),
      ).toBe('INVALID_OPTION');
    }
  });
});
