/**
 * How much memory an HNSW build needs to hold its graph in `maintenance_work_mem`, calibrated against
 * real pgvector 0.8 builds (bench/hnsw-memory.ts reads the server's "hnsw graph no longer fits into
 * maintenance_work_mem after N tuples" notice). One estimate for `vecpg doctor` and `vecpg index create`.
 */
import type { VectorType } from '../sql/operators.ts';

/** Inputs of {@link estimateHnswBuildMemory}. */
export interface HnswBuildMemoryInput {
  /** Rows with a non-NULL value (the rows the graph holds). */
  rows: number;
  /** HNSW `m` (default 16). */
  m?: number | undefined;
  /** Column type and dimensions, to compute each value's size (dense types). */
  type?: VectorType | undefined;
  dimensions?: number | null | undefined;
  /** Average stored value size in bytes (e.g. `avg(pg_column_size(col))`), used when the size cannot be computed (sparsevec). */
  avgValueBytes?: number | undefined;
}

/** pgvector's on-disk / in-memory size of one value (varlena header included), when the type fixes it. */
export function vectorValueBytes(type: VectorType, dimensions: number): number | undefined {
  switch (type) {
    case 'vector':
      return 8 + 4 * dimensions;
    case 'halfvec':
      return 8 + 2 * dimensions;
    case 'bit':
      return 8 + Math.ceil(dimensions / 8);
    case 'sparsevec':
      return undefined;
  }
}

/**
 * Least-squares fit of 12 serial builds (32/100/384/768 dimensions × m 8/16/32, ~13-15k tuples each) and
 * the 341,479 × 100-d build of issue 16 (spilled after 256,855 tuples at 269 MB): every point from 3%
 * below to 7% above what pgvector used (hence the 5% margin of `memorySetting`). Per tuple: the value,
 * ~32 bytes per m (2·m layer-0 neighbours of 16 bytes), 177 bytes of element and allocation overhead;
 * plus 1.7 MB of memory-context blocks. See bench/README.md, "HNSW build memory".
 */
const PER_TUPLE = 177;
const PER_M = 31.6;
const FIXED = 1.7 * 1024 * 1024;

/**
 * Bytes of `maintenance_work_mem` an HNSW build needs to keep the whole graph in memory.
 *
 * @example
 * estimateHnswBuildMemory({ rows: 341_479, type: 'vector', dimensions: 100, m: 16 }); // 374,199,577 bytes (≈ 357 MB)
 */
export function estimateHnswBuildMemory(input: HnswBuildMemoryInput): number {
  const m = input.m ?? 16;
  const computed =
    input.type !== undefined && input.dimensions != null ? vectorValueBytes(input.type, input.dimensions) : undefined;
  const value = computed ?? input.avgValueBytes ?? 0;
  if (input.rows <= 0) return 0;
  return Math.ceil(input.rows * (value + PER_M * m + PER_TUPLE) + FIXED);
}

/**
 * The `maintenance_work_mem` to recommend for an estimate: 5% above it (the fit's largest error),
 * rounded up to whole MB, as `SET maintenance_work_mem` takes it.
 *
 * @example
 * memorySetting(300 * 1024 * 1024); // '315MB'
 */
export function memorySetting(bytes: number): string {
  return `${Math.max(1, Math.ceil((bytes * 1.05) / (1024 * 1024)))}MB`;
}
