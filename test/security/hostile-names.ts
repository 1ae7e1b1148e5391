/**
 * Hostile SQL identifiers, shared by the security tests: quotes, statement terminators, comments,
 * mixed case, spaces, dots, Unicode, and names exactly at PostgreSQL's 63-byte limit; plus names
 * one byte over it, which must be refused (INVALID_IDENTIFIER) instead of silently truncated.
 */
export const CANARY = 'canary';

/** Names that must work, each naming exactly the object it spells. */
export const HOSTILE_NAMES: readonly string[] = [
  `x"; DROP TABLE ${CANARY}; --`,
  `Robert'); DROP TABLE ${CANARY};--`,
  'MixedCase',
  'with space',
  'dots.in.name',
  'a"b""c',
  'ünïcødé_表',
  '🚀 vec',
  '$1',
  '/* c */ --',
  'back\\slash',
  'new\nline',
  'a'.repeat(63), // exactly 63 bytes
  `${'é'.repeat(31)}x`, // 63 bytes of UTF-8 in 32 characters
];

/** Names PostgreSQL would silently truncate: 64 bytes and more. */
export const TOO_LONG_NAMES: readonly string[] = ['a'.repeat(64), 'é'.repeat(32), `${'表'.repeat(21)}x`];

/** How PostgreSQL folds an unquoted identifier (lower case), for decoys a wrong quoting would hit. */
export function naiveFold(name: string): string {
  return name.toLowerCase();
}

/** A value that would end the statement if it were ever spliced into SQL text. */
export const HOSTILE_VALUE = `'); DROP TABLE ${CANARY}; --`;
