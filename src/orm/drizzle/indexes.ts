/**
 * HNSW and IVFFlat indexes declared in a Drizzle table, so drizzle-kit writes them into
 * migrations with the right operator class and keeps them on the next `generate`. The operator
 * class and the option checks are the SQL layer's (`opclassFor`, `createIndexSql`).
 */
import { Column, getTableName, is, sql } from 'drizzle-orm';
import { index } from 'drizzle-orm/pg-core';
import type { ExtraConfigColumn, IndexBuilder } from 'drizzle-orm/pg-core';
import { VecpgError, describeValue } from '../../errors.ts';
import { createIndexSql, defaultIndexName } from '../../sql/ddl.ts';
import { type DistanceName, type IndexMethod, opclassFor } from '../../sql/operators.ts';
import { type QuantizedForm, quantizedExpression } from '../../sql/rerank.ts';
import { columnVectorType } from './distance.ts';

/** Build options of an HNSW index (pgvector's defaults when omitted). */
export interface HnswIndexOptions {
  /** Index name; default `<table>_<column>_hnsw_<distance>_idx`, as the SQL layer names it. */
  name?: string;
  /** Max connections per layer, 2–100 (default 16). */
  m?: number;
  /** Candidate list size while building, 4–1000 and >= 2·m (default 64). */
  efConstruction?: number;
  /**
   * Index a compact copy for two-stage search (`vectorSearch({ rerank: { using } })`) instead of the column:
   * `'binary'` indexes `binary_quantize(col)::bit(n)` (Hamming, whatever `distance` the search uses),
   * `'halfvec'` indexes `col::halfvec(n)` with `distance`. The expression is the core's
   * `quantizedExpression`, the very one the search orders by.
   */
  quantize?: QuantizedForm;
}

/** Build options of an IVFFlat index. */
export interface IvfflatIndexOptions {
  /** Index name; default `<table>_<column>_ivfflat_<distance>_idx`. */
  name?: string;
  /** Number of lists, 1–32768 (default 100; about rows/1000 up to 1M rows). */
  lists?: number;
  /** As in {@link HnswIndexOptions.quantize}. */
  quantize?: QuantizedForm;
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
  const info = describeColumn(column);
  if (options.quantize !== undefined) return buildQuantized(method, column, type, distance, info, options);
  const opclass = opclassFor(type, distance, method);
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

function withOptionsOf(options: HnswIndexOptions & IvfflatIndexOptions): Record<string, string> {
  const out: Record<string, string> = {};
  if (options.m !== undefined) out.m = String(options.m);
  if (options.efConstruction !== undefined) out.ef_construction = String(options.efConstruction);
  if (options.lists !== undefined) out.lists = String(options.lists);
  return out;
}

/** The index on the quantized expression, written and checked by the SQL layer's `createIndexSql`. */
function buildQuantized(
  method: IndexMethod,
  column: IndexColumn,
  type: string,
  distance: DistanceName,
  info: { table: string; name: string; dimensions: number | undefined },
  options: HnswIndexOptions & IvfflatIndexOptions,
): IndexBuilder {
  const using = options.quantize;
  if (using !== 'binary' && using !== 'halfvec') {
    throw new VecpgError('INVALID_OPTION', `quantize must be 'binary' or 'halfvec', got ${describeValue(using)}`, {
      details: { option: 'quantize' },
    });
  }
  if (type !== 'vector' && type !== 'halfvec') {
    throw new VecpgError('UNSUPPORTED', `quantize applies to vector and halfvec columns; ${info.name} is ${type}`, {
      details: { option: 'quantize' },
    });
  }
  if (info.dimensions === undefined) {
    throw new VecpgError('INVALID_OPTION', `quantize needs the column's dimensions; ${info.name} declares none`, {
      details: { option: 'quantize' },
    });
  }
  const expression = quantizedExpression(info.name, using, info.dimensions, type);
  const stage =
    using === 'binary'
      ? { type: 'bit' as const, distance: 'hamming' as const }
      : { type: 'halfvec' as const, distance };
  const opclass = opclassFor(stage.type, stage.distance, method);
  const name = options.name ?? defaultIndexName(info.table, expression, method, stage.distance);
  createIndexSql({
    table: info.table,
    expression,
    type: stage.type,
    distance: stage.distance,
    method,
    name,
    dimensions: info.dimensions,
    ...(options.m === undefined ? {} : { m: options.m }),
    ...(options.efConstruction === undefined ? {} : { efConstruction: options.efConstruction }),
    ...(options.lists === undefined ? {} : { lists: options.lists }),
  });
  // drizzle-kit writes an SQL index target as it is: the expression in parentheses, then its opclass.
  const builder = index(name).using(method, sql.raw(`(${expression}) ${opclass}`));
  const withOptions = withOptionsOf(options);
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
