/** The rule for 64-bit integers in JSON output, shared by `export --format jsonl` and every command's `--json`. */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The one rule for 64-bit integers (`bigint` columns, ids) in every command's JSON: a JSON number when
 * it is exact as a JavaScript number (|n| <= 2^53 - 1), else a decimal string — never a rounded number.
 * Accepts a `bigint`, or an integer as text (node-postgres returns int8 as a string).
 *
 * @example
 * jsonInteger(42n); // 42
 * jsonInteger('9007199254740993'); // '9007199254740993'
 */
export function jsonInteger(value: bigint | string): number | string {
  const n = typeof value === 'bigint' ? value : BigInt(value);
  return n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : n.toString();
}
