import { type OptionHint, VecpgError, optionHintText } from '../errors.ts';

/**
 * The one place where index bases meet. vecpg's sparse indices are 0-based everywhere in memory
 * and on pgvector's binary wire; pgvector's *text* format (and files such as libsvm or
 * MatrixMarket) count from 1. Every conversion goes through these functions.
 */
export type IndexBase = 0 | 1;

/** pgvector's sparsevec text format counts from 1. */
export const SPARSEVEC_TEXT_INDEX_BASE: IndexBase = 1;

/** A 0-based index written in a format counting from `base`. */
export function toBase(index: number, base: IndexBase): number {
  return index + base;
}

/**
 * An index read from a format counting from `base`, as vecpg's 0-based index. Refuses an index
 * below the base (a 0 in a 1-based file is the classic off-by-one) with INVALID_SPARSE_INDEX.
 */
export function fromBase(index: number, base: IndexBase, where: string): number {
  if (!Number.isInteger(index) || index < base) {
    const hint: OptionHint | undefined =
      index === 0 && base === 1
        ? { option: 'indexBase', value: 0, text: '(is the data 0-based? then say so with {option})' }
        : undefined;
    throw new VecpgError(
      'INVALID_SPARSE_INDEX',
      `sparse index ${index} at ${where} is invalid: indices in this format start at ${base}${hint ? ` ${optionHintText(hint)}` : ''}`,
      { details: { index, base }, ...(hint ? { hint } : {}) },
    );
  }
  return index - base;
}
