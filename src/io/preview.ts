/** How a dry run shows the first rows: pgvector's stored text next to vecpg's 0-based view. */
import { isSparseVector } from '../types/sparsevec.ts';
import { formatFloat32 } from '../types/float.ts';
import type { VectorValue } from './convert.ts';
import type { SourceRecord } from './record.ts';

export interface PreviewRow {
  /** Line (or record number) in the input. */
  readonly line: number;
  /** What the server will store, in pgvector's text (sparse indices 1-based). */
  readonly stored: string;
  /** The same vector with 0-based indices, as vecpg and pgvector-python's `SparseVector({0: 5.5}, n)` count. */
  readonly zeroBased: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Preview of one record as it will be stored.
 *
 * @example
 * previewOf(record, new SparseVector({ 0: 1, 2: 2 }, 5)); // { stored: '{1:1,3:2}/5', zeroBased: '{0: 1, 2: 2} (5 dimensions, 0-based)', … }
 */
export function previewOf(record: SourceRecord, value: VectorValue): PreviewRow {
  const stored = value.toSql();
  let zeroBased = stored;
  if (isSparseVector(value)) {
    const values = value.values;
    const pairs = value.indices.map((i, k) => `${i}: ${formatFloat32(values[k]!)}`);
    zeroBased = `{${pairs.join(', ')}} (${value.dimensions} dimensions, 0-based)`;
  }
  return { line: record.line, stored, zeroBased, fields: record.fields };
}
