/**
 * The index a two-stage search orders its candidates by, for the index helpers of every integration:
 * the expression comes from {@link quantizedExpression}, so the index and the search's ORDER BY are the
 * same text (a search whose ORDER BY differs by one cast would silently scan instead).
 */
import { VecpgError, describeValue } from '../errors.ts';
import type { CreateIndexOptions } from './ddl.ts';
import { type QuantizedForm, quantizedExpression } from './rerank.ts';

/**
 * Turn the options of a column index into those of its quantized expression index: `binary` indexes
 * `binary_quantize(col)::bit(n)` with Hamming distance (whatever distance the re-rank uses), `halfvec`
 * indexes `col::halfvec(n)` with the same distance. Needs `column` and `dimensions`.
 *
 * @example
 * quantizedIndexOptions({ table: 'items', column: 'embedding', type: 'vector', distance: 'cosine', dimensions: 768 }, 'binary');
 * // { table: 'items', expression: 'binary_quantize("embedding")::bit(768)', type: 'bit', distance: 'hamming', dimensions: 768, … }
 */
export function quantizedIndexOptions(options: CreateIndexOptions, quantize: QuantizedForm): CreateIndexOptions {
  if (quantize !== 'binary' && quantize !== 'halfvec') {
    throw new VecpgError('INVALID_OPTION', `quantize must be 'binary' or 'halfvec', got ${describeValue(quantize)}`, {
      details: { option: 'quantize' },
    });
  }
  const { column, dimensions, type } = options;
  if (column === undefined || dimensions === undefined) {
    throw new VecpgError('INVALID_OPTION', 'a quantized index needs the column and its dimensions', {
      details: { option: 'quantize' },
    });
  }
  if (type !== 'vector' && type !== 'halfvec') {
    throw new VecpgError('UNSUPPORTED', `quantize applies to vector and halfvec columns; ${column} is ${type}`, {
      details: { option: 'quantize' },
    });
  }
  const { column: _column, ...rest } = options;
  return {
    ...rest,
    expression: quantizedExpression(column, quantize, dimensions, type),
    type: quantize === 'binary' ? 'bit' : 'halfvec',
    distance: quantize === 'binary' ? 'hamming' : options.distance,
  };
}
