/**
 * The SQL builders of src/sql/aggregates.ts: text for each aggregate, identifiers through the one quoter,
 * and the refusals (unknown aggregate, sparsevec/bit, bad identifiers) before any SQL exists.
 */
import { describe, expect, it } from 'vitest';
import { vectorAggregateSql } from 'vecpg';
import {
  aggregateExpressionSql,
  buildAggregateQuery,
  checkAggregate,
  checkAggregateType,
  parseAggregate,
} from 'vecpg/sql';
import { codeOf } from '../support/errors.ts';

describe('vector aggregate SQL', () => {
  it.each([
    [['avg', 'embedding'], 'avg("embedding")'],
    [['sum', 'embedding'], 'sum("embedding")'],
    [['avg', 'my "col"'], 'avg("my ""col""")'],
  ] as const)('vectorAggregateSql(%j) = %s', ([aggregate, column], expected) => {
    expect(vectorAggregateSql(aggregate, column)).toBe(expected);
  });

  it('builds grouped and ungrouped queries that skip NULL vectors and return no row for nothing', () => {
    expect(buildAggregateQuery('avg', { table: ['s', 'items'], column: 'embedding', groupBy: 'category' })).toEqual({
      text: 'SELECT "category" AS "group", avg("embedding")::text AS "value", count(*) AS "count" FROM "s"."items" WHERE "embedding" IS NOT NULL GROUP BY "category" HAVING count(*) > 0 ORDER BY "category"',
      values: [],
    });
    expect(buildAggregateQuery('sum', { table: 'items', column: 'half' }).text).toBe(
      'SELECT sum("half")::text AS "value", count(*) AS "count" FROM "items" WHERE "half" IS NOT NULL HAVING count(*) > 0',
    );
  });

  it.each([
    [() => checkAggregate('max'), 'INVALID_OPTION'],
    [() => aggregateExpressionSql('count' as 'avg', '"x"'), 'INVALID_OPTION'],
    [() => checkAggregateType('sparsevec', 'features'), 'UNSUPPORTED'],
    [() => checkAggregateType('bit', 'hash'), 'UNSUPPORTED'],
    [() => checkAggregateType('int4', 'id'), 'UNSUPPORTED'],
    [() => vectorAggregateSql('avg', ''), 'INVALID_IDENTIFIER'],
    [() => buildAggregateQuery('avg', { table: 'items', column: 'e', groupBy: 'a\0b' }), 'INVALID_IDENTIFIER'],
    [() => parseAggregate(42, 'vector'), 'INVALID_VALUE'],
  ])('refuses %#', (call, code) => {
    expect(codeOf(call)).toBe(code);
  });

  it('names the column and its type when refusing', () => {
    expect(() => checkAggregateType('sparsevec', 'features')).toThrow(/"features".*"sparsevec"/);
  });

  it('parses an aggregate as the column type: float32 for vector, float16 for halfvec', () => {
    expect(parseAggregate('[0.1,2]', 'vector')?.toArray()).toEqual([Math.fround(0.1), 2]);
    expect(parseAggregate('[0.1,2]', 'halfvec')?.toArray()).toEqual([0.0999755859375, 2]); // nearest float16 to 0.1
    expect(parseAggregate(null, 'vector')).toBeNull();
  });
});
