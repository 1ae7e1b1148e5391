/**
 * Stable error codes. Tests and callers branch on `code`, never on the wording of `message`.
 */
export type VecpgErrorCode =
  | 'NOT_FINITE' // NaN or ±Infinity in a vector
  | 'VALUE_OUT_OF_RANGE' // a vector function's result overflows (or a product underflows), as on the server
  | 'EMPTY_VECTOR' // a dense vector with no elements
  | 'TOO_MANY_DIMENSIONS' // more than pgvector's 16,000 dense dimensions
  | 'INVALID_DIMENSIONS' // a dimension count that is not an integer in range
  | 'DIMENSION_MISMATCH' // two vectors (or a vector and a column) of different sizes
  | 'INVALID_SPARSE_INDEX' // negative, non-integer, or >= dimensions
  | 'DUPLICATE_SPARSE_INDEX' // the same index twice
  | 'TOO_MANY_NONZEROS' // more than 16,000 non-zero elements
  | 'INVALID_BIT' // a bit string with a character other than 0 or 1
  | 'INVALID_TEXT' // malformed pgvector text
  | 'INVALID_BINARY' // malformed pgvector binary
  | 'INVALID_VALUE' // a value of the wrong kind for the column or function
  | 'INVALID_IDENTIFIER' // an SQL identifier that cannot be quoted safely
  | 'INVALID_OPTION' // an out-of-range or unknown option (index build, search settings)
  | 'UNSUPPORTED' // a combination pgvector does not support (e.g. IVFFlat on sparsevec)
  | 'EXTENSION_MISSING' // the vector extension is not installed in the database
  | 'VERSION_TOO_OLD' // the installed pgvector lacks a feature
  | 'DRIVER_MISSING' // an optional peer dependency is not installed
  | 'DATABASE_BUSY' // another process has the embedded database open
  | 'FILE_EXISTS' // an output file exists and replacing it was not asked for
  | 'CONNECTION_FAILED' // no connection to the server (refused, unknown host, bad URL, login refused)
  | 'QUERY_FAILED' // the database refused or aborted a statement
  | 'CANCELLED' // interrupted (Ctrl-C, SIGTERM): the server statement was cancelled
  | 'IMPORT_FAILED' // a bulk load failed (file, line and value in the message)
  | 'INCOMPATIBLE_COLUMN' // the data does not fit an existing column (wrong type or dimensions)
  | 'CERTIFIED_SCHEMA_MISSING' // a certified search on a table without the generated compact columns
  | 'NOT_FOUND'; // a row named by the caller (search's likeId) does not exist

export interface VecpgErrorOptions {
  cause?: unknown;
  /** Extra context: the row, the file, the SQLSTATE… */
  details?: Readonly<Record<string, unknown>>;
  /** The fix, when it is an option to set: the message includes it as {@link optionHintText} renders it. */
  hint?: OptionHint;
}

/**
 * A fix that names an option. The message says it in the library's terms (`use create: true to create
 * it`); a front end with other names for its options (the CLI's `--create`) finds that exact text in the
 * message and says it its own way, instead of guessing at the prose.
 *
 * @example
 * const hint: OptionHint = { option: 'indexBase', value: 0, text: 'is the data 0-based? then say so with {option}' };
 */
export interface OptionHint {
  /** The option as the library calls it: `create`, `indexBase`, `format`. */
  readonly option: string;
  /** The value the fix suggests (`0` in `indexBase: 0`); absent when the user picks it. */
  readonly value?: string | number | boolean;
  /** The fix, with `{option}` where the option (and its value) goes. */
  readonly text: string;
}

/**
 * The hint's text with the option named by `name` (default: the library's `option: value`).
 *
 * @example
 * optionHintText({ option: 'create', value: true, text: 'use {option} to create it' }); // 'use create: true to create it'
 * optionHintText(hint, (option, value) => `--${option}`); // 'use --create to create it'
 */
export function optionHintText(
  hint: OptionHint,
  name: (option: string, value: OptionHint['value']) => string = libraryOptionName,
): string {
  return hint.text.replace('{option}', name(hint.option, hint.value));
}

function libraryOptionName(option: string, value: OptionHint['value']): string {
  if (value === undefined) return option;
  return `${option}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
}

/**
 * The one error class vecpg throws. `code` is stable; `message` names the bad value and where it was.
 *
 * @example
 * try { new Vector([1, NaN]) } catch (e) { if (isVecpgError(e) && e.code === 'NOT_FINITE') … }
 */
export class VecpgError extends Error {
  override readonly name = 'VecpgError';
  readonly code: VecpgErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /** The fix, when it is an option to set (its text is part of `message`). */
  readonly hint: OptionHint | undefined;

  constructor(code: VecpgErrorCode, message: string, options: VecpgErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.hint = options.hint;
  }
}

/** True for a `VecpgError`, also one thrown by another copy of the package. */
export function isVecpgError(value: unknown): value is VecpgError {
  return (
    value instanceof VecpgError ||
    (value instanceof Error && value.name === 'VecpgError' && typeof (value as { code?: unknown }).code === 'string')
  );
}

/** Short, printable form of an arbitrary bad value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || value === undefined || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (Array.isArray(value)) return `array(${value.length})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength} bytes)`;
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}
