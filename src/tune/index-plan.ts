/**
 * Planning an HNSW or IVFFlat index for a column: picks the operator class, validates the build
 * options, and refuses — with the fix — what pgvector would refuse after a long wait: too many
 * dimensions, a column without dimensions, sparse rows over HNSW's 1,000 non-zeros, IVFFlat on
 * sparsevec.
 */
import { VecpgError } from '../errors.ts';
import {
  binaryQuantizeExpression,
  castExpression,
  createIndexSql,
  defaultIndexName,
  type CreateIndexOptions,
} from '../sql/ddl.ts';
import type { SqlExecutor } from '../sql/executor.ts';
import { quantizedExpression } from '../sql/rerank.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from '../sql/identifiers.ts';
import { type DistanceName, type IndexMethod, type VectorType, opclassFor, operatorFor } from '../sql/operators.ts';
import { INDEX_MAX_DIMENSIONS } from '../types/limits.ts';
import { describeVectorColumn } from '../sql/catalog.ts';

/** HNSW accepts sparse rows with at most this many non-zero elements. */
export const HNSW_SPARSE_MAX_NNZ = 1_000;

/** Options of {@link planIndex}. */
export interface PlanIndexOptions {
  table: QualifiedName;
  column: string;
  distance: DistanceName;
  /** Default `'hnsw'`. */
  method?: IndexMethod;
  /**
   * Index an expression instead of the column: `'halfvec'` (`column::halfvec(n)`, up to 4,000
   * dimensions) or `'bit'` (`binary_quantize(column)::bit(n)`, Hamming or Jaccard, re-rank exactly).
   */
  as?: 'halfvec' | 'bit';
  name?: string;
  m?: number;
  efConstruction?: number;
  /** IVFFlat lists; default: rows / 1000 up to 1M rows, sqrt(rows) above (at least 1). */
  lists?: number;
  concurrently?: boolean;
  ifNotExists?: boolean;
}

/** What {@link planIndex} decided. */
export interface IndexPlan {
  sql: string;
  name: string;
  method: IndexMethod;
  opclass: string;
  /** Type of the indexed column or expression. */
  type: VectorType;
  /** Distance the index serves (Hamming for a binary-quantized index). */
  distance: DistanceName;
  /** The expression indexed, when not the column itself. */
  expression: string | null;
  /** Rows in the table when planned (estimate from the catalog for big tables). */
  rows: number;
  /** Things the user should know (defaults chosen, how to query an expression index). */
  notes: string[];
}

/**
 * Check a column and build the `CREATE INDEX` statement for it.
 *
 * @example
 * const plan = await planIndex(db, { table: 'items', column: 'embedding', distance: 'cosine' });
 * await db.query(plan.sql);
 */
export async function planIndex(db: SqlExecutor, options: PlanIndexOptions): Promise<IndexPlan> {
  const method = options.method ?? 'hnsw';
  const info = await describeVectorColumn(db, options.table, options.column);
  const where = `${typeof options.table === 'string' ? options.table : options.table.join('.')}.${options.column}`;
  const notes: string[] = [];
  if (info.varying) {
    throw new VecpgError(
      'UNSUPPORTED',
      `column ${where} is bit varying, which pgvector cannot index; change it to bit(n)`,
      {
        details: { column: where },
      },
    );
  }
  const dims = info.dimensions;
  if (dims === null) {
    const seen = await sampleDimensions(db, options.table, options.column, info.type);
    const n = seen ?? 'n';
    throw new VecpgError(
      'UNSUPPORTED',
      `column ${where} is ${info.type} without dimensions, which pgvector cannot index (column does not have dimensions); ` +
        `fix: ALTER TABLE ${quoteQualified(options.table)} ALTER COLUMN ${quoteIdent(options.column)} TYPE ${info.type}(${n})`,
      { details: { column: where } },
    );
  }
  let type: VectorType = info.type;
  let distance = options.distance;
  let expression: string | null = null;
  if (options.as !== undefined) {
    if (info.type !== 'vector' && !(info.type === 'halfvec' && options.as === 'bit')) {
      throw new VecpgError('UNSUPPORTED', `--as ${options.as} applies to vector columns; ${where} is ${info.type}`);
    }
    if (options.as === 'halfvec') {
      expression = quantizedExpression(options.column, 'halfvec', dims);
      type = 'halfvec';
      notes.push(
        `queries must order by (${expression}) ${operatorFor('halfvec', distance)} $1::halfvec(${dims}) to use this index`,
      );
    } else {
      expression = quantizedExpression(options.column, 'binary', dims, info.type === 'halfvec' ? 'halfvec' : 'vector');
      type = 'bit';
      if (distance !== 'hamming' && distance !== 'jaccard') {
        notes.push(`binary quantization indexes Hamming distance; re-rank the candidates exactly by ${distance}`);
        distance = 'hamming';
      }
    }
  }
  opclassFor(type, distance, method);
  const limit = INDEX_MAX_DIMENSIONS[type];
  if (type !== 'sparsevec' && dims > limit) {
    const fix =
      type === 'vector'
        ? `index an expression instead: --as halfvec (${castExpression(options.column, 'halfvec', dims)}, up to 4,000 dimensions)` +
          ` or --as bit (${binaryQuantizeExpression(options.column, dims)} with Hamming distance, then re-rank exactly)`
        : type === 'halfvec'
          ? '--as bit (binary quantization with Hamming distance, then re-rank exactly)'
          : 'reduce the number of bits';
    throw new VecpgError(
      'UNSUPPORTED',
      `${method} indexes support at most ${limit} dimensions for ${type}; ${where} has ${dims}: ${fix}`,
      {
        details: { column: where, dimensions: dims, max: limit },
      },
    );
  }
  if (type === 'sparsevec') await checkSparseRows(db, options.table, options.column, where);
  const rows = await countRows(db, options.table);
  const build: CreateIndexOptions = {
    table: options.table,
    type,
    distance,
    method,
    ...(expression === null ? { column: options.column } : { expression }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.m === undefined ? {} : { m: options.m }),
    ...(options.efConstruction === undefined ? {} : { efConstruction: options.efConstruction }),
    ...(options.concurrently ? { concurrently: true } : {}),
    ...(options.ifNotExists ? { ifNotExists: true } : {}),
  };
  if (method === 'ivfflat') {
    const lists = options.lists ?? recommendedLists(rows);
    if (options.lists === undefined) notes.push(`lists = ${lists} (rows / 1000 up to 1M rows, sqrt(rows) above)`);
    if (rows === 0)
      notes.push('the table is empty: IVFFlat picks its lists from existing rows, build it after loading');
    build.lists = lists;
  } else if (options.lists !== undefined) {
    build.lists = options.lists; // createIndexSql refuses it with the right message
  }
  const sql = createIndexSql(build);
  return {
    sql,
    name: options.name ?? defaultIndexName(options.table, expression ?? options.column, method, distance),
    method,
    opclass: opclassFor(type, distance, method),
    type,
    distance,
    expression,
    rows,
    notes,
  };
}

/**
 * pgvector's recommended IVFFlat `lists` for a table of `rows` rows.
 *
 * @example
 * recommendedLists(50_000) // 50
 */
export function recommendedLists(rows: number): number {
  const n = rows <= 1_000_000 ? Math.floor(rows / 1000) : Math.floor(Math.sqrt(rows));
  return Math.min(32_768, Math.max(1, n));
}

async function countRows(db: SqlExecutor, table: QualifiedName): Promise<number> {
  const r = await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${quoteQualified(table)}`);
  return Number(r[0]?.n ?? 0);
}

async function sampleDimensions(
  db: SqlExecutor,
  table: QualifiedName,
  column: string,
  type: VectorType,
): Promise<number | null> {
  if (type === 'sparsevec') return null;
  const fn = type === 'bit' ? 'length' : 'vector_dims';
  const r = await db.query<{ d: unknown }>(
    `SELECT ${fn}(${quoteIdent(column)}) AS d FROM ${quoteQualified(table)} WHERE ${quoteIdent(column)} IS NOT NULL LIMIT 1`,
  );
  return r[0] === undefined ? null : Number(r[0].d);
}

/** SQL counting the non-zero elements of a sparsevec column (pgvector has no function for it). */
export function sparseNnzSql(column: string): string {
  const text = `${quoteIdent(column)}::text`;
  return `(length(${text}) - length(replace(${text}, ':', '')))`;
}

async function checkSparseRows(db: SqlExecutor, table: QualifiedName, column: string, where: string): Promise<void> {
  const nnz = sparseNnzSql(column);
  const r = await db.query<{ n: unknown; worst: unknown; ctid: unknown }>(
    `SELECT count(*) OVER () AS n, ${nnz} AS worst, ctid::text AS ctid FROM ${quoteQualified(table)}
      WHERE ${nnz} > $1 ORDER BY ${nnz} DESC LIMIT 1`,
    [HNSW_SPARSE_MAX_NNZ],
  );
  const row = r[0];
  if (!row) return;
  throw new VecpgError(
    'UNSUPPORTED',
    `HNSW indexes accept sparse vectors with at most ${HNSW_SPARSE_MAX_NNZ} non-zero elements; ${Number(row.n)} row(s) of ${where} have more ` +
      `(the largest, at ctid ${String(row.ctid)}, has ${Number(row.worst)}): keep the ${HNSW_SPARSE_MAX_NNZ} largest elements of each row, ` +
      'or search exactly without an index',
    { details: { column: where, rows: Number(row.n), maxNonZeros: Number(row.worst) } },
  );
}
