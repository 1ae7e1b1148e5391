/**
 * Two-stage search: approximate candidates from a small quantized index — `binary_quantize(col)::bit(n)`
 * with Hamming distance, or `col::halfvec(n)` — then an exact re-rank of those candidates on the
 * full-precision column, in one statement. The candidate stage is the search's only approximation: the
 * distances returned are the exact ones, and the order among the candidates is exact.
 */
import { VecpgError, describeValue } from '../errors.ts';
import { HalfVector } from '../types/halfvec.ts';
import { binaryQuantize } from '../vector-math.ts';
import { castExpression, binaryQuantizeExpression } from './ddl.ts';
import type { Row, SqlExecutor, VecpgDb } from './executor.ts';
import { quoteIdent, type QualifiedName } from './identifiers.ts';
import { type DistanceName, operatorFor } from './operators.ts';
import { type VectorInput, toVectorValue } from './params.ts';
import type { SearchFilter } from './filters.ts';
import { type SqlQuery, buildSimilarityQuery, exactOrderSql } from './query.ts';
import { DEFAULT_K, validateSearchOptions } from './search-options.ts';
import { type SearchSettings, validateSearchSettings, withSearchSettings } from './settings.ts';

/** Which compact copy the candidates come from. */
export type QuantizedForm = 'binary' | 'halfvec';

export interface RerankOptions {
  /** `binary`: `binary_quantize(col)::bit(n)`, Hamming distance; `halfvec`: `col::halfvec(n)`, the same distance. */
  using: QuantizedForm;
  /** Candidates taken from the quantized stage before the exact re-rank (default `max(10k, 100)`, at most 1000). */
  candidates?: number;
}

/**
 * The index expression of a quantized form, exactly as `vecpg index create --as halfvec|bit` and
 * `createIndexSql({ expression })` write it: the search must order by the same expression to use the index.
 *
 * @example
 * quantizedExpression('embedding', 'binary', 768); // 'binary_quantize("embedding")::bit(768)'
 */
export function quantizedExpression(
  column: string,
  using: QuantizedForm,
  dimensions: number,
  columnType: 'vector' | 'halfvec' = 'vector',
): string {
  if (using === 'halfvec') {
    if (columnType !== 'vector') {
      throw new VecpgError('UNSUPPORTED', `a halfvec copy applies to vector columns; ${column} is ${columnType}`);
    }
    return castExpression(column, 'halfvec', dimensions);
  }
  return columnType === 'halfvec'
    ? `binary_quantize(${quoteIdent(column)}::vector(${dimensions}))::bit(${dimensions})`
    : binaryQuantizeExpression(column, dimensions);
}

export interface RerankSearchOptions {
  table: QualifiedName;
  column: string;
  query: VectorInput;
  distance: DistanceName;
  /** The column's type (default `vector`). */
  type?: 'vector' | 'halfvec';
  k?: number;
  select?: '*' | readonly string[];
  /** Filters (as in `search()`), applied before the candidates are taken. */
  where?: SearchFilter;
  rerank: RerankOptions;
  /** Settings for the candidate stage; by default `efSearch` is raised to the number of candidates. */
  approximate?: SearchSettings;
}

function checkRerank(rerank: unknown, k: number): { using: QuantizedForm; candidates: number } {
  const r = rerank as Partial<RerankOptions> | null;
  if (r === null || typeof r !== 'object' || (r.using !== 'binary' && r.using !== 'halfvec')) {
    throw new VecpgError(
      'INVALID_OPTION',
      `rerank.using must be 'binary' or 'halfvec', got ${describeValue(r?.using ?? rerank)}`,
      { details: { option: 'rerank.using' } },
    );
  }
  const candidates = r.candidates ?? Math.min(1000, Math.max(10 * k, 100));
  if (!Number.isSafeInteger(candidates) || candidates < k || candidates > 1000) {
    throw new VecpgError(
      'INVALID_OPTION',
      `rerank.candidates must be an integer from k (${k}) to 1000, got ${describeValue(candidates)}`,
      { details: { option: 'rerank.candidates' } },
    );
  }
  return { using: r.using, candidates };
}

/** The two-stage statement: quantized candidates (`LIMIT candidates`), re-ranked exactly (`LIMIT k`). */
export function buildRerankQuery(options: RerankSearchOptions, binaryParams = false): SqlQuery {
  return planRerank(options, binaryParams).statement;
}

/** The statement and the number of candidates it takes (which sizes `ef_search`), checked once. */
function planRerank(options: RerankSearchOptions, binaryParams: boolean): { statement: SqlQuery; candidates: number } {
  // The one search contract (k, distance); `limit` is k, or DEFAULT_K.
  const contract = validateSearchOptions({ distance: options.distance, k: options.k });
  const k = contract.limit ?? DEFAULT_K;
  const { using, candidates } = checkRerank(options.rerank, k);
  const distance = contract.distance;
  const type = options.type ?? 'vector';
  const full = toVectorValue(options.query, type);
  const dims = full.dimensions;
  const floats = full.toArray();
  const stage =
    using === 'binary'
      ? { type: 'bit' as const, distance: 'hamming' as const, query: binaryQuantize(floats) }
      : { type: 'halfvec' as const, distance, query: new HalfVector(floats) };
  const inner = buildSimilarityQuery({
    table: options.table,
    expression: quantizedExpression(options.column, using, dims, type),
    query: stage.query,
    type: stage.type,
    distance: stage.distance,
    select: '*',
    annotate: false,
    orderBy: true,
    exact: false,
    k: candidates,
    binaryParams,
    ...(options.where === undefined ? {} : { where: options.where }),
  });
  const values = [...inner.values];
  values.push(binaryParams ? full.toBinary() : full.toSql());
  const param = `$${values.length}::${type}`;
  const dist = exactOrderSql(`c.${quoteIdent(options.column)} ${operatorFor(type, distance)} ${param}`);
  const select =
    options.select === undefined || options.select === '*'
      ? 'c.*'
      : options.select.map((col) => `c.${quoteIdent(col)}`).join(', ');
  values.push(k);
  const text = `SELECT ${select}, ${dist} AS "distance" FROM (${inner.text}) c ORDER BY ${dist} LIMIT $${values.length}`;
  return { statement: { text, values }, candidates };
}

/**
 * Nearest rows by a two-stage search: candidates from the quantized index, re-ranked exactly. HNSW's
 * `ef_search` is raised to the number of candidates for this statement (unless `approximate` says
 * otherwise), so the index can return them all.
 *
 * @example
 * await rerankSearch(db, { table: 'items', column: 'embedding', query, distance: 'cosine', k: 10,
 *   rerank: { using: 'binary', candidates: 200 } });
 */
export async function rerankSearch<R extends Row = Row>(
  db: VecpgDb,
  options: RerankSearchOptions,
): Promise<Array<R & { distance: number }>> {
  const { statement, candidates } = planRerank(options, db.binaryParams === true);
  const settings: SearchSettings = options.approximate ?? { efSearch: Math.max(40, candidates) };
  validateSearchSettings(settings);
  return withSearchSettings(db, settings, (tx: SqlExecutor) =>
    tx.query<R & { distance: number }>(statement.text, statement.values),
  );
}
