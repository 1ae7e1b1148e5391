/**
 * Turning a query vector written as pgvector text into the value type of the column it is
 * compared with, so a wrong length or a malformed literal fails before any SQL runs.
 */
import { VecpgError, describeValue } from '../errors.ts';
import { Bit, isBit } from '../types/bit.ts';
import { HalfVector } from '../types/halfvec.ts';
import { SparseVector } from '../types/sparsevec.ts';
import { Vector } from '../types/vector.ts';
import type { VectorColumnInfo } from '../sql/catalog.ts';

/** A query value of any of the four pgvector types. */
export type QueryVector = Vector | HalfVector | SparseVector | Bit;

/**
 * Parse `text` as the column's type and check its dimensions against the column's.
 *
 * @example
 * parseQueryVector('[1,2,3]', { type: 'vector', dimensions: 3 }) // Vector [1,2,3]
 */
export function parseQueryVector(
  text: string,
  column: Pick<VectorColumnInfo, 'type' | 'dimensions'> & Partial<Pick<VectorColumnInfo, 'column'>>,
): QueryVector {
  const trimmed = text.trim();
  let value: QueryVector;
  switch (column.type) {
    case 'vector':
      value = Vector.fromSql(trimmed);
      break;
    case 'halfvec':
      value = HalfVector.fromSql(trimmed);
      break;
    case 'sparsevec':
      value = SparseVector.fromSql(trimmed);
      break;
    case 'bit':
      value = Bit.fromSql(trimmed);
      break;
  }
  const dims = isBit(value) ? value.length : value.dimensions;
  if (column.dimensions !== null && dims !== column.dimensions) {
    const name = column.column === undefined ? 'the column' : `column ${describeValue(column.column)}`;
    throw new VecpgError(
      'DIMENSION_MISMATCH',
      `query ${describeValue(trimmed)} has ${dims} dimensions but ${name} is ${column.type}(${column.dimensions})`,
      { details: { expected: column.dimensions, actual: dims } },
    );
  }
  return value;
}
