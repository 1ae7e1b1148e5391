import { VecpgError } from '../errors.ts';
import type { Row, SqlExecutor, VecpgDb } from './executor.ts';
import { typeOfValue } from './operators.ts';
import type { Certificate } from './certified-query.ts';
import { type CertifiedRows, type CertifiedSearchOptions, runCertifiedSearch } from './certified-search.ts';
import { quoteIdent, quoteQualified } from './identifiers.ts';
import { explainNoLikeRow } from './like.ts';
import { toVectorValue } from './params.ts';
import { type SimilarityQueryOptions, type SqlQuery, buildSimilarityQuery } from './query.ts';
import { DEFAULT_K, validateSearchOptions } from './search-options.ts';
import { type SearchSettings, validateSearchSettings, withSearchSettings } from './settings.ts';
import { decodeVectorColumn, readsBinary } from './vector-output.ts';

/** Options of {@link search}. */
export interface SearchOptions extends Omit<
  SimilarityQueryOptions,
  'annotate' | 'orderBy' | 'k' | 'exact' | 'distanceAlias'
> {
  /**
   * How many rows. Default 10, except with `maxDistance`: then every row under the threshold (Django's
   * `filter(distance__lt=…)`), and `k` is a limit only when you give it.
   */
  k?: number;
  /**
   * Exact by default: the true top-k, whatever indexes the table has. `false` lets PostgreSQL use
   * an HNSW/IVFFlat index (approximate), as does passing `approximate`. `'certified'`: the same exact
   * top-k, found by scanning the compact columns of `addCertifiedColumnsSql` and proven per query
   * (docs/certified-search.md); the result carries its `certificate`.
   */
  exact?: boolean | 'certified';
  /** Ask for an approximate (index) search, with query-time settings applied to this query only. */
  approximate?: SearchSettings;
  /** Tuning of `exact: 'certified'` (candidates, growth, tries). */
  certified?: CertifiedSearchOptions;
}

/**
 * Nearest rows to `query`, nearest first, each with its `distance`. Exact unless you ask for
 * `approximate` (or `exact: false`); approximate settings are `SET LOCAL` in a transaction.
 * On vecpg's drivers the query vector is bound in pgvector's binary format (pg, PGlite), and the
 * vector column, when `select` lists it, is read back as binary (`vector_send(col)` on node-postgres, a
 * binary result column on PGlite) and decoded to exactly the value the driver's text parser returns;
 * with `select: '*'` it comes back as text. With `exact: 'certified'` the rows are the same and the
 * array has a `certificate` (proven on the first try, candidates, bound, fallback).
 *
 * @example
 * const rows = await search(db, { table: 'items', column: 'embedding', query: [1, 2, 3], distance: 'cosine', k: 5 });
 * const fast = await search(db, { table: 'items', column: 'embedding', query, distance: 'l2', approximate: { efSearch: 100 } });
 * const proven = await search(db, { table: 'items', column: 'embedding', query, distance: 'l2', exact: 'certified' });
 * proven.certificate.firstTry; // true
 */
export async function search<R extends Row = Row>(
  db: VecpgDb,
  options: SearchOptions & { exact: 'certified' },
): Promise<CertifiedRows<R & { distance: number }>>;
export async function search<R extends Row = Row>(
  db: VecpgDb,
  options: SearchOptions,
): Promise<Array<R & { distance: number }>>;
export async function search<R extends Row = Row>(
  db: VecpgDb,
  options: SearchOptions,
): Promise<Array<R & { distance: number }>> {
  const { approximate: _approximate, exact: _exact, k: _k, certified: certifiedOptions, ...rest } = options;
  const { exact, certified, settings, limit } = validateSearchOptions({
    ...options,
    filters: options.where,
    allowCertified: true,
  });
  const pairs = validateSearchSettings(settings);
  const like = rest.likeId !== undefined;
  // Fast paths where the driver supports them: the query vector as a binary parameter, and the vector
  // column (when `select` lists it) read back as binary and decoded to what the driver would return.
  const output = db.vectorOutput;
  // With likeId and no type, the column's type is not known here: no binary read (the driver's text parser reads it).
  const type = rest.type ?? (like || rest.query === undefined ? undefined : typeOfValue(rest.query));
  const decode =
    type !== undefined &&
    output !== undefined &&
    readsBinary(type) &&
    rest.column !== undefined &&
    Array.isArray(rest.select) &&
    rest.select.includes(rest.column);
  type Out = R & { distance: number };
  // PGlite: the vector column itself, asked for in binary result format; other drivers: vector_send(col),
  // a bytea. Either way the bytes are pgvector's send format.
  const protocolRead = decode && db.queryBinaryColumns !== undefined;
  const build = (readBinary: boolean) =>
    buildSimilarityQuery({
      ...rest,
      ...(type === undefined ? {} : { type }),
      annotate: true,
      orderBy: true,
      ...(limit === undefined ? {} : { k: limit }),
      exact,
      distanceAlias: 'distance',
      binaryParams: db.binaryParams === true,
      readBinary,
    });
  const built = build(decode && !protocolRead); // also validates every option before any statement runs
  const execute = (ex: SqlExecutor, make: (readBinary: boolean) => SqlQuery): Promise<Out[]> => {
    const binaryColumns = protocolRead ? ex.queryBinaryColumns : undefined;
    if (binaryColumns !== undefined) {
      const positions = (rest.select as readonly string[]).flatMap((c, i) => (c === rest.column ? [i] : []));
      const statement = make(false);
      return binaryColumns<Out>(statement.text, statement.values, positions);
    }
    // A transaction executor without binary columns (a hand-made VecpgDb): read through vector_send instead.
    const statement = make(decode);
    return ex.query<Out>(statement.text, statement.values);
  };
  const exactMake = (readBinary: boolean) => (readBinary === (decode && !protocolRead) ? built : build(readBinary));
  let certificate: Certificate | undefined;
  let rows: Out[];
  if (certified) {
    if (like) {
      throw new VecpgError('UNSUPPORTED', "exact: 'certified' needs the query vector itself; likeId is not supported", {
        details: { option: 'likeId' },
      });
    }
    if (type !== 'vector') {
      throw new VecpgError('UNSUPPORTED', `exact: 'certified' needs a vector column and query, not ${type}`, {
        details: { type },
      });
    }
    const result = await runCertifiedSearch({
      ...rest,
      column: rest.column,
      query: toVectorValue(rest.query, 'vector'),
      k: limit ?? DEFAULT_K,
      binaryParams: db.binaryParams === true,
      options: certifiedOptions ?? {},
      run: (make) => execute(db, make),
      db,
      runOn: (ex, make) => execute(ex, make),
      exact: () => execute(db, exactMake),
    });
    rows = result.rows as Out[];
    certificate = result.certificate;
  } else {
    // No settings to scope: no transaction needed.
    rows =
      exact || pairs.length === 0
        ? await execute(db, exactMake)
        : await withSearchSettings(db, settings, (tx) => execute(tx, exactMake));
  }
  if (like && rows.length === 0) {
    const idColumn = options.idColumn ?? 'id';
    const row = { table: quoteQualified(options.table), column: quoteIdent(rest.column!), id: quoteIdent(idColumn) };
    const table = typeof options.table === 'string' ? options.table : options.table.join('.');
    await explainNoLikeRow(db, row, { table, column: rest.column!, idColumn }, rest.likeId!);
  }
  if (decode && output !== undefined && type !== undefined && readsBinary(type)) {
    const column = rest.column!;
    // A column named "distance" is shadowed by the distance itself, as in the text path.
    if (column !== 'distance')
      for (const row of rows) (row as Row)[column] = decodeVectorColumn((row as Row)[column], type, output);
  }
  if (certificate !== undefined) Object.defineProperty(rows, 'certificate', { value: certificate, enumerable: false });
  return rows;
}

export { DEFAULT_K, searchLimit, searchMode, validateSearchOptions } from './search-options.ts';
