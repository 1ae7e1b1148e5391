/**
 * The HNSW build-memory estimate against what pgvector 0.8.0 reported on PostgreSQL 15: each row is a
 * serial build whose NOTICE "hnsw graph no longer fits into maintenance_work_mem after N tuples" came at
 * N tuples with that maintenance_work_mem (bench/hnsw-memory.ts), plus issue 16's 341,479 × 100-d build.
 */
import { describe, expect, it } from 'vitest';
import { estimateHnswBuildMemory, memorySetting } from '../../src/tune/build-memory.ts';

// [dimensions, m, maintenance_work_mem kB, tuples that fitted]
const MEASURED: Array<[number, number, number, number]> = [
  [32, 8, 8232, 12783],
  [32, 16, 11982, 12696],
  [32, 32, 19482, 14061],
  [100, 8, 12217, 12440],
  [100, 16, 15967, 13330],
  [100, 32, 23467, 13645],
  [384, 8, 28857, 14218],
  [384, 16, 32607, 14037],
  [384, 32, 40107, 14466],
  [768, 8, 51357, 14544],
  [768, 16, 55107, 14415],
  [768, 32, 62607, 14646],
  [100, 16, 269 * 1024, 256_855],
];

describe('estimateHnswBuildMemory', () => {
  it.each(MEASURED)(
    '%i dimensions, m=%i: the memory in which pgvector held the graph: at most 5% short, 8% over',
    (d, m, kb, tuples) => {
      const estimate = estimateHnswBuildMemory({ rows: tuples, type: 'vector', dimensions: d, m });
      expect(estimate / (kb * 1024)).toBeGreaterThan(0.95);
      expect(estimate / (kb * 1024)).toBeLessThan(1.08);
    },
  );

  it("issue 16's build: the old estimate (269 MB) was short; the new one asks for more than pgvector used", () => {
    const need = estimateHnswBuildMemory({ rows: 341_479, type: 'vector', dimensions: 100, m: 16 });
    expect(need).toBeGreaterThan(269 * 1024 * 1024 * (341_479 / 256_855) * 0.97);
    expect(memorySetting(need)).toBe(`${Math.ceil((need * 1.05) / 1048576)}MB`);
  });

  it('value sizes: halfvec and bit from their dimensions, sparsevec from the average stored size', () => {
    const half = estimateHnswBuildMemory({ rows: 1000, type: 'halfvec', dimensions: 100, m: 16 });
    const full = estimateHnswBuildMemory({ rows: 1000, type: 'vector', dimensions: 100, m: 16 });
    expect(full - half).toBe(1000 * 200);
    const sparse = estimateHnswBuildMemory({
      rows: 1000,
      type: 'sparsevec',
      dimensions: 30000,
      m: 16,
      avgValueBytes: 416,
    });
    expect(sparse - full).toBe(1000 * 8);
    expect(estimateHnswBuildMemory({ rows: 0, type: 'vector', dimensions: 3 })).toBe(0);
  });
});
