import { describe, expect, it } from 'vitest';
import { quoteIdent, quoteQualified } from 'vecpg';
import { codeOf } from '../support/errors.ts';

describe('quoteIdent', () => {
  it.each([
    ['items', '"items"'],
    ['Items', '"Items"'],
    ['my table', '"my table"'],
    ['a"b', '"a""b"'],
    ['"', '""""'],
    ['a.b', '"a.b"'],
    ['select', '"select"'],
    ['émbedding', '"émbedding"'],
    ['x'.repeat(63), `"${'x'.repeat(63)}"`],
    ['é'.repeat(31), `"${'é'.repeat(31)}"`], // 62 bytes
  ])('%j → %s', (input, expected) => {
    expect(quoteIdent(input)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['NUL', 'a\0b'],
    ['64 ASCII bytes', 'x'.repeat(64)],
    ['64 UTF-8 bytes in 32 characters', 'é'.repeat(32)],
    ['not a string', 42 as unknown as string],
  ])('refuses %s with INVALID_IDENTIFIER', (_label, input) => {
    expect(codeOf(() => quoteIdent(input))).toBe('INVALID_IDENTIFIER');
  });

  it('names the bad value and the position of a NUL', () => {
    expect(() => quoteIdent('ab\0c')).toThrow(/"ab\\u0000c".*position 2/);
  });
});

describe('quoteQualified', () => {
  it.each<[string | string[], string]>([
    ['items', '"items"'],
    ['a.b', '"a.b"'], // never split on dots
    [['public', 'items'], '"public"."items"'],
    [['my.schema', 'a.b'], '"my.schema"."a.b"'],
    [['db', 'public', 'items'], '"db"."public"."items"'],
  ])('%j → %s', (input, expected) => {
    expect(quoteQualified(input)).toBe(expected);
  });

  it.each<[string, unknown]>([
    ['no parts', []],
    ['four parts', ['a', 'b', 'c', 'd']],
    ['an empty part', ['public', '']],
    ['a number', 7],
  ])('refuses %s with INVALID_IDENTIFIER', (_label, input) => {
    expect(codeOf(() => quoteQualified(input as string))).toBe('INVALID_IDENTIFIER');
  });
});
