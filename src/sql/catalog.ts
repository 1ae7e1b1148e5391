/**
 * The catalog, read one way for everyone: a table's columns (import, export, bulk insert, the CLI) and
 * the database's vector columns and pgvector indexes (the tuning tools and the CLI). One column query and
 * one row decoder; names are matched as bound values, never spliced into SQL. A missing dimension is
 * `null` everywhere.
 */
import { type OptionHint, VecpgError, describeValue, optionHintText } from '../errors.ts';
import type { SqlExecutor } from './executor.ts';
import { type QualifiedName, quoteQualified } from './identifiers.ts';
import type { VectorType } from './operators.ts';

/** A column of a table: as the catalog describes it, or as a table about to be created will have it. */
export interface TableColumn {
  readonly name: string;
  /** `pg_type.typname`: `vector`, `int4`, `text`, `varbit`… */
  readonly typname: string;
  /** As PostgreSQL prints it: `vector(3)`, `integer`. */
  readonly formatted: string;
  /** Declared dimensions of a pgvector column (its typmod), `null` when it has none or is no vector. */
  readonly dimensions: number | null;
  readonly notNull: boolean;
  /** Has a default, an identity or is generated: may be left out of a COPY. */
  readonly defaulted: boolean;
  readonly generated: boolean;
}

/** A column of an existing table, where it lives and how it is stored. */
export interface CatalogColumn extends TableColumn {
  readonly schema: string;
  readonly table: string;
  /** `attstorage`: p plain, m main, x extended, e external. */
  readonly storage: 'p' | 'm' | 'x' | 'e';
}

/** A vector-typed column (`vector`, `halfvec`, `sparsevec`, `bit`; `bit varying` is `bit` with `varying`). */
export interface VectorColumnInfo {
  schema: string;
  table: string;
  column: string;
  type: VectorType;
  /** Declared dimensions (`vector(3)` → 3), `null` when the column has none. */
  dimensions: number | null;
  /** `bit varying` rather than `bit(n)`. */
  varying: boolean;
  /** `attstorage`: p plain, m main, x extended, e external. */
  storage: 'p' | 'm' | 'x' | 'e';
  /** The type as PostgreSQL prints it, e.g. `vector(3)`. */
  sqlType: string;
  /** A generated column (e.g. certified search's compact copy of another column). */
  generated: boolean;
}

const VECTOR_TYPNAMES: ReadonlySet<string> = new Set(['vector', 'halfvec', 'sparsevec', 'bit']);

/** The vector type of a column, or undefined when it is not one (varbit has no fixed length: not a target). */
export function vectorTypeOf(column: TableColumn): VectorType | undefined {
  return VECTOR_TYPNAMES.has(column.typname) ? (column.typname as VectorType) : undefined;
}

const COLUMNS_SQL = `SELECT n.nspname::text AS schema, c.relname::text AS table, a.attname::text AS name,
  t.typname::text AS typname, format_type(a.atttypid, a.atttypmod) AS formatted, a.atttypmod AS typmod,
  a.attnotnull AS not_null, (a.atthasdef OR a.attidentity <> '') AS defaulted, a.attgenerated <> '' AS generated,
  a.attstorage::text AS storage
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attnum > 0 AND NOT a.attisdropped`;

interface ColumnRow extends Record<string, unknown> {
  schema: string;
  table: string;
  name: string;
  typname: string;
  formatted: string;
  typmod: number;
  not_null: boolean;
  defaulted: boolean;
  generated: boolean;
  storage: string;
}

function decode(r: ColumnRow): CatalogColumn {
  const typmod = Number(r.typmod);
  return {
    schema: r.schema,
    table: r.table,
    name: r.name,
    typname: r.typname,
    formatted: r.formatted,
    dimensions: (VECTOR_TYPNAMES.has(r.typname) || r.typname === 'varbit') && typmod > 0 ? typmod : null,
    notNull: r.not_null === true,
    defaulted: r.defaulted === true,
    generated: r.generated === true,
    storage: r.storage as CatalogColumn['storage'],
  };
}

function toVectorInfo(c: CatalogColumn): VectorColumnInfo {
  const varying = c.typname === 'varbit';
  return {
    schema: c.schema,
    table: c.table,
    column: c.name,
    type: (varying ? 'bit' : c.typname) as VectorType,
    dimensions: c.dimensions,
    varying,
    storage: c.storage,
    sqlType: c.formatted,
    generated: c.generated,
  };
}

/** `AND …` matching one table by name (visible on the search path) or by schema and name. */
function tableFilter(table: QualifiedName, first: number): { sql: string; params: string[] } {
  const parts = typeof table === 'string' ? [table] : [...table];
  if (parts.length === 1 && typeof parts[0] === 'string') {
    return { sql: ` AND c.relname = $${first} AND pg_table_is_visible(c.oid)`, params: [parts[0]] };
  }
  if (parts.length === 2 && parts.every((p) => typeof p === 'string')) {
    return { sql: ` AND n.nspname = $${first} AND c.relname = $${first + 1}`, params: [parts[0]!, parts[1]!] };
  }
  throw new VecpgError('INVALID_OPTION', `a table is 'name' or ['schema', 'name'], got ${describeValue(table)}`, {
    details: { option: 'table' },
  });
}

function tableLabel(table: QualifiedName): string {
  return describeValue(typeof table === 'string' ? table : table.join('.'));
}

/**
 * The table's columns in order, or undefined when there is no such table.
 *
 * @example
 * const columns = await readTableColumns(db, 'items');
 */
export async function readTableColumns(db: SqlExecutor, table: QualifiedName): Promise<CatalogColumn[] | undefined> {
  const name = quoteQualified(table);
  const exists = await db.query<{ ok: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass($1)) AS ok',
    [name],
  );
  if (exists[0]?.ok !== true) return undefined;
  const rows = await db.query<ColumnRow>(`${COLUMNS_SQL} AND a.attrelid = to_regclass($1) ORDER BY a.attnum`, [name]);
  return rows.map(decode);
}

/**
 * The vector column a command works on when none is named: the table's only vector column that is not
 * generated. With none or
 * several, `INVALID_OPTION` listing them (`details.columns`), with the fix `column` as a hint. One rule
 * for `load`, `exportTable` and the CLI's `search`, `recall` and `index create`.
 *
 * @example
 * defaultVectorColumn(await readTableColumns(db, 'items') ?? [], 'items', 'search'); // 'embedding'
 */
export function defaultVectorColumn(columns: readonly TableColumn[], table: QualifiedName, purpose: string): string {
  // Generated vector columns (certified search's compact copies) are derived from another: never the default.
  const vectors = columns.filter((c) => vectorTypeOf(c) !== undefined && !c.generated).map((c) => c.name);
  if (vectors.length === 1) return vectors[0]!;
  const has = vectors.length === 0 ? 'no vector column' : `${vectors.length} vector columns (${vectors.join(', ')})`;
  const hint: OptionHint = { option: 'column', text: `name the one to ${purpose} with {option}` };
  throw new VecpgError('INVALID_OPTION', `${quoteQualified(table)} has ${has}: ${optionHintText(hint)}`, {
    details: { option: 'column', columns: vectors },
    hint,
  });
}

const VECTOR_COLUMNS_WHERE = ` AND c.relkind IN ('r', 'p', 'm')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
  AND t.typname IN ('vector', 'halfvec', 'sparsevec', 'bit', 'varbit')`;

/**
 * Every vector, halfvec, sparsevec and bit column in the database's user schemas (or of one table).
 *
 * @example
 * for (const c of await listVectorColumns(db)) console.log(c.table, c.column, c.sqlType);
 */
export async function listVectorColumns(db: SqlExecutor, table?: QualifiedName): Promise<VectorColumnInfo[]> {
  const f = table === undefined ? { sql: '', params: [] } : tableFilter(table, 1);
  const rows = await db.query<ColumnRow>(
    `${COLUMNS_SQL}${VECTOR_COLUMNS_WHERE}${f.sql} ORDER BY n.nspname, c.relname, a.attnum`,
    f.params,
  );
  return rows.map((r) => toVectorInfo(decode(r)));
}

/**
 * One vector column, or `INVALID_VALUE` naming the table and column when it is missing or
 * not a pgvector type.
 *
 * @example
 * const { type, dimensions } = await describeVectorColumn(db, 'items', 'embedding');
 */
export async function describeVectorColumn(
  db: SqlExecutor,
  table: QualifiedName,
  column: string,
): Promise<VectorColumnInfo> {
  const f = tableFilter(table, 1);
  const rows = await db.query<ColumnRow>(`${COLUMNS_SQL}${f.sql} AND a.attname = $${f.params.length + 1}`, [
    ...f.params,
    column,
  ]);
  const where = `${tableLabel(table)}.${describeValue(column)}`;
  const row = rows[0];
  if (!row) throw new VecpgError('INVALID_VALUE', `column ${where} does not exist`);
  const decoded = decode(row);
  if (!VECTOR_TYPNAMES.has(decoded.typname) && decoded.typname !== 'varbit') {
    throw new VecpgError(
      'INVALID_VALUE',
      `column ${where} has type ${decoded.formatted}, not vector, halfvec, sparsevec or bit`,
    );
  }
  return toVectorInfo(decoded);
}

/** A pgvector (HNSW or IVFFlat) index. */
export interface VectorIndexInfo {
  schema: string;
  table: string;
  name: string;
  method: 'hnsw' | 'ivfflat';
  /** Operator class of the indexed column or expression, e.g. `vector_cosine_ops`. */
  opclass: string;
  /** The indexed column, or `null` for an expression index. */
  column: string | null;
  /** The indexed expression as PostgreSQL prints it, for expression indexes. */
  expression: string | null;
  /** Build options such as `m=16`. */
  options: string[];
  sizeBytes: number;
  /** `false` while a CONCURRENTLY build is unfinished or after it failed. */
  valid: boolean;
  definition: string;
}

/**
 * Every HNSW and IVFFlat index, optionally only those of one table.
 *
 * @example
 * const indexes = await listVectorIndexes(db, 'items');
 */
export async function listVectorIndexes(db: SqlExecutor, table?: QualifiedName): Promise<VectorIndexInfo[]> {
  const f = table === undefined ? { sql: '', params: [] } : tableFilter(table, 1);
  const rows = await db.query(
    `SELECT n.nspname::text AS schema, c.relname::text AS table, ic.relname::text AS name, am.amname::text AS method,
            opc.opcname::text AS opclass, a.attname::text AS column,
            pg_get_indexdef(i.indexrelid, 1, true) AS key, coalesce(ic.reloptions, '{}') AS options,
            pg_relation_size(i.indexrelid) AS size, i.indisvalid AS valid, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_opclass opc ON opc.oid = i.indclass[0]
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] AND i.indkey[0] <> 0
      WHERE am.amname IN ('hnsw', 'ivfflat')${f.sql}
      ORDER BY n.nspname, c.relname, ic.relname`,
    f.params,
  );
  return rows.map((r) => ({
    schema: String(r.schema),
    table: String(r.table),
    name: String(r.name),
    method: r.method as 'hnsw' | 'ivfflat',
    opclass: String(r.opclass),
    column: r.column == null ? null : String(r.column),
    expression: r.column == null ? String(r.key) : null,
    options: parseTextArray(r.options),
    sizeBytes: Number(r.size),
    valid: r.valid === true,
    definition: String(r.definition),
  }));
}

/** A `text[]` that may arrive parsed (pg) or as `{a,b}` text. */
function parseTextArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value === '{}') return [];
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .map((s) => s.replace(/^"|"$/g, ''));
}
