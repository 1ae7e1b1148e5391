import { VecpgError, describeValue, isVecpgError } from '../errors.ts';

/** Where a bad value was found in an input file. */
export interface InputLocation {
  readonly file: string;
  /** Line of a text file, or the 1-based record number of a binary file. */
  readonly line: number;
  /** The offending value as written (an index, an element, a token), when known. */
  readonly value?: unknown;
}

/**
 * Wrap a problem found while reading or converting a record in an `IMPORT_FAILED` error whose
 * message names the file, the line and the value. The specific error (INVALID_SPARSE_INDEX,
 * NOT_FINITE, DIMENSION_MISMATCH, …) is the `cause`, and its code is `details.reason`.
 *
 * @example
 * importError({ file: 'a.svm', line: 3, value: '0:1.5' }, cause); // "a.svm:3: … (value "0:1.5")"
 */
export function importError(where: InputLocation, cause: unknown): VecpgError {
  if (isVecpgError(cause) && cause.code === 'IMPORT_FAILED') return cause;
  const reason = isVecpgError(cause) ? cause.code : 'INVALID_VALUE';
  const message = cause instanceof Error ? cause.message : String(cause);
  const bad = where.value !== undefined ? where.value : isVecpgError(cause) ? cause.details?.value : undefined;
  const value = bad === undefined ? '' : ` (value ${describeValue(bad)})`;
  return new VecpgError('IMPORT_FAILED', `${where.file}:${where.line}: ${message}${value}`, {
    cause,
    details: { file: where.file, line: where.line, value: bad, reason },
  });
}

/** A VecpgError with a value attached for `importError` to report. */
export function withValue(
  code: ConstructorParameters<typeof VecpgError>[0],
  message: string,
  value: unknown,
): VecpgError {
  return new VecpgError(code, message, { details: { value } });
}
