/**
 * Catalog look-ups the tuning tools and the CLI share: which vector columns and pgvector
 * indexes a database has. Names are matched as bound values (never spliced into SQL).
 */
import { VecpgError, describeValue } from '../errors.ts';
import type { SqlExecutor } from '../sql/executor.ts';

/** The four pgvector column types. `varbit` is reported as `bit` with `varying: true`. */
export type CatalogVectorType = 'vector' | 'halfvec' | 'sparsevec' | 'bit';

/** A table name, optionally with its schema: `'items'` or `['public', 'items']`. */
export type TableName = string | readonly [schema: string, table: string];

/** A vector-typed column as the catalog describes it. */
export interface VectorColumnInfo {
  schema: string;
  table: string;
  column: string;
  type: CatalogVectorType;
  /** Declared dimensions (`vector(3)` → 3), `null` when the column has none. */
  dimensions: number | null;
  /** `bit varying` rather than `bit(n)`. */
  varying: boolean;
  /** `attstorage`: p plain, m main, x extended, e external. */
  storage: 'p' | 'm' | 'x' | 'e';
  /** The type as PostgreSQL prints it, e.g. `vector(3)`. */
  sqlType: string;
}

interface ColumnRow extends Record<string, unknown> {
  schema: string;
  table: string;
  column: string;
  typname: string;
  typmod: number;
  storage: string;
  sql_type: string;
}

const COLUMNS_SQL = `
SELECT n.nspname::text AS schema, c.relname::text AS table, a.attname::text AS column, t.typname::text AS typname,
       a.atttypmod AS typmod, a.attstorage::text AS storage, format_type(a.atttypid, a.atttypmod) AS sql_type
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
 WHERE a.attnum > 0 AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
   AND (t.typname IN ('vector', 'halfvec', 'sparsevec', 'bit', 'varbit'))`;

function toInfo(r: ColumnRow): VectorColumnInfo {
  const varying = r.typname === 'varbit';
  const type = (varying ? 'bit' : r.typname) as CatalogVectorType;
  const typmod = Number(r.typmod);
  return {
    schema: r.schema,
    table: r.table,
    column: r.column,
    type,
    dimensions: typmod > 0 ? typmod : null,
    varying,
    storage: r.storage as VectorColumnInfo['storage'],
    sqlType: r.sql_type,
  };
}

function tableFilter(table: TableName, first: number): { sql: string; params: string[] } {
  if (typeof table === 'string') {
    return { sql: ` AND c.relname = $${first} AND pg_table_is_visible(c.oid)`, params: [table] };
  }
  return { sql: ` AND n.nspname = $${first} AND c.relname = $${first + 1}`, params: [table[0], table[1]] };
}

/**
 * Every vector, halfvec, sparsevec and bit column in the database's user schemas.
 *
 * @example
 * for (const c of await listVectorColumns(db)) console.log(c.table, c.column, c.sqlType);
 */
export async function listVectorColumns(db: SqlExecutor, table?: TableName): Promise<VectorColumnInfo[]> {
  const f = table === undefined ? { sql: '', params: [] } : tableFilter(table, 1);
  const rows = await db.query<ColumnRow>(`${COLUMNS_SQL}${f.sql} ORDER BY n.nspname, c.relname, a.attnum`, f.params);
  return rows.map(toInfo);
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
  table: TableName,
  column: string,
): Promise<VectorColumnInfo> {
  const f = tableFilter(table, 1);
  const found = await db.query<{ sql_type: string } & Record<string, unknown>>(
    `SELECT format_type(a.atttypid, a.atttypmod) AS sql_type FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attname = $${f.params.length + 1}${f.sql}`,
    [...f.params, column],
  );
  const where = `${describeValue(typeof table === 'string' ? table : table.join('.'))}.${describeValue(column)}`;
  if (found.length === 0) {
    throw new VecpgError('INVALID_VALUE', `column ${where} does not exist`);
  }
  const rows = await db.query<ColumnRow>(`${COLUMNS_SQL}${f.sql} AND a.attname = $${f.params.length + 1}`, [
    ...f.params,
    column,
  ]);
  const row = rows[0];
  if (!row) {
    throw new VecpgError(
      'INVALID_VALUE',
      `column ${where} has type ${found[0]?.sql_type ?? '?'}, not vector, halfvec, sparsevec or bit`,
    );
  }
  return toInfo(row);
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
export async function listVectorIndexes(db: SqlExecutor, table?: TableName): Promise<VectorIndexInfo[]> {
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
