/**
 * docs/vector-math.md's example, run: the doc's code block is this test's body (checked below), and the
 * values in its comments are asserted here. They were checked against pgvector's functions in psql;
 * test/integration/vector-math.test.ts compares the functions with the server on random data.
 */
import { expect, it } from 'vitest';
import { HalfVector, Vector, add, binaryQuantize, concat, l2Norm, l2Normalize, multiply, subvector } from 'vecpg';
import { expectDocBlocksIn } from '../support/doc-blocks.ts';

it('the vector math example prints what the doc says', () => {
  const v = new Vector([3, 4, 0, -1]);
  const norm = l2Norm(v); // 5.0990195135927845, like SELECT vector_norm('[3,4,0,-1]')
  const unit = l2Normalize(v); // [0.5883484,0.78446454,0,-0.19611613]
  const head = subvector(v, 0, 2); // [3,4]: 0-based start, SQL's subvector(v, 1, 2)
  const bits = binaryQuantize(v); // 1100: one bit per element, set where it is > 0
  const sum = add(v, [1, 1, 1, 1]); // [4,5,1,0]
  const both = concat(head, [7]); // [3,4,7]
  const half = multiply(new HalfVector([0.1, 2]), new HalfVector([3, 3])); // [0.2998047,6]: rounded to float16

  expect(norm).toBe(5.0990195135927845);
  expect(unit.toSql()).toBe('[0.5883484,0.78446454,0,-0.19611613]');
  expect(head.toSql()).toBe('[3,4]');
  expect(bits.toString()).toBe('1100');
  expect(sum.toSql()).toBe('[4,5,1,0]');
  expect(both.toSql()).toBe('[3,4,7]');
  expect(half.toSql()).toBe('[0.2998047,6]');
});

it('docs/vector-math.md shows exactly this example', async () => {
  await expectDocBlocksIn('docs/vector-math.md', 'test/unit/vector-math-doc.test.ts', {
    languages: ['ts'],
    minBlocks: 1,
  });
});
