import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Bit, HalfVector, SparseVector, Vector } from 'vecpg';

describe('util.inspect / console.log of the value types', () => {
  it.each([
    [new Vector([0.5, 0.2, 0.9]), 'Vector(3) [0.5, 0.2, 0.9]'],
    // float16: 0.1 is stored as 0.0999755859375, printed in its shortest float32 form as the server prints halfvec
    [new HalfVector([0.1, 2]), 'HalfVector(2) [0.099975586, 2]'],
    // 0-based indices, as in toObject(); 1.2 is the float32 1.2000000476837158, printed as the server prints it
    [new SparseVector({ 0: 5.5, 42: 1.2 }, 10000), 'SparseVector(10000, nnz 2) {0: 5.5, 42: 1.2}'],
    [new SparseVector({}, 5), 'SparseVector(5, nnz 0) {}'],
    [Bit.fromBytes(new Uint8Array([0xfe, 0x07, 0x00]), 24), 'Bit(24) 111111100000011100000000'],
  ])('%s', (value, expected) => {
    expect(inspect(value)).toBe(expected);
  });

  it('truncates long vectors after the first 10 values', () => {
    const v = new Vector(Array.from({ length: 1536 }, (_, i) => i));
    expect(inspect(v)).toBe('Vector(1536) [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … 1526 more]');
    const h = new HalfVector(Array.from({ length: 12 }, () => 1));
    expect(inspect(h)).toBe('HalfVector(12) [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, … 2 more]');
    const entries: Record<number, number> = {};
    for (let i = 0; i < 25; i++) entries[i * 100] = 1;
    expect(inspect(new SparseVector(entries, 100000))).toBe(
      'SparseVector(100000, nnz 25) {0: 1, 100: 1, 200: 1, 300: 1, 400: 1, 500: 1, 600: 1, 700: 1, 800: 1, 900: 1, … 15 more non-zeros}',
    );
    const b = new Bit('10'.repeat(50));
    expect(inspect(b)).toBe(`Bit(100) ${'10'.repeat(32)}… 36 more bits`);
  });

  it('nested in an object or array (an ORM entity, a result row)', () => {
    const row = { id: 1n, embedding: new Vector([1, 2]), features: new SparseVector({ 3: 1 }, 6) };
    expect(inspect(row, { breakLength: Infinity })).toBe(
      '{ id: 1n, embedding: Vector(2) [1, 2], features: SparseVector(6, nnz 1) {3: 1} }',
    );
    expect(inspect([new Bit('101')])).toBe('[ Bit(3) 101 ]');
  });

  it('toString() stays the pgvector text (what drivers send)', () => {
    expect(String(new SparseVector({ 0: 5.5, 42: 1.2 }, 10000))).toBe('{1:5.5,43:1.2}/10000');
    expect(`${new Vector([1, 2])}`).toBe('[1,2]');
  });
});
