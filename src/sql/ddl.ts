import { VecpgError, describeValue } from '../errors.ts';
import { MAX_DIMENSIONS, SPARSE_MAX_DIMENSIONS } from '../types/limits.ts';
import {
  type QualifiedName,
  MAX_IDENTIFIER_BYTES,
  quoteIdent,
  quoteQualified,
  unqualifiedName,
} from './identifiers.ts';
import {
  type DistanceName,
  type IndexMethod,
  type VectorType,
  checkIndexDimensions,
  checkVectorType,
  opclassFor,
} from './operators.ts';

/**
 * PostgreSQL's own limit on `bit(n)` (length for type bit cannot exceed 83886080).
 *
 * @example
 * columnTypeSql('bit', BIT_MAX_LENGTH); // 'bit(83886080)'
 */
export const BIT_MAX_LENGTH = 83_886_080;

function checkInt(
  name: string,
  value: unknown,
  min: number,
  max: number,
  code: 'INVALID_OPTION' | 'INVALID_DIMENSIONS' = 'INVALID_OPTION',
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new VecpgError(code, `${name} must be an integer from ${min} to ${max}, got ${describeValue(value)}`, {
      details: { option: name, value },
    });
  }
  return value;
}

/**
 * `CREATE EXTENSION IF NOT EXISTS vector`, optionally in a schema.
 *
 * @example
 * createExtensionSql();                     // 'CREATE EXTENSION IF NOT EXISTS vector'
 * createExtensionSql({ schema: 'ext' });    // 'CREATE EXTENSION IF NOT EXISTS vector SCHEMA "ext"'
 */
export function createExtensionSql(options: { schema?: string; ifNotExists?: boolean } = {}): string {
  const ine = (options.ifNotExists ?? true) ? ' IF NOT EXISTS' : '';
  const schema = options.schema === undefined ? '' : ` SCHEMA ${quoteIdent(options.schema)}`;
  return `CREATE EXTENSION${ine} vector${schema}`;
}

/**
 * `DROP EXTENSION IF EXISTS vector` (the reverse of {@link createExtensionSql}).
 *
 * @example
 * dropExtensionSql();                  // 'DROP EXTENSION IF EXISTS vector'
 * dropExtensionSql({ cascade: true }); // 'DROP EXTENSION IF EXISTS vector CASCADE'
 */
export function dropExtensionSql(options: { ifExists?: boolean; cascade?: boolean } = {}): string {
  return `DROP EXTENSION${(options.ifExists ?? true) ? ' IF EXISTS' : ''} vector${options.cascade ? ' CASCADE' : ''}`;
}

/**
 * The column type with its dimensions: `vector(3)`, `halfvec(3072)`, `sparsevec(10000)`, `bit(64)`.
 * Dimensions are required (an undimensioned column cannot be indexed, and a bare `bit` is `bit(1)`):
 * 1–16,000 for vector and halfvec, 1–1,000,000,000 for sparsevec, 1–83,886,080 for bit.
 *
 * @example
 * columnTypeSql('vector', 3); // 'vector(3)'
 */
export function columnTypeSql(type: VectorType, dimensions: number): string {
  const t = checkVectorType(type);
  const max = t === 'sparsevec' ? SPARSE_MAX_DIMENSIONS : t === 'bit' ? BIT_MAX_LENGTH : MAX_DIMENSIONS;
  checkInt(`${t} dimensions`, dimensions, 1, max, 'INVALID_DIMENSIONS');
  return `${t}(${dimensions})`;
}

/**
 * An index expression casting a column: `"embedding"::halfvec(3072)`, to index vectors wider than
 * 2,000 dimensions as halfvec (up to 4,000). Search with the same expression to use the index.
 *
 * @example
 * castExpression('embedding', 'halfvec', 3072); // '"embedding"::halfvec(3072)'
 */
export function castExpression(column: string, type: VectorType, dimensions: number): string {
  return `${quoteIdent(column)}::${columnTypeSql(type, dimensions)}`;
}

/**
 * `binary_quantize("embedding")::bit(n)`: an index expression for Hamming/Jaccard search over the
 * signs of a vector (up to 64,000 bits); re-rank the candidates exactly afterwards.
 *
 * @example
 * binaryQuantizeExpression('embedding', 3072); // 'binary_quantize("embedding")::bit(3072)'
 */
export function binaryQuantizeExpression(column: string, dimensions: number): string {
  return `binary_quantize(${quoteIdent(column)})::${columnTypeSql('bit', dimensions)}`;
}

/** Options of {@link createIndexSql}. Give `column` or `expression` (trusted SQL, e.g. from {@link castExpression}). */
export interface CreateIndexOptions {
  table: QualifiedName;
  column?: string;
  expression?: string;
  /** The type of the column or expression. */
  type: VectorType;
  distance: DistanceName;
  /** Default `'hnsw'`. */
  method?: IndexMethod;
  /** Index name; default `<table>_<column or expression>_<method>_<distance>_idx`. */
  name?: string;
  /** When given, refused above the index limit (vector 2,000, halfvec 4,000, bit 64,000). */
  dimensions?: number;
  /** HNSW: max connections per layer, 2–100 (pgvector default 16). */
  m?: number;
  /** HNSW: candidate list size while building, 4–1000 and >= 2·m (pgvector default 64). */
  efConstruction?: number;
  /** IVFFlat: number of lists, 1–32768 (pgvector default 100). */
  lists?: number;
  concurrently?: boolean;
  ifNotExists?: boolean;
}

/** 32-bit FNV-1a, for short deterministic suffixes. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Cut a name to 63 bytes, keeping it unique with a hash of the whole name. */
function fitIdentifier(name: string): string {
  const enc = new TextEncoder();
  if (enc.encode(name).length <= MAX_IDENTIFIER_BYTES) return name;
  const suffix = `_${fnv1a(name)}`;
  let head = '';
  for (const ch of name) {
    if (enc.encode(head + ch + suffix).length > MAX_IDENTIFIER_BYTES) break;
    head += ch;
  }
  return head + suffix;
}

/**
 * The default index name: `<table>_<column>_<method>_<distance>_idx` (for an expression, its
 * letters and digits joined by `_`), cut to 63 bytes with a hash suffix when longer.
 *
 * @example
 * defaultIndexName('items', 'embedding', 'hnsw', 'cosine'); // 'items_embedding_hnsw_cosine_idx'
 */
export function defaultIndexName(
  table: QualifiedName,
  columnOrExpression: string,
  method: IndexMethod,
  distance: DistanceName,
): string {
  const target = columnOrExpression.replace(/[^\p{L}\p{N}_]+/gu, '_').replace(/^_+|_+$/g, '');
  return fitIdentifier(`${unqualifiedName(table)}_${target}_${method}_${distance}_idx`);
}

/**
 * `CREATE INDEX` for an HNSW or IVFFlat index with the right operator class and validated
 * build options. Options are validated integers written into `WITH (…)` (DDL cannot bind them).
 *
 * @example
 * createIndexSql({ table: 'items', column: 'embedding', type: 'vector', distance: 'cosine', method: 'hnsw', m: 16 });
 * // 'CREATE INDEX "items_embedding_hnsw_cosine_idx" ON "items" USING hnsw ("embedding" vector_cosine_ops) WITH (m = 16)'
 */
export function createIndexSql(options: CreateIndexOptions): string {
  const method = options.method ?? 'hnsw';
  const opclass = opclassFor(options.type, options.distance, method);
  const hasColumn = options.column !== undefined;
  if (hasColumn === (options.expression !== undefined)) {
    throw new VecpgError('INVALID_OPTION', 'createIndexSql needs exactly one of column or expression');
  }
  let target: string;
  if (options.column !== undefined) target = quoteIdent(options.column);
  else {
    const expr = options.expression;
    if (typeof expr !== 'string' || expr.trim() === '') {
      throw new VecpgError(
        'INVALID_OPTION',
        `index expression must be a non-empty SQL string, got ${describeValue(expr)}`,
      );
    }
    target = `(${expr})`;
  }
  if (options.dimensions !== undefined) {
    checkInt(
      'dimensions',
      options.dimensions,
      1,
      options.type === 'sparsevec' ? SPARSE_MAX_DIMENSIONS : BIT_MAX_LENGTH,
      'INVALID_DIMENSIONS',
    );
    checkIndexDimensions(options.type, options.dimensions, method);
  }
  const withParts: string[] = [];
  if (method === 'hnsw') {
    if (options.lists !== undefined)
      throw new VecpgError('INVALID_OPTION', 'lists is an IVFFlat option; HNSW takes m and efConstruction');
    if (options.m !== undefined) withParts.push(`m = ${checkInt('m', options.m, 2, 100)}`);
    if (options.efConstruction !== undefined) {
      withParts.push(`ef_construction = ${checkInt('efConstruction', options.efConstruction, 4, 1000)}`);
    }
    const m = options.m ?? 16;
    const ef = options.efConstruction ?? 64;
    if (ef < 2 * m) {
      throw new VecpgError('INVALID_OPTION', `efConstruction (${ef}) must be at least 2 × m (${2 * m})`, {
        details: { m, efConstruction: ef },
      });
    }
  } else {
    if (options.m !== undefined || options.efConstruction !== undefined) {
      throw new VecpgError('INVALID_OPTION', 'm and efConstruction are HNSW options; IVFFlat takes lists');
    }
    if (options.lists !== undefined) withParts.push(`lists = ${checkInt('lists', options.lists, 1, 32768)}`);
  }
  const name =
    options.name ??
    defaultIndexName(options.table, options.column ?? options.expression ?? '', method, options.distance);
  const head = `CREATE INDEX${options.concurrently ? ' CONCURRENTLY' : ''}${options.ifNotExists ? ' IF NOT EXISTS' : ''}`;
  const withSql = withParts.length > 0 ? ` WITH (${withParts.join(', ')})` : '';
  return `${head} ${quoteIdent(name)} ON ${quoteQualified(options.table)} USING ${method} (${target} ${opclass})${withSql}`;
}

/**
 * `DROP INDEX IF EXISTS "name"`; pass `['schema', 'name']` for an index outside the search path.
 *
 * @example
 * dropIndexSql('items_embedding_hnsw_cosine_idx'); // 'DROP INDEX IF EXISTS "items_embedding_hnsw_cosine_idx"'
 */
export function dropIndexSql(
  name: QualifiedName,
  options: { ifExists?: boolean; concurrently?: boolean } = {},
): string {
  const conc = options.concurrently ? ' CONCURRENTLY' : '';
  return `DROP INDEX${conc}${(options.ifExists ?? true) ? ' IF EXISTS' : ''} ${quoteQualified(name)}`;
}

/** PostgreSQL column storage strategies. */
export type ColumnStorage = 'plain' | 'main' | 'external' | 'extended';

/**
 * `ALTER TABLE … ALTER COLUMN … SET STORAGE …`: `plain` keeps vectors inline (no TOAST), which
 * pgvector recommends for faster sequential scans of wide vectors.
 *
 * @example
 * setStorageSql('items', 'embedding', 'plain'); // 'ALTER TABLE "items" ALTER COLUMN "embedding" SET STORAGE PLAIN'
 */
export function setStorageSql(table: QualifiedName, column: string, storage: ColumnStorage): string {
  if (!['plain', 'main', 'external', 'extended'].includes(storage)) {
    throw new VecpgError(
      'INVALID_OPTION',
      `storage must be plain, main, external or extended, got ${describeValue(storage)}`,
    );
  }
  return `ALTER TABLE ${quoteQualified(table)} ALTER COLUMN ${quoteIdent(column)} SET STORAGE ${storage.toUpperCase()}`;
}
