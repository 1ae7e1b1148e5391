import { describe, expect, it } from 'vitest';
import { distancesUsedOn, opclassDistance, percentile, recallAt } from 'vecpg/tune';

describe('distancesUsedOn (reading pg_stat_statements texts)', () => {
  it.each([
    ['SELECT * FROM items ORDER BY embedding <=> $1 LIMIT $2', ['cosine']],
    ['SELECT * FROM "items" ORDER BY "embedding" <-> $1::vector LIMIT $2', ['l2']],
    ['SELECT i.embedding <#> $1 AS d, embedding <+> $2 FROM items i', ['ip', 'l1']],
    ['SELECT other_embedding <=> $1 FROM items', []],
    ['SELECT bits <~> $1, bits <%> $2 FROM t', []],
  ])('%s', (sql, expected) => {
    expect(distancesUsedOn('embedding', [sql])).toEqual(expected);
  });
  it('bit operators', () => {
    expect(distancesUsedOn('bits', ['SELECT bits <~> $1, bits <%> $2 FROM t'])).toEqual(['hamming', 'jaccard']);
  });
});

describe('opclassDistance', () => {
  it.each([
    ['vector_l2_ops', 'l2'],
    ['halfvec_ip_ops', 'ip'],
    ['sparsevec_cosine_ops', 'cosine'],
    ['vector_l1_ops', 'l1'],
    ['bit_hamming_ops', 'hamming'],
    ['bit_jaccard_ops', 'jaccard'],
    ['int4_ops', null],
  ])('%s → %s', (opclass, expected) => {
    expect(opclassDistance(opclass)).toBe(expected);
  });
});

describe('stats', () => {
  it('percentile by nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        0.95,
      ),
    ).toBe(95);
    expect(percentile([], 0.5)).toBeNaN();
  });
  it('recallAt', () => {
    expect(recallAt([1, 2, 3], [3, 1, 9])).toBeCloseTo(2 / 3, 15);
    expect(recallAt([], [1])).toBe(1);
    expect(recallAt(['(0,1)'], ['(0,1)'])).toBe(1);
  });
});
