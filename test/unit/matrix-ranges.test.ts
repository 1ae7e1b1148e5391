// The version matrix's peer-range check (scripts/matrix/ranges.mjs): the comparators package.json uses,
// with npm's meaning (cases worked out by hand from npm's semver rules), and the check that a range
// claims no more than the lines that passed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkPeerRanges, older, satisfies } from '../../scripts/matrix/ranges.mjs';

describe('matrix peer ranges', () => {
  it('orders versions numerically, not as text', () => {
    expect(older('0.5.8', '0.5.14')).toBe(true);
    expect(older('0.5.14', '0.5.8')).toBe(false);
    expect(older('6.6.16', '7.0.1')).toBe(true);
    expect(older('1.0.0', '1.0.0')).toBe(false);
  });

  it.each([
    // caret: next major; below 1.0.0 next minor; below 0.1.0 next patch
    ['6.6.0', '^6.6.0', true],
    ['6.99.1', '^6.6.0', true],
    ['6.5.9', '^6.6.0', false],
    ['7.0.0', '^6.6.0', false],
    ['0.3.20', '^0.3.20', true],
    ['0.3.31', '^0.3.20', true],
    ['0.3.19', '^0.3.20', false],
    ['0.4.0', '^0.3.20', false],
    ['0.0.9', '^0.0.9', true],
    ['0.0.10', '^0.0.9', false],
    // comparator sets
    ['0.30.10', '>=0.30.10 <0.46.0', true],
    ['0.45.99', '>=0.30.10 <0.46.0', true],
    ['0.46.0', '>=0.30.10 <0.46.0', false],
    ['0.30.9', '>=0.30.10 <0.46.0', false],
    ['7.0.0', '>=7.0.1 <8.0.0', false],
    ['7.0.1', '>=7.0.1 <8.0.0', true],
    ['1.2.3', '>1.2.3', false],
    ['1.2.3', '<=1.2.3', true],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '=1.2.3', false],
  ])('%s in %s: %s', (version, range, inside) => {
    expect(satisfies(version, range)).toBe(inside);
  });

  it('refuses a comparator it cannot read (a partial version), instead of guessing', () => {
    expect(() => satisfies('6.37.0', '>=6.37 <7')).toThrow(/>=6.37 is not op \+ x.y.z/);
  });

  it('reads every peer range in package.json', () => {
    const { peerDependencies } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      peerDependencies: Record<string, string>;
    };
    for (const range of Object.values(peerDependencies))
      for (const alternative of range.split('||')) expect(() => satisfies('1.0.0', alternative)).not.toThrow();
  });

  it('names a lower end no line ran, an alternative no line is in, and a passing version outside the range', () => {
    const passed = [{ deps: { kysely: '0.27.6' } }, { deps: { kysely: '0.29.9', typeorm: '1.1.1' } }];
    const { problems, rows } = checkPeerRanges({ kysely: '>=0.27.0 <0.29.0', typeorm: '^0.3.20 || ^1.1.1' }, passed);
    expect(problems).toEqual([
      'kysely: the lower end of ">=0.27.0 <0.29.0" (0.27.0) is not a version that passed',
      'kysely: 0.29.9 passed but is outside the peer range ">=0.27.0 <0.29.0"',
      'typeorm: the lower end of "^0.3.20" (0.3.20) is not a version that passed',
      'typeorm: no passing line inside "^0.3.20"',
    ]);
    expect(rows).toEqual([
      '| kysely | `>=0.27.0 <0.29.0` | 0.27.6, 0.29.9 |',
      '| typeorm | `^0.3.20 \\|\\| ^1.1.1` | 1.1.1 |',
    ]);
  });

  it('finds nothing to say when the ranges are what passed', () => {
    const passed = [{ deps: { kysely: '0.27.0' } }, { deps: { kysely: '0.29.9' } }];
    expect(checkPeerRanges({ kysely: '>=0.27.0 <0.30.0' }, passed).problems).toEqual([]);
  });
});
