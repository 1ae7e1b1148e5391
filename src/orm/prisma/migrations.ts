/**
 * SQL for `prisma/migrations/<name>/migration.sql`: the extension, HNSW/IVFFlat indexes and
 * column storage, written by the SQL layer's DDL builders. Prisma cannot express these in
 * schema.prisma, so they go into a migration created with `prisma migrate dev --create-only`.
 *
 * Keeping indexes across `prisma migrate dev`: Prisma's schema engine drops indexes the schema
 * does not declare. It reads an index with an access method it does not know (hnsw, ivfflat) as a
 * plain B-tree index on its columns, without operator class (prisma-engines,
 * schema-engine/sql-schema-describer/src/postgres.rs, `index_from_row`). Declaring
 * `@@index([embedding], map: "<index name>")` in the model therefore matches the pgvector index:
 * the next diff sees nothing to change. {@link vectorIndexMigration} returns that line with the SQL.
 */
import { VecpgError, describeValue } from '../../errors.ts';
import {
  type ColumnStorage,
  type CreateIndexOptions,
  createExtensionSql,
  createIndexSql,
  defaultIndexName,
  dropExtensionSql,
  dropIndexSql,
  setStorageSql,
} from '../../sql/ddl.ts';
import type { QualifiedName } from '../../sql/identifiers.ts';
import { type VectorType, checkVectorType } from '../../sql/operators.ts';
import { type ExtensionInfo, type VectorFeature, extensionInfo, requireFeature } from '../../sql/version.ts';
import { wrapPrisma, type PrismaRawClient } from './executor.ts';
import type { QuantizedForm } from '../../sql/rerank.ts';
import type { CertifiedDistance, CertifiedLayout } from '../../sql/certified-bound.ts';
import { addCertifiedColumnsSql, certifiedGeneratedColumns, dropCertifiedColumnsSql } from '../../sql/certified-ddl.ts';
import { quantizedIndexOptions } from '../search-modes.ts';

/**
 * A migration's SQL, and the statements that undo it.
 *
 * @example
 * const { up, down }: MigrationSql = vectorExtensionMigration();
 */
export interface MigrationSql {
  /** For `migration.sql`. */
  readonly up: string;
  /** To undo it (Prisma migrations are forward-only: keep it for `prisma db execute` or a later migration). */
  readonly down: string;
}

/**
 * Enable pgvector: `CREATE EXTENSION IF NOT EXISTS vector;` (idempotent), undone by
 * `DROP EXTENSION IF EXISTS vector;`. Alternatively declare `extensions = [vector]` in the
 * datasource with the `postgresqlExtensions` preview feature and let Prisma write it.
 *
 * @example
 * vectorExtensionMigration().up; // 'CREATE EXTENSION IF NOT EXISTS vector;\n'
 */
export function vectorExtensionMigration(options: { schema?: string } = {}): MigrationSql {
  return { up: `${createExtensionSql(options)};\n`, down: `${dropExtensionSql()};\n` };
}

/**
 * Options of {@link vectorIndexMigration}: the SQL layer's index options, plus the Prisma field name.
 *
 * @example
 * const o: VectorIndexMigrationOptions = { table: 'vecpg_items', column: 'half_vec', field: 'half', type: 'halfvec', distance: 'l2' };
 */
export interface VectorIndexMigrationOptions extends Omit<
  CreateIndexOptions,
  'expression' | 'concurrently' | 'column'
> {
  column: string;
  /** The Prisma field of the column (for the `@@index` line); default the column name. */
  field?: string;
  /**
   * Index a compact copy for two-stage search (`nearest({ rerank: { using } })`) instead of the column:
   * `'binary'` indexes `binary_quantize(col)::bit(n)` (Hamming), `'halfvec'` indexes `col::halfvec(n)`
   * with `distance`. Needs `dimensions`. schema.prisma cannot declare an expression index: `schema` is
   * then a comment naming it.
   */
  quantize?: QuantizedForm;
}

/**
 * {@link vectorIndexMigration}'s result: the SQL and the schema.prisma line that keeps the index.
 *
 * @example
 * const { up, down, schema }: VectorIndexMigration = vectorIndexMigration({ table: 'Document', column: 'embedding', type: 'vector', distance: 'l2' });
 */
export interface VectorIndexMigration extends MigrationSql {
  /** The index name. */
  readonly name: string;
  /** `@@index([embedding], map: "…")`, to add to the model so `prisma migrate` keeps the index. */
  readonly schema: string;
}

/**
 * An HNSW or IVFFlat index with the right operator class and validated options (`IF NOT EXISTS`),
 * the statement that drops it, and the `@@index` line that keeps Prisma from dropping it.
 *
 * @example
 * const idx = vectorIndexMigration({ table: 'Document', column: 'embedding', type: 'vector', distance: 'cosine', m: 16 });
 * idx.up;     // 'CREATE INDEX IF NOT EXISTS "Document_embedding_hnsw_cosine_idx" ON "Document" USING hnsw ("embedding" vector_cosine_ops) WITH (m = 16);\n'
 * idx.schema; // '@@index([embedding], map: "Document_embedding_hnsw_cosine_idx")'
 */
export function vectorIndexMigration(options: VectorIndexMigrationOptions): VectorIndexMigration {
  const { field, ...rest } = options;
  const o = quantizedIndexOptions(rest);
  const name = o.name ?? defaultIndexName(o.table, o.column ?? o.expression ?? '', o.method ?? 'hnsw', o.distance);
  const up = `${createIndexSql({ ...o, name, ifNotExists: true })};\n`;
  const fieldName = field ?? options.column;
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(fieldName)) {
    throw new VecpgError(
      'INVALID_IDENTIFIER',
      `${describeValue(fieldName)} is not a Prisma field name; pass field: the model's field for column ${options.column}`,
    );
  }
  const tableParts = typeof options.table === 'string' ? [] : options.table.slice(0, -1);
  const qualifiedName: QualifiedName = tableParts.length > 0 ? [...tableParts, name] : name;
  return {
    name,
    up,
    down: `${dropIndexSql(qualifiedName)};\n`,
    schema:
      o.expression === undefined
        ? `@@index([${fieldName}], map: ${JSON.stringify(name)})`
        : `// ${JSON.stringify(name)}: an index on ${o.expression}, which schema.prisma cannot declare`,
  };
}

/**
 * `ALTER TABLE … ALTER COLUMN … SET STORAGE MAIN;`: keeps vectors in the row instead of TOAST,
 * which makes exact (sequential) scans faster. Prisma does not track storage, so it never reverts
 * it. `down` restores the type's own default (EXTERNAL for pgvector's types, EXTENDED for bit).
 *
 * @example
 * vectorStorageMigration('Document', 'embedding').up; // 'ALTER TABLE "Document" ALTER COLUMN "embedding" SET STORAGE MAIN;\n'
 */
export function vectorStorageMigration(
  table: QualifiedName,
  column: string,
  type: VectorType = 'vector',
  storage: ColumnStorage = 'main',
): MigrationSql {
  const initial: ColumnStorage = checkVectorType(type) === 'bit' ? 'extended' : 'external';
  return { up: `${setStorageSql(table, column, storage)};\n`, down: `${setStorageSql(table, column, initial)};\n` };
}

/**
 * {@link certifiedColumnsMigration}'s result: the SQL, and the model lines that keep Prisma from dropping
 * the columns.
 *
 * @example
 * const { up, down, schema }: CertifiedColumnsMigration = certifiedColumnsMigration('Document', 'embedding', 768, ['l2']);
 */
export interface CertifiedColumnsMigration extends MigrationSql {
  /**
   * One line per generated column for the model in schema.prisma, each `@default(dbgenerated())`:
   * `prisma migrate dev` drops columns the schema does not declare, and never alters a column declared with
   * `@default(dbgenerated())`. The halfvec copies are `Unsupported(…)?` (not read by the client), the
   * error bounds and norms `Float?`.
   */
  readonly schema: readonly string[];
}

/**
 * The generated columns certified exact search (`nearest({ exact: 'certified' })`) reads, added to a
 * `vector(dimensions)` column for the given distances (`ADD COLUMN IF NOT EXISTS`: re-runnable), with the
 * full vector moved out of line: one `ALTER TABLE` that rewrites the table (docs/certified-search.md).
 * `{ form: 'prefix', prefix: m }` adds the prefix form's columns instead (then `nearest({ exact: 'certified',
 * certified: { form: 'prefix', prefix: m } })`). `down` drops the columns; the vector column stays
 * STORAGE EXTERNAL ({@link vectorStorageMigration} sets it back). Put `up` in a migration of its own
 * (`prisma migrate dev --create-only`) and `schema`'s lines in the model.
 *
 * @example
 * const m = certifiedColumnsMigration('Document', 'embedding', 768, ['cosine']);
 * m.up;     // 'ALTER TABLE "Document" ADD COLUMN IF NOT EXISTS "embedding_unit_half" halfvec(768) GENERATED ALWAYS AS (…) STORED, …;\n'
 * m.schema; // ['embedding_unit_half Unsupported("halfvec(768)")? @default(dbgenerated())', 'embedding_unit_half_l2err Float? @default(dbgenerated())']
 */
export function certifiedColumnsMigration(
  table: QualifiedName,
  column: string,
  dimensions: number,
  distances: readonly CertifiedDistance[],
  layout: CertifiedLayout = {},
): CertifiedColumnsMigration {
  const schema = certifiedGeneratedColumns(column, dimensions, distances, layout).map((c) => {
    const type = c.type === 'double precision' ? 'Float?' : `Unsupported(${JSON.stringify(c.type)})?`;
    const field = /^[A-Za-z][A-Za-z0-9_]*$/.test(c.name) ? c.name : `f_${c.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    const map = field === c.name ? '' : ` @map(${JSON.stringify(c.name)})`;
    return `${field} ${type} @default(dbgenerated())${map}`;
  });
  return {
    up: `${addCertifiedColumnsSql(table, column, dimensions, distances, { ...layout, ifNotExists: true })};\n`,
    down: `${dropCertifiedColumnsSql(table, column, distances, layout)};\n`,
    schema,
  };
}

/**
 * The installed pgvector through a Prisma Client: `{ installed, version, schema }` (`installed: false`
 * when `CREATE EXTENSION vector` has not run), as `pgvectorInfo` in every other integration.
 *
 * @example
 * const { installed, version } = await pgvectorInfo(prisma);
 */
export function pgvectorInfo(prisma: PrismaRawClient): Promise<ExtensionInfo> {
  return extensionInfo(wrapPrisma(prisma));
}

/**
 * Check the installed pgvector through a Prisma Client: returns `{ installed, version, schema }`,
 * or throws EXTENSION_MISSING / VERSION_TOO_OLD naming the feature that needs a newer version
 * (halfvec and sparsevec need 0.7.0, iterative scans 0.8.0). One feature, as in the other
 * integrations, or several.
 *
 * @example
 * const info = await requirePgvector(prisma, 'sparsevec');
 * await requirePgvector(prisma, ['sparsevec', 'iterativeScan']); // { version: '0.8.0', … }
 */
export async function requirePgvector(
  prisma: PrismaRawClient,
  feature: VectorFeature | readonly VectorFeature[] = [],
): Promise<ExtensionInfo> {
  const db = wrapPrisma(prisma);
  const features: readonly VectorFeature[] = typeof feature === 'string' ? [feature] : feature;
  let info: ExtensionInfo | undefined;
  for (const f of features) info = await requireFeature(db, f);
  if (info) return info;
  const found = await extensionInfo(db);
  if (!found.installed) {
    throw new VecpgError(
      'EXTENSION_MISSING',
      'the vector extension is not installed in this database: apply vectorExtensionMigration() (CREATE EXTENSION IF NOT EXISTS vector)',
    );
  }
  return found;
}
