/**
 * From a raw record's vector to the value stored in the target column, with the checks that catch
 * an off-by-one before anything is committed: an index equal to the dimension count in a 0-based
 * file, an index beyond the column's dimensions, a dense row of the wrong length, NaN/Infinity,
 * too many non-zeros. Every failure is the specific VecpgError; the loader wraps it with the file
 * and line (`importError`).
 */
import { type OptionHint, VecpgError, describeValue, optionHintText } from '../errors.ts';
import { Bit } from '../types/bit.ts';
import { parseDenseText } from '../types/dense.ts';
import { HalfVector } from '../types/halfvec.ts';
import { toBase } from '../types/index-base.ts';
import { SPARSE_MAX_NNZ } from '../types/limits.ts';
import { SparseVector } from '../types/sparsevec.ts';
import { Vector } from '../types/vector.ts';
import type { VectorType } from '../sql/operators.ts';
import type { RawVector } from './record.ts';

/** A vector column: its type and declared dimensions (undefined: no typmod). */
export interface VectorColumnSpec {
  readonly type: VectorType;
  readonly dimensions: number | undefined;
}

export type VectorValue = Vector | HalfVector | SparseVector | Bit;

function mismatch(expected: number, actual: number): VecpgError {
  return new VecpgError('DIMENSION_MISMATCH', `expected ${expected} dimensions, not ${actual}`, {
    details: { expected, actual, value: actual },
  });
}

function fromDense(values: ArrayLike<number>, target: VectorColumnSpec): VectorValue {
  if (target.dimensions !== undefined && values.length !== target.dimensions)
    throw mismatch(target.dimensions, values.length);
  switch (target.type) {
    case 'vector':
      return new Vector(values);
    case 'halfvec':
      return new HalfVector(values);
    case 'sparsevec':
      return new SparseVector(values, values.length);
    case 'bit':
      return Bit.fromBooleans(values);
  }
}

function fromSparse(raw: Extract<RawVector, { kind: 'sparse' }>, target: VectorColumnSpec): VectorValue {
  const dims = target.dimensions ?? raw.dimensions;
  if (dims === undefined) {
    const hint: OptionHint = {
      option: 'dimensions',
      text: 'give them with {option}, or load into a column declared with dimensions',
    };
    throw new VecpgError(
      'INVALID_DIMENSIONS',
      `the dimensions of this sparse record are unknown: ${optionHintText(hint)}`,
      { hint },
    );
  }
  if (raw.dimensions !== undefined && target.dimensions !== undefined && raw.dimensions !== target.dimensions) {
    throw mismatch(target.dimensions, raw.dimensions);
  }
  const n = raw.indices.length;
  if (n > SPARSE_MAX_NNZ) {
    throw new VecpgError(
      'TOO_MANY_NONZEROS',
      `record has ${n} non-zero elements; pgvector allows at most ${SPARSE_MAX_NNZ}`,
      { details: { value: n } },
    );
  }
  for (let k = 0; k < n; k++) {
    const index = raw.indices[k]!;
    if (index >= dims) {
      const written = toBase(index, raw.base);
      const baseHint: OptionHint | undefined =
        raw.base === 0 && index === dims
          ? {
              option: 'indexBase',
              value: 1,
              text: `(read as 0-based, index ${written} equals the dimension count: is the file 1-based? then use {option})`,
            }
          : undefined;
      const why = baseHint
        ? optionHintText(baseHint)
        : `(the column has ${dims} dimensions: ${raw.base}-based indices run from ${raw.base} to ${toBase(dims - 1, raw.base)})`;
      throw new VecpgError('INVALID_SPARSE_INDEX', `sparse index ${written} is beyond the ${dims} dimensions ${why}`, {
        details: { index: written, dimensions: dims, value: written },
        ...(baseHint ? { hint: baseHint } : {}),
      });
    }
  }
  if (target.type !== 'sparsevec') {
    throw new VecpgError(
      'INVALID_VALUE',
      `a sparse record cannot go to a ${target.type} column: load it into a sparsevec column`,
    );
  }
  return SparseVector.fromIndices(raw.indices, raw.values, dims);
}

function fromText(text: string, target: VectorColumnSpec): VectorValue {
  const t = text.trim();
  if (t.startsWith('[')) return fromDense(parseDenseText(t, target.type === 'halfvec' ? 'halfvec' : 'vector'), target);
  if (t.startsWith('{')) {
    const s = SparseVector.fromSql(t);
    if (target.type === 'sparsevec') {
      if (target.dimensions !== undefined && s.dimensions !== target.dimensions)
        throw mismatch(target.dimensions, s.dimensions);
      return s;
    }
    return fromDense(s.toArray(), target);
  }
  if (target.type === 'bit') {
    const b = Bit.fromSql(t);
    if (target.dimensions !== undefined && b.length !== target.dimensions) throw mismatch(target.dimensions, b.length);
    return b;
  }
  throw new VecpgError('INVALID_TEXT', `cannot read a ${target.type} from ${describeValue(text)}`, {
    details: { value: text },
  });
}

/**
 * The column value for a raw vector; throws the specific VecpgError when it does not fit.
 *
 * @example
 * toColumnValue({ kind: 'dense', values: [1, 2] }, { type: 'vector', dimensions: 2 }).toSql(); // '[1,2]'
 */
export function toColumnValue(raw: RawVector, target: VectorColumnSpec): VectorValue {
  switch (raw.kind) {
    case 'dense':
      return fromDense(raw.values, target);
    case 'sparse':
      return fromSparse(raw, target);
    case 'text':
      return fromText(raw.text, target);
  }
}

/** The dimension count a raw vector implies on its own (for `create`), if it states one. */
export function rawDimensions(raw: RawVector): number | undefined {
  switch (raw.kind) {
    case 'dense':
      return raw.values.length;
    case 'sparse':
      return raw.dimensions;
    case 'text': {
      const t = raw.text.trim();
      if (t.startsWith('[')) return parseDenseText(t, 'vector').length;
      if (t.startsWith('{')) return SparseVector.fromSql(t).dimensions;
      return /^[01]+$/.test(t) ? t.length : undefined;
    }
  }
}
