/**
 * HNSW and IVFFlat indexes declared in a Drizzle table, so drizzle-kit writes them into
 * migrations with the right operator class and keeps them on the next `generate`. The operator
 * class and the option checks are the SQL layer's (`opclassFor`, `createIndexSql`).
 */
import { Column, getTableName, is } from 'drizzle-orm';
import { index } from 'drizzle-orm/pg-core';
import type { ExtraConfigColumn, IndexBuilder } from 'drizzle-orm/pg-core';
import { VecpgError, describeValue } from '../../errors.ts';
import { createIndexSql, defaultIndexName } from '../../sql/ddl.ts';
import { type DistanceName, type IndexMethod, opclassFor } from '../../sql/operators.ts';
import { columnVectorType } from './distance.ts';

/** Build options of an HNSW index (pgvector's defaults when omitted). */
export interface HnswIndexOptions {
  /** Index name; default `<table>_<column>_hnsw_<distance>_idx`, as the SQL layer names it. */
  name?: string;
  /** Max connections per layer, 2–100 (default 16). */
  m?: number;
  /** Candidate list size while building, 4–1000 and >= 2·m (default 64). */
  efConstruction?: number;
}

/** Build options of an IVFFlat index. */
export interface IvfflatIndexOptions {
  /** Index name; default `<table>_<column>_ivfflat_<distance>_idx`. */
  name?: string;
  /** Number of lists, 1–32768 (default 100; about rows/1000 up to 1M rows). */
  lists?: number;
}

/** The column passed to an index helper inside `pgTable(…, (t) => [...])`. */
export type IndexColumn = ExtraConfigColumn | Column;

function describeColumn(column: IndexColumn): { table: string; name: string; dimensions: number | undefined } {
  const config = (column as unknown as { config?: { fieldConfig?: { dimensions?: number }; dimensions?: number } })
    .config;
  return {
    table: getTableName(column.table),
    name: column.name,
    dimensions: config?.fieldConfig?.dimensions ?? config?.dimensions,
  };
}

function build(
  method: IndexMethod,
  column: IndexColumn,
  distance: DistanceName,
  options: HnswIndexOptions & IvfflatIndexOptions,
): IndexBuilder {
  if (!is(column, Column)) {
    throw new VecpgError(
      'INVALID_VALUE',
      `a ${method} index needs a table column (t.embedding), got ${describeValue(column)}`,
    );
  }
  const type = columnVectorType(column);
  if (type === undefined) {
    throw new VecpgError('INVALID_VALUE', `column ${column.name} is not a vector, halfvec, sparsevec or bit column`);
  }
  const opclass = opclassFor(type, distance, method);
  const info = describeColumn(column);
  const name = options.name ?? defaultIndexName(info.table, info.name, method, distance);
  // Validate every option exactly as the SQL layer does (ranges, efConstruction >= 2·m, dimension limits).
  createIndexSql({
    table: info.table,
    column: info.name,
    type,
    distance,
    method,
    name,
    ...(info.dimensions === undefined ? {} : { dimensions: info.dimensions }),
    ...(options.m === undefined ? {} : { m: options.m }),
    ...(options.efConstruction === undefined ? {} : { efConstruction: options.efConstruction }),
    ...(options.lists === undefined ? {} : { lists: options.lists }),
  });
  // Strings, in this order: drizzle-kit push compares them with the server's reloptions
  // (`m=16`, read back as the string '16'), so numbers would make every push rebuild the index.
  const withOptions: Record<string, string> = {};
  if (options.m !== undefined) withOptions.m = String(options.m);
  if (options.efConstruction !== undefined) withOptions.ef_construction = String(options.efConstruction);
  if (options.lists !== undefined) withOptions.lists = String(options.lists);
  const target = (column as ExtraConfigColumn).op(opclass);
  const builder = index(name).using(method, target);
  return Object.keys(withOptions).length > 0 ? builder.with(withOptions) : builder;
}

/**
 * An HNSW index with the operator class for the column's type and `distance`
 * (`vector_cosine_ops`, `sparsevec_l2_ops`, `bit_hamming_ops`, …). Declare it in the table's
 * extra config; drizzle-kit generates `CREATE INDEX … USING hnsw (col opclass) WITH (…)`.
 *
 * @example
 * const items = pgTable('items', { id: serial('id').primaryKey(), embedding: vector('embedding', { dimensions: 3 }) },
 *   (t) => [hnswIndex(t.embedding, 'cosine', { m: 16, efConstruction: 64 })]);
 */
export function hnswIndex(column: IndexColumn, distance: DistanceName, options: HnswIndexOptions = {}): IndexBuilder {
  if ((options as IvfflatIndexOptions).lists !== undefined) {
    throw new VecpgError('INVALID_OPTION', 'lists is an IVFFlat option; HNSW takes m and efConstruction');
  }
  return build('hnsw', column, distance, options);
}

/**
 * An IVFFlat index (vector and halfvec: l2, ip, cosine; bit: hamming). Build it after loading
 * data: its lists are computed from the rows present at build time.
 *
 * @example
 * const items = pgTable('items', { embedding: vector('embedding', { dimensions: 3 }) },
 *   (t) => [ivfflatIndex(t.embedding, 'l2', { lists: 100 })]);
 */
export function ivfflatIndex(
  column: IndexColumn,
  distance: DistanceName,
  options: IvfflatIndexOptions = {},
): IndexBuilder {
  const o = options as HnswIndexOptions;
  if (o.m !== undefined || o.efConstruction !== undefined) {
    throw new VecpgError('INVALID_OPTION', 'm and efConstruction are HNSW options; IVFFlat takes lists');
  }
  return build('ivfflat', column, distance, options);
}
