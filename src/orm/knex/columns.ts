/**
 * pgvector columns in Knex's schema builder, and the values written to them. Knex has no column
 * type for vectors, so columns go through `table.specificType` with vecpg's validated type SQL;
 * no Knex global is touched (unlike `TableBuilder.extend`).
 */
import type { Knex } from 'knex';
import { VecpgError, describeValue } from '../../errors.ts';
import { type ColumnStorage, columnTypeSql, setStorageSql } from '../../sql/ddl.ts';
import { type QualifiedName, withoutQuestionMarksInIdentifiers } from '../../sql/identifiers.ts';
import type { VectorType } from '../../sql/operators.ts';
import { toVectorValue } from '../../sql/params.ts';

/** A pgvector column: its type and dimensions (`bit` length for bit). */
export interface VectorColumnSpec {
  readonly type: VectorType;
  readonly dimensions: number;
}

/**
 * Add a `vector(n)` / `halfvec(n)` / `sparsevec(n)` / `bit(n)` column in `createTable` or
 * `alterTable`; returns Knex's column builder (chain `.notNullable()`, `.index()`…).
 *
 * @example
 * await knex.schema.createTable('documents', (t) => {
 *   t.increments('id');
 *   vectorColumn(t, 'embedding', 'vector', 4).notNullable();
 * });
 */
export function vectorColumn(
  table: Knex.TableBuilder,
  name: string,
  type: VectorType,
  dimensions: number,
): Knex.ColumnBuilder {
  return table.specificType(name, columnTypeSql(type, dimensions));
}

/**
 * Add every column of a spec map (see {@link vectorColumns}).
 *
 * @example
 * addVectorColumns(t, { embedding: { type: 'vector', dimensions: 4 } });
 */
export function addVectorColumns(table: Knex.TableBuilder, columns: Readonly<Record<string, VectorColumnSpec>>): void {
  for (const [name, spec] of Object.entries(columns)) vectorColumn(table, name, spec.type, spec.dimensions);
}

/**
 * `ALTER TABLE … ALTER COLUMN … SET STORAGE MAIN` as a Knex raw statement: keeps vectors in the
 * row (compressible, but not moved out to TOAST), which makes exact scans much faster. Run it in
 * the migration right after `createTable`.
 *
 * @example
 * await setVectorStorage(knex, 'documents', 'embedding');
 */
export function setVectorStorage(
  knex: Knex,
  table: QualifiedName,
  column: string,
  storage: ColumnStorage = 'main',
): Knex.Raw {
  return knex.raw(escapeQuestionMarks(setStorageSql(table, column, storage)));
}

/**
 * The value to bind for a pgvector column: a plain array, `Vector`, `HalfVector`, `SparseVector`,
 * `{ indices, values, dimensions }`, `Bit` or 0/1 string, validated and converted to pgvector's text
 * form (pg would otherwise send a plain array as a PostgreSQL array literal, which pgvector refuses).
 * With `dimensions`, a value of another size is refused client-side (DIMENSION_MISMATCH).
 *
 * @example
 * await knex('documents').insert({ title: 'My First Doc', embedding: toVectorParam([0.5, 0.2, 0.9, 0.3], 'vector') });
 */
export function toVectorParam(value: unknown, type: VectorType, dimensions?: number): string | null {
  if (value === null || value === undefined) return null;
  const v = toVectorValue(value, type);
  const size = 'dimensions' in v ? v.dimensions : v.length;
  if (dimensions !== undefined && size !== dimensions) {
    throw new VecpgError('DIMENSION_MISMATCH', `expected ${dimensions} dimensions for a ${type} column, got ${size}`, {
      details: { expected: dimensions, actual: size },
    });
  }
  return v.toSql();
}

/**
 * Convert the pgvector columns of a row (or rows) for `insert` / `update`, leaving other columns
 * as they are. Refuses a value of the wrong size with the column name in the message.
 *
 * @example
 * const columns = { embedding: { type: 'vector', dimensions: 4 } } as const;
 * await knex('documents').insert(formatVectorRow({ title: 'A', embedding: [0.5, 0.2, 0.9, 0.3] }, columns));
 */
export function formatVectorRow<R extends Record<string, unknown>>(
  row: R,
  columns: Readonly<Record<string, VectorColumnSpec>>,
): R {
  if (row === null || typeof row !== 'object') {
    throw new VecpgError('INVALID_VALUE', `expected a row object, got ${describeValue(row)}`);
  }
  const out: Record<string, unknown> = { ...row };
  for (const [name, spec] of Object.entries(columns)) {
    if (!Object.hasOwn(row, name)) continue;
    const value = row[name];
    // Leave Knex expressions (knex.raw, subqueries) alone.
    if (value !== null && typeof value === 'object' && typeof (value as { toSQL?: unknown }).toSQL === 'function')
      continue;
    try {
      out[name] = toVectorParam(value, spec.type, spec.dimensions);
    } catch (error) {
      if (error instanceof VecpgError) {
        throw new VecpgError(error.code, `column "${name}": ${error.message}`, {
          cause: error,
          details: { column: name },
        });
      }
      throw error;
    }
  }
  return out as R;
}

/**
 * Knex treats `?` as a binding placeholder: in SQL text vecpg hands to `knex.raw`, a quoted identifier
 * holding `?` is written Unicode-escaped (no `?` left in it; Knex's pg client drops the backslashes of
 * an escaped `?`, so a name with `\?` could not survive a backslash escape), any other `?` escaped.
 *
 * @example
 * escapeQuestionMarks('"a?b"'); // 'U&"a\\003Fb"'
 */
export function escapeQuestionMarks(sql: string): string {
  return withoutQuestionMarksInIdentifiers(sql).replaceAll('?', '\\?');
}
