/** What the loader needs to know about the target table, read from the catalog. */
import { type OptionHint, VecpgError, optionHintText } from '../errors.ts';
import type { VectorType } from '../sql/operators.ts';
import { type QualifiedName, quoteQualified } from '../sql/identifiers.ts';
import type { SqlExecutor } from '../sql/executor.ts';

export interface TableColumn {
  readonly name: string;
  /** `pg_type.typname`: `vector`, `int4`, `text`… */
  readonly typname: string;
  /** As PostgreSQL prints it: `vector(3)`, `integer`. */
  readonly formatted: string;
  /** Declared dimensions of a vector column (its typmod), undefined when none. */
  readonly dimensions: number | undefined;
  readonly notNull: boolean;
  /** Has a default, an identity or is generated: may be left out of the COPY. */
  readonly defaulted: boolean;
  readonly generated: boolean;
}

const VECTOR_TYPNAMES: ReadonlySet<string> = new Set(['vector', 'halfvec', 'sparsevec', 'bit']);

/** The vector type of a column, or undefined when it is not one (varbit has no fixed length: not a target). */
export function vectorTypeOf(column: TableColumn): VectorType | undefined {
  return VECTOR_TYPNAMES.has(column.typname) ? (column.typname as VectorType) : undefined;
}

const COLUMNS_SQL = `SELECT a.attname::text AS name, t.typname::text AS typname, format_type(a.atttypid, a.atttypmod) AS formatted,
  a.atttypmod AS typmod, a.attnotnull AS not_null, (a.atthasdef OR a.attidentity <> '') AS defaulted,
  a.attgenerated <> '' AS generated
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

interface ColumnRow {
  name: string;
  typname: string;
  formatted: string;
  typmod: number;
  not_null: boolean;
  defaulted: boolean;
  generated: boolean;
}

/**
 * The table's columns in order, or undefined when there is no such table.
 *
 * @example
 * const columns = await readTableColumns(db, 'items');
 */
export async function readTableColumns(db: SqlExecutor, table: QualifiedName): Promise<TableColumn[] | undefined> {
  const name = quoteQualified(table);
  const exists = await db.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [name]);
  if (exists[0]?.ok !== true) return undefined;
  const rows = await db.query<ColumnRow & Record<string, unknown>>(COLUMNS_SQL, [name]);
  return rows.map((r) => ({
    name: r.name,
    typname: r.typname,
    formatted: r.formatted,
    dimensions: VECTOR_TYPNAMES.has(r.typname) && Number(r.typmod) > 0 ? Number(r.typmod) : undefined,
    notNull: r.not_null,
    defaulted: r.defaulted,
    generated: r.generated,
  }));
}

/**
 * The vector column a command works on when none is named: the table's only vector column. With none or
 * several, `INVALID_OPTION` listing them (`details.columns`), with the fix `column` as a hint. One rule
 * for `load`, `exportTable` and the CLI's `search`, `recall` and `index create`.
 *
 * @example
 * defaultVectorColumn(await readTableColumns(db, 'items') ?? [], 'items', 'search'); // 'embedding'
 */
export function defaultVectorColumn(columns: readonly TableColumn[], table: QualifiedName, purpose: string): string {
  const vectors = columns.filter((c) => vectorTypeOf(c) !== undefined).map((c) => c.name);
  if (vectors.length === 1) return vectors[0]!;
  const has = vectors.length === 0 ? 'no vector column' : `${vectors.length} vector columns (${vectors.join(', ')})`;
  const hint: OptionHint = { option: 'column', text: `name the one to ${purpose} with {option}` };
  throw new VecpgError('INVALID_OPTION', `${quoteQualified(table)} has ${has}: ${optionHintText(hint)}`, {
    details: { option: 'column', columns: vectors },
    hint,
  });
}
