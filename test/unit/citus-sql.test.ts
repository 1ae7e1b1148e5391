import { describe, expect, it } from 'vitest';
import { distributeTableSql, referenceTableSql } from 'vecpg';
import { inlineParameters } from 'vecpg/sql';
import { codeOf } from '../support/errors.ts';

describe('Citus SQL helpers', () => {
  it.each<[string, unknown[], string]>([
    ['SELECT $1::vector LIMIT $2', ['[1,2]', 5], "SELECT '[1,2]'::vector LIMIT 5"],
    ['SELECT $1, $10', ['a', 2, 3, 4, 5, 6, 7, 8, 9, 'ten'], "SELECT 'a', 'ten'"],
    ["SELECT 'it''s $1', $1", ["o'k"], "SELECT 'it''s $1', 'o''k'"],
    ['SELECT "col$1" FROM "t""$2" WHERE x = $1', [null], 'SELECT "col$1" FROM "t""$2" WHERE x = NULL'],
    ['SELECT $1, $2', [true, 12n], 'SELECT true, 12'],
  ])('inlineParameters(%j)', (text, values, expected) => {
    expect(inlineParameters(text, values)).toBe(expected);
  });

  it('inlineParameters refuses a missing value or a value it cannot write', () => {
    expect(codeOf(() => inlineParameters('SELECT $2', [1]))).toBe('INVALID_OPTION');
    expect(codeOf(() => inlineParameters('SELECT $1', [new Uint8Array(1)]))).toBe('UNSUPPORTED');
  });

  it('distributeTableSql binds every value and checks the shard count', () => {
    expect(distributeTableSql(['app', 'items'], { column: 'tenant_id' })).toEqual({
      text: 'SELECT create_distributed_table($1, $2)',
      values: ['"app"."items"', 'tenant_id'],
    });
    expect(distributeTableSql('items', { column: 'id', shardCount: 8, colocateWith: 'docs' })).toEqual({
      text: 'SELECT create_distributed_table($1, $2, shard_count => $3, colocate_with => $4)',
      values: ['"items"', 'id', 8, '"docs"'],
    });
    expect(codeOf(() => distributeTableSql('items', { column: 'id', shardCount: 0 }))).toBe('INVALID_OPTION');
    expect(codeOf(() => distributeTableSql('items', { column: '' }))).toBe('INVALID_OPTION');
    expect(referenceTableSql('tags')).toEqual({ text: 'SELECT create_reference_table($1)', values: ['"tags"'] });
  });
});
