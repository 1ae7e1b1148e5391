import { VecpgError, describeValue } from '../errors.ts';

/**
 * PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 = 63 bytes; vecpg refuses them instead.
 *
 * @example
 * new TextEncoder().encode(name).length <= MAX_IDENTIFIER_BYTES;
 */
export const MAX_IDENTIFIER_BYTES = 63;

/** A table (or index) name: `'items'`, or its parts `['public', 'items']`. */
export type QualifiedName = string | readonly string[];

const encoder = new TextEncoder();

/**
 * Quote one SQL identifier: wrap it in double quotes and double any double quote inside.
 * Refuses (INVALID_IDENTIFIER) a non-string, an empty name, a NUL character, and a name over
 * 63 bytes of UTF-8, which PostgreSQL would silently truncate.
 *
 * @example
 * quoteIdent('items');      // '"items"'
 * quoteIdent('my "table"'); // '"my ""table"""'
 */
export function quoteIdent(name: string): string {
  if (typeof name !== 'string') {
    throw new VecpgError('INVALID_IDENTIFIER', `an SQL identifier must be a string, got ${describeValue(name)}`);
  }
  if (name.length === 0) throw new VecpgError('INVALID_IDENTIFIER', 'an SQL identifier cannot be empty');
  const nul = name.indexOf('\0');
  if (nul !== -1) {
    throw new VecpgError(
      'INVALID_IDENTIFIER',
      `SQL identifier ${describeValue(name)} contains a NUL character at position ${nul}`,
      {
        details: { identifier: name, position: nul },
      },
    );
  }
  const bytes = encoder.encode(name).length;
  if (bytes > MAX_IDENTIFIER_BYTES) {
    throw new VecpgError(
      'INVALID_IDENTIFIER',
      `SQL identifier ${describeValue(name)} is ${bytes} bytes long; PostgreSQL would truncate it to ${MAX_IDENTIFIER_BYTES}`,
      { details: { identifier: name, bytes } },
    );
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * {@link quoteIdent} for SQL text that a host library scans for `?` placeholders. MikroORM formats
 * `?` in its raw fragments once or twice (its own pass, then Knex's) and not at all in migrations,
 * so no backslash escape is right for every path. A name containing `?` is therefore written with
 * PostgreSQL's Unicode escapes — `U&"a\003Fb"` is the identifier `a?b` — leaving no `?` for any
 * pass to take. Any other name comes out exactly as from `quoteIdent`.
 *
 * @example
 * quoteIdentWithoutQuestionMarks('items'); // '"items"'
 * quoteIdentWithoutQuestionMarks('a?b');   // 'U&"a\\003Fb"'
 */
export function quoteIdentWithoutQuestionMarks(name: string): string {
  const quoted = quoteIdent(name);
  if (!name.includes('?')) return quoted;
  // Inside U&"…", backslash is the escape character: a literal one is written twice.
  return `U&"${name.replaceAll('\\', '\\\\').replaceAll('"', '""').replaceAll('?', '\\003F')}"`;
}

/**
 * Rewrite each quoted identifier of a statement built by vecpg's SQL layer (which writes names only
 * through `quoteIdent`, and no string literals) with {@link quoteIdentWithoutQuestionMarks}.
 *
 * @example
 * withoutQuestionMarksInIdentifiers('DROP INDEX IF EXISTS "a?b"'); // 'DROP INDEX IF EXISTS U&"a\\003Fb"'
 */
export function withoutQuestionMarksInIdentifiers(sql: string): string {
  return sql.replace(/"((?:[^"]|"")*)"/g, (match, body: string) =>
    body.includes('?') ? quoteIdentWithoutQuestionMarks(body.replaceAll('""', '"')) : match,
  );
}

/**
 * Quote a possibly qualified name. A string is **one** identifier, never split on dots: a table
 * literally named `a.b` is `quoteQualified('a.b')` → `"a.b"`. Pass parts for a schema:
 * `['schema', 'table']` (1 to 3 parts: `[catalog,] [schema,] name`).
 *
 * @example
 * quoteQualified('items');             // '"items"'
 * quoteQualified(['public', 'items']); // '"public"."items"'
 * quoteQualified('a.b');               // '"a.b"'
 */
export function quoteQualified(nameOrParts: QualifiedName): string {
  if (typeof nameOrParts === 'string') return quoteIdent(nameOrParts);
  if (!Array.isArray(nameOrParts) || nameOrParts.length < 1 || nameOrParts.length > 3) {
    throw new VecpgError(
      'INVALID_IDENTIFIER',
      `a qualified name must be a string or an array of 1 to 3 parts, got ${describeValue(nameOrParts)}`,
    );
  }
  return nameOrParts.map((part: string) => quoteIdent(part)).join('.');
}

/**
 * The last part of a qualified name (the table itself, without its schema).
 *
 * @example
 * unqualifiedName(['public', 'items']); // 'items'
 */
export function unqualifiedName(nameOrParts: QualifiedName): string {
  if (typeof nameOrParts === 'string') return nameOrParts;
  const last = nameOrParts[nameOrParts.length - 1];
  if (last === undefined) throw new VecpgError('INVALID_IDENTIFIER', 'a qualified name cannot be an empty array');
  return last;
}
