/**
 * Hybrid search: one statement ranking rows by a vector distance (exact by default) and by PostgreSQL
 * full-text search, fused with Reciprocal Rank Fusion: score = Σ weight_side / (rrfK + rank_side) over
 * the sides that found the row. Rows found by only one side still rank.
 */
import { VecpgError, describeValue } from '../errors.ts';
import type { Row, SqlExecutor, VecpgDb } from './executor.ts';
import { quoteIdent, quoteQualified } from './identifiers.ts';
import { type DistanceName, type VectorType, typeOfValue } from './operators.ts';
import type { VectorInput } from './params.ts';
import type { SearchFilter } from './filters.ts';
import { type SqlQuery, buildSimilarityQuery } from './query.ts';
import { searchMode } from './search.ts';
import { DEFAULT_K, validateSearchOptions } from './search-options.ts';
import { type SearchSettings, validateSearchSettings, withSearchSettings } from './settings.ts';
import type { QualifiedName } from './identifiers.ts';

/**
 * What every hybrid search takes, whatever names the table and its columns: the vector side (`query`,
 * `distance`, exact or `approximate`), the text side (`text`, `language`) and the fusion (`k`,
 * `candidates`, `weights`, `rrfK`). The core's and each ORM's `HybridSearchOptions` extend it.
 */
export interface HybridFusionOptions {
  query: VectorInput;
  distance: DistanceName;
  /** The words to search for, in `websearch_to_tsquery` syntax (`"exact phrase" -excluded or`). */
  text: string;
  /** Text search configuration (default `'english'`). */
  language?: string;
  /** How many rows (default 10). */
  k?: number;
  /** Candidates each side ranks before fusing (default `max(4k, 40)` each). */
  candidates?: { vector?: number; text?: number };
  /** Weight of each side in the fused score (default 1 each). */
  weights?: { vector?: number; text?: number };
  /** The RRF constant `k_rrf` in `1 / (k_rrf + rank)` (default 60). */
  rrfK?: number;
  /** Exact vector side unless false (or `approximate` is given), as in `search()`. */
  exact?: boolean;
  approximate?: SearchSettings;
}

export interface HybridSearchOptions extends HybridFusionOptions {
  table: QualifiedName;
  /** The vector column. */
  column: string;
  /** The column's vector type; inferred from `query` when omitted. */
  type?: VectorType;
  /** A `text` column (indexed as `to_tsvector(language, column)`) or a stored `tsvector` column. */
  textColumn: string;
  /** Columns to return (default `*`). */
  select?: '*' | readonly string[];
  /** Filters (as in `search()`), applied before the candidates are taken. */
  where?: SearchFilter;
}

/** What hybrid search adds to each row. Ranks are 1-based; `null` when that side did not find the row. */
export interface HybridFields {
  score: number;
  vectorRank: number | null;
  textRank: number | null;
  /** The vector distance, when the vector side ranked the row. */
  distance: number | null;
}

/** The rows, best first; `note` says when the text side was skipped (no words to search for). */
export type HybridRows<R> = Array<R & HybridFields> & { readonly note: string | undefined };

function positive(name: string, value: unknown, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isSafeInteger(value))) {
    throw new VecpgError(
      'INVALID_OPTION',
      `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${describeValue(value)}`,
      { details: { option: name } },
    );
  }
  return value;
}

/** Build the hybrid statement (exported for tests and adapters); `textIsVector`: the column is a tsvector. */
export function buildHybridQuery(options: HybridSearchOptions, textIsVector: boolean, binaryParams = false): SqlQuery {
  // The one search contract (k, distance); `limit` is k, or DEFAULT_K.
  const k = validateSearchOptions({ distance: options.distance, k: options.k }).limit ?? DEFAULT_K;
  const vectorCandidates = positive('candidates.vector', options.candidates?.vector ?? Math.max(4 * k, 40), true);
  const textCandidates = positive('candidates.text', options.candidates?.text ?? Math.max(4 * k, 40), true);
  const rrfK = options.rrfK ?? 60;
  if (typeof rrfK !== 'number' || !Number.isFinite(rrfK) || rrfK < 0) {
    throw new VecpgError('INVALID_OPTION', `rrfK must be a number >= 0, got ${describeValue(rrfK)}`, {
      details: { option: 'rrfK' },
    });
  }
  const weightVector = positive('weights.vector', options.weights?.vector ?? 1, false);
  const weightText = positive('weights.text', options.weights?.text ?? 1, false);
  if (typeof options.text !== 'string') {
    throw new VecpgError('INVALID_OPTION', `text must be a string, got ${describeValue(options.text)}`, {
      details: { option: 'text' },
    });
  }
  const common = {
    table: options.table,
    column: options.column,
    query: options.query,
    distance: options.distance,
    type: options.type ?? typeOfValue(options.query),
    select: ['ctid'],
    binaryParams,
    ...(options.where === undefined ? {} : { where: options.where }),
  };
  // The vector side: vecpg's similarity query (exact unless asked otherwise), the k best row ids.
  const ranked = buildSimilarityQuery({
    ...common,
    annotate: true,
    distanceAlias: 'distance',
    orderBy: true,
    exact: options.exact ?? true,
    k: vectorCandidates,
  });
  // The same filters with the same parameters ($1 and the filter values come first in both), for the text side.
  const filtered = buildSimilarityQuery({ ...common, annotate: false, orderBy: false });
  const values = [...ranked.values];
  const bind = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const table = quoteQualified(options.table);
  const language = `${bind(options.language ?? 'english')}::regconfig`;
  const textCol = `t.${quoteIdent(options.textColumn)}`;
  const doc = textIsVector ? textCol : `to_tsvector(${language}, ${textCol})`;
  const tsquery = `websearch_to_tsquery(${language}, ${bind(options.text)})`;
  const rrf = `${bind(rrfK)}::float8`;
  const select =
    options.select === undefined || options.select === '*'
      ? 't.*'
      : options.select.map((c) => `t.${quoteIdent(c)}`).join(', ');
  const text = `WITH v AS (
  SELECT r.ctid, r.distance, (row_number() OVER (ORDER BY r.distance, r.ctid))::int AS rank FROM (${ranked.text}) r
), x AS (
  SELECT s.ctid, s.rank FROM (
    SELECT t.ctid, (row_number() OVER (ORDER BY ts_rank_cd(${doc}, q) DESC, t.ctid))::int AS rank
    FROM ${table} t, ${tsquery} q
    WHERE ${doc} @@ q AND t.ctid IN (${filtered.text})
  ) s WHERE s.rank <= ${bind(textCandidates)}
), f AS (
  SELECT coalesce(v.ctid, x.ctid) AS ctid, v.rank AS vector_rank, x.rank AS text_rank, v.distance,
    coalesce(${bind(weightVector)}::float8 / (${rrf} + v.rank), 0)
      + coalesce(${bind(weightText)}::float8 / (${rrf} + x.rank), 0) AS score
  FROM v FULL JOIN x ON v.ctid = x.ctid
)
SELECT ${select}, f.score AS "score", f.vector_rank AS "vectorRank", f.text_rank AS "textRank", f.distance AS "distance"
FROM f JOIN ${table} t ON t.ctid = f.ctid
ORDER BY f.score DESC, f.vector_rank NULLS LAST, f.text_rank NULLS LAST
LIMIT ${bind(k)}`;
  return { text, values };
}

/**
 * The text column's type (undefined when there is no such column) and how many nodes the text's query
 * has (0: no searchable words), in one round trip.
 */
async function textSide(
  db: SqlExecutor,
  options: HybridSearchOptions,
): Promise<{ type: string | undefined; lexemes: number }> {
  const rows = await db.query<{ t: string | null; n: number }>(
    `SELECT (SELECT format_type(a.atttypid, NULL)::text FROM pg_attribute a
             WHERE a.attrelid = to_regclass($1) AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped) AS t,
            numnode(websearch_to_tsquery($3::regconfig, $4))::int AS n`,
    [quoteQualified(options.table), options.textColumn, options.language ?? 'english', options.text],
  );
  return { type: rows[0]?.t ?? undefined, lexemes: Number(rows[0]?.n ?? 0) };
}

/**
 * Rows ranked by both a vector distance and full-text search, fused with Reciprocal Rank Fusion, in
 * one statement. Each row carries `score`, `vectorRank`, `textRank` (1-based, `null` where that side did
 * not find it) and `distance`. `db` is any vecpg database or an ORM's executor (`drizzleExecutor(db)`,
 * `kyselyExecutor(db)`, `typeormExecutor(dataSource)`, `sequelizeExecutor(sequelize)`, `wrapKnex(knex)`,
 * `wrapMikroOrm(em)`, `wrapPrisma(prisma)`); approximate settings need a `VecpgDb`. Text with no searchable words (empty, or only stop words) leaves the
 * vector side alone, and the result's `note` says so.
 *
 * @example
 * const rows = await hybridSearch(db, { table: 'documents', column: 'embedding', query, distance: 'cosine',
 *   text: 'postgres vector search', textColumn: 'content', k: 5 });
 */
export async function hybridSearch<R extends Row = Row>(
  db: VecpgDb | SqlExecutor,
  options: HybridSearchOptions,
): Promise<HybridRows<R>> {
  const { exact, settings } = searchMode({ exact: options.exact, approximate: options.approximate });
  const pairs = validateSearchSettings(settings);
  const scoped = !exact && pairs.length > 0;
  if (scoped && !('transaction' in db)) {
    throw new VecpgError(
      'INVALID_OPTION',
      'approximate settings are applied in a transaction: pass a VecpgDb (wrapPg, wrapKnex, wrapPrisma…), not a bare executor',
      { details: { option: 'approximate' } },
    );
  }
  const { type, lexemes } = await textSide(db, options);
  if (type === undefined) {
    throw new VecpgError(
      'INVALID_OPTION',
      `${quoteQualified(options.table)} has no column ${describeValue(options.textColumn)} to search text in`,
      { details: { option: 'textColumn' } },
    );
  }
  if (!['text', 'character varying', 'character', 'tsvector'].includes(type)) {
    throw new VecpgError(
      'INVALID_OPTION',
      `textColumn ${options.textColumn} is ${type}; full-text search needs a text or tsvector column`,
      { details: { option: 'textColumn' } },
    );
  }
  const binary = 'binaryParams' in db && db.binaryParams === true;
  const statement = buildHybridQuery({ ...options, exact }, type === 'tsvector', binary);
  const note =
    lexemes === 0
      ? `the text ${describeValue(options.text)} has no searchable words: ranked by vector distance alone`
      : undefined;
  const run = (ex: SqlExecutor) => ex.query<R & HybridFields>(statement.text, statement.values);
  const rows = scoped && 'transaction' in db ? await withSearchSettings(db, settings, run) : await run(db);
  Object.defineProperty(rows, 'note', { value: note, enumerable: false });
  return rows as HybridRows<R>;
}
