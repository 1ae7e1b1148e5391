/**
 * Hostile SQL identifiers, shared by the security tests: quotes, statement terminators, comments,
 * mixed case, spaces, dots, Unicode, and names exactly at PostgreSQL's 63-byte limit; plus names
 * one byte over it, which must be refused (INVALID_IDENTIFIER) instead of silently truncated.
 */
import type { Row, SqlExecutor } from '../../src/sql/executor.ts';

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

/** The query vector the ORM tests search with, and their rows: ids 1 and 2 are its two nearest, id 3 has the hostile tag. */
export const QUERY = [0.9, 0.1, 0];
export const ROWS: ReadonlyArray<[number, number[], string]> = [
  [1, [1, 0, 0], 'a'],
  [2, [0, 1, 0], 'b'],
  [3, [0, 0, 1], HOSTILE_VALUE],
];

/** Another name as hostile as `name` (`ix <name>`), cut back to 63 bytes: for an index or a second column. */
export function variantOf(prefix: string, name: string): string {
  let out = `${prefix} ${name}`;
  while (new TextEncoder().encode(out).length > 63) out = [...out].slice(0, -1).join('');
  return out;
}

/** Where an index is and what it indexes, read from the catalogs (the first key column). */
export interface IndexInfo {
  schema: string;
  table: string;
  column: string;
  method: string;
  opclass: string;
}

/** The index named `name` (in any schema), or none: `[]` or `[IndexInfo]`. */
export function indexOn(db: SqlExecutor, name: string): Promise<IndexInfo[]> {
  return db.query<IndexInfo & Row>(
    `SELECT n.nspname AS schema, c.relname AS table, a.attname AS column, am.amname AS method, o.opcname AS opclass
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = i.relam
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = x.indkey[0] JOIN pg_opclass o ON o.oid = x.indclass[0]
      WHERE i.relname = $1`,
    [name],
  );
}
