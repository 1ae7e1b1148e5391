/**
 * `vecpg search`: the Django walkthrough's three query patterns from a shell — nearest rows ordered by
 * distance, with their distance, optionally filtered by a maximum distance and column values.
 * Exact unless `--approximate` is given.
 */
import { certifiedColumns } from '../../sql/certified-ddl.ts';
import type { Certificate } from '../../sql/certified-query.ts';
import { hybridSearch } from '../../sql/hybrid.ts';
import { rerankSearch } from '../../sql/rerank.ts';
import { search } from '../../sql/search.ts';
import { validateSearchOptions } from '../../sql/search-options.ts';
import type { DistanceName } from '../../sql/operators.ts';
import { parseQueryVector } from '../../tune/query-vector.ts';
import { describeVectorColumn } from '../../sql/catalog.ts';
import { readTableColumns } from '../../sql/catalog.ts';
import {
  CliUsageError,
  listFlag,
  parseCommandArgs,
  readQueryArg,
  requireFlag,
  stringFlag,
  approximateSettings,
  resolveVectorColumn,
  vectorColumnFlags,
  SEARCH_SETTING_OPTIONS,
  VECTOR_SEARCH_OPTIONS,
} from '../args.ts';
import type { CliCommand } from '../command.ts';
import { parseFilters } from '../filters.ts';
import { cliMessage } from '../messages.ts';
import { isVecpgError } from '../../errors.ts';
import { withConnection } from '../connect.ts';
import { formatTable, int8ColumnsForJson, print, toJson } from '../output.ts';

const CERTIFIED_DISTANCES = ['l2', 'ip', 'cosine', 'l1'] as const;

const USAGE = `Usage: vecpg search --table T [--column C] (--query LITERAL|@file | --like-id ID) [options]

Nearest rows to a query vector (or to a stored row), closest first, each with its distance.
Exact by default: the true top-k even when an HNSW or IVFFlat index exists.

Options:
  --table T              table to search (--schema S to qualify it)
  --column C             vector, halfvec, sparsevec or bit column (default: the table's only one)
  --query Q              the query vector in pgvector text ('[1,2,3]', '{1:0.5}/6', '101') or @file
  --like-id ID           more like this: the stored row with this id is the query (and is left out)
  --id-column C          the id column for --like-id (default id)
  --distance D           l2 | ip | cosine | l1 | hamming | jaccard (default l2; hamming for bit)
  -k N                   number of rows (default 10; with --max-distance, no limit unless given)
  --max-distance X       only rows closer than X: all of them, unless -k limits the count
  --filter F             filter, repeatable (ANDed): col=v, col!=v, col<v, col<=v, col>v, col>=v,
                         'col in (a,b)', 'col not in (a,b)', 'col is null', 'col is not null'
                         (col=\\N means IS NULL; quote a value with '…', a column with "…")
  --select a,b           columns to show (default: all but the vector column)
  --exact                exact search (default)
  --certified            exact, proven per query from the compact columns of import --create --certified
                         (l2, ip, cosine, l1 on a vector column); --json shows the certificate
    --certified-prefix M the prefix form of import --certified-prefix M (l2, cosine)
    --certified-parallel P  auto (default: the prefix form's tries without parallel workers, unless the
                         setting is yours) | serial (never) | server (the server's plan)
  --approximate          let an HNSW/IVFFlat index answer (faster, may miss true neighbours)
    --ef-search N        hnsw.ef_search (1-1000)
    --iterative-scan M   off | relaxed | strict (pgvector 0.8: keep scanning until k rows pass the filters)
    --probes N           ivfflat.probes (1-32768)
    --max-scan-tuples N  hnsw.max_scan_tuples: how far an iterative scan may go (1-2147483647)
  --text WORDS           hybrid search: also rank by full-text search of WORDS (websearch syntax) and fuse
                         the two rankings (Reciprocal Rank Fusion; docs/hybrid-search.md)
    --text-column C      the text or tsvector column to search (required with --text)
    --language L         text search configuration (default english)
  --rerank binary|halfvec  two-stage search: candidates from the binary_quantize(col)::bit(n) or col::halfvec(n)
                         index (vecpg index create --as bit|halfvec), re-ranked exactly (docs/two-stage-search.md)
    --candidates N       candidates before the re-rank (default max(10k, 100), at most 1000)
  --json                 print JSON
  --database-url URL     PostgreSQL server (default: DATABASE_URL, else the embedded database)
Ctrl-C or SIGTERM cancels the search on the server, waits for it to stop, and exits (130 / 143).`;

/** Run a library check; its VecpgError becomes a usage error (exit 2) in the flags' words. */
function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (isVecpgError(error) && !(error instanceof CliUsageError)) throw new CliUsageError(cliMessage(error));
    throw error;
  }
}

/** A number flag as typed (`NaN` when it is not one), for the library's validator to judge. */
function numberOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  return raw.trim() === '' ? Number.NaN : Number(raw);
}

/**
 * The `search` command.
 *
 * @example
 * await main(['search', '--table', 'items', '--column', 'embedding', '--query', '[1,2,3]', '-k', '5'], io);
 */
export const searchCommand: CliCommand = {
  name: 'search',
  summary: 'nearest rows to a query vector (exact unless --approximate)',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      ...VECTOR_SEARCH_OPTIONS,
      query: { type: 'string' },
      'like-id': { type: 'string' },
      'id-column': { type: 'string' },
      'max-distance': { type: 'string' },
      select: { type: 'string' },
      exact: { type: 'boolean' },
      certified: { type: 'boolean' },
      'certified-prefix': { type: 'string' },
      'certified-parallel': { type: 'string' },
      approximate: { type: 'boolean' },
      text: { type: 'string' },
      'text-column': { type: 'string' },
      language: { type: 'string' },
      rerank: { type: 'string' },
      candidates: { type: 'string' },
      ...SEARCH_SETTING_OPTIONS,
    });
    const { table, column: columnFlag, distance: distanceFlag } = vectorColumnFlags(values);
    const likeId = stringFlag(values, 'like-id');
    const idColumn = stringFlag(values, 'id-column');
    if (likeId !== undefined && values.query !== undefined) {
      throw new CliUsageError(
        '--query and --like-id cannot be used together: --like-id takes the stored row as the query',
      );
    }
    if (idColumn !== undefined && likeId === undefined)
      throw new CliUsageError('--id-column applies with --like-id only');
    const queryText = likeId === undefined ? await readQueryArg(requireFlag(values, 'query'), io.cwd) : undefined;
    // Numbers as typed: the library's one validator checks them (and names the flag in its message).
    const maxDistance = numberOf(stringFlag(values, 'max-distance'));
    const kGiven = numberOf(stringFlag(values, 'k'));
    const where = parseFilters(listFlag(values, 'filter'));
    // Checked before connecting, by the library's validator (the column's default distance, l2 or hamming,
    // has the same rules), and reported as a usage error naming the flags.
    const contract = { k: kGiven, maxDistance, filters: where };
    usage(() => validateSearchOptions({ ...contract, distance: distanceFlag ?? 'l2' }));
    if (values.exact === true && values.approximate === true) {
      throw new CliUsageError('--exact and --approximate cannot be used together');
    }
    const approximate = values.approximate === true;
    const certified = values.certified === true;
    if (certified && approximate) throw new CliUsageError('--certified and --approximate cannot be used together');
    const certifiedPrefix = numberOf(stringFlag(values, 'certified-prefix'));
    if (certifiedPrefix !== undefined && !certified)
      throw new CliUsageError('--certified-prefix goes with --certified');
    const certifiedParallel = stringFlag(values, 'certified-parallel');
    if (certifiedParallel !== undefined && !certified)
      throw new CliUsageError('--certified-parallel goes with --certified');
    if (certifiedParallel !== undefined && !['auto', 'serial', 'server'].includes(certifiedParallel))
      throw new CliUsageError(
        `--certified-parallel must be auto, serial or server, got ${JSON.stringify(certifiedParallel)}`,
      );
    const certifiedOptions = {
      ...(certifiedPrefix === undefined ? {} : { form: 'prefix' as const, prefix: certifiedPrefix }),
      ...(certifiedParallel === undefined ? {} : { parallel: certifiedParallel as 'auto' | 'serial' | 'server' }),
    };
    const settings = approximateSettings(values, approximate);
    const text = stringFlag(values, 'text');
    const textColumn = stringFlag(values, 'text-column');
    const language = stringFlag(values, 'language');
    if (text !== undefined && textColumn === undefined) throw new CliUsageError('--text needs --text-column');
    if (text === undefined && (textColumn !== undefined || language !== undefined)) {
      throw new CliUsageError('--text-column and --language apply with --text only');
    }
    const rerankFlag = stringFlag(values, 'rerank');
    if (rerankFlag !== undefined && rerankFlag !== 'binary' && rerankFlag !== 'halfvec') {
      throw new CliUsageError(`--rerank must be binary or halfvec, got ${JSON.stringify(rerankFlag)}`);
    }
    const candidates = numberOf(stringFlag(values, 'candidates'));
    if (candidates !== undefined && rerankFlag === undefined)
      throw new CliUsageError('--candidates applies with --rerank only');
    const special = text !== undefined ? '--text' : rerankFlag !== undefined ? '--rerank' : undefined;
    if (text !== undefined && rerankFlag !== undefined)
      throw new CliUsageError('--text and --rerank cannot be used together');
    if (special !== undefined && (likeId !== undefined || certified || maxDistance !== undefined)) {
      throw new CliUsageError(
        `${special} takes --query; it does not combine with --like-id, --certified or --max-distance`,
      );
    }
    if (rerankFlag !== undefined && approximate) {
      throw new CliUsageError(
        '--rerank is approximate already (its candidate stage uses the index); drop --approximate',
      );
    }
    const select = stringFlag(values, 'select')
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');

    return withConnection(values, io, async ({ db }) => {
      const column = await resolveVectorColumn(db, table, columnFlag, 'search');
      const info = await describeVectorColumn(db, table, column);
      const distance: DistanceName = distanceFlag ?? (info.type === 'bit' ? 'hamming' : 'l2');
      const { limit: k } = validateSearchOptions({ ...contract, distance });
      const target =
        queryText === undefined
          ? { likeId: likeId!, ...(idColumn === undefined ? {} : { idColumn }) }
          : { query: parseQueryVector(queryText, info) };
      const started = performance.now();
      const query = target.query;
      const rows =
        text !== undefined && query !== undefined
          ? await hybridSearch(db, {
              table,
              column,
              query,
              type: info.type,
              distance,
              text,
              textColumn: textColumn!,
              ...(language === undefined ? {} : { language }),
              ...(k === undefined ? {} : { k }),
              where,
              ...(select === undefined ? {} : { select }),
              exact: !approximate,
              ...(settings === undefined ? {} : { approximate: settings }),
            })
          : rerankFlag !== undefined && query !== undefined
            ? await rerankSearch(db, {
                table,
                column,
                query,
                type: info.type === 'halfvec' ? 'halfvec' : 'vector',
                distance,
                ...(k === undefined ? {} : { k }),
                where,
                ...(select === undefined ? {} : { select }),
                rerank: { using: rerankFlag, ...(candidates === undefined ? {} : { candidates }) },
              })
            : await search(db, {
                table,
                column,
                ...target,
                type: info.type,
                distance,
                ...(k === undefined ? {} : { k }),
                where,
                ...(maxDistance === undefined ? {} : { maxDistance }),
                ...(select === undefined ? {} : { select }),
                exact: certified ? 'certified' : !approximate,
                ...(Object.keys(certifiedOptions).length === 0 ? {} : { certified: certifiedOptions }),
                ...(settings === undefined ? {} : { approximate: settings }),
              });
      const note = (rows as { note?: string }).note;
      const certificate = (rows as { certificate?: Certificate }).certificate;
      const hidden = new Set([
        column,
        ...CERTIFIED_DISTANCES.flatMap((d) => Object.values(certifiedColumns(column, d))),
        ...(['l2', 'cosine'] as const).flatMap((d) => Object.values(certifiedColumns(column, d, { form: 'prefix' }))),
      ]);
      const ms = performance.now() - started;
      const shown = rows.map((r) => {
        if (select !== undefined) return r;
        return Object.fromEntries(Object.entries(r).filter(([name]) => !hidden.has(name)));
      });
      if (values.json === true) {
        // bigint ids follow the one JSON rule of every command (docs/cli.md), whatever the driver returned.
        const columns = (await readTableColumns(db, table)) ?? [];
        const int8 = new Set(columns.filter((c) => c.typname === 'int8').map((c) => c.name));
        const rowsJson = shown.map((r) => int8ColumnsForJson(r, int8));
        const mode =
          text !== undefined
            ? 'hybrid'
            : rerankFlag !== undefined
              ? `rerank-${rerankFlag}`
              : approximate
                ? 'approximate'
                : certified
                  ? 'certified'
                  : 'exact';
        print(
          io,
          toJson({
            mode,
            distance,
            k: k ?? null,
            ...(certificate === undefined ? {} : { certificate }),
            ...(note === undefined ? {} : { note }),
            rows: rowsJson,
          }),
        );
        return 0;
      }
      const first = shown[0];
      const columns = first ? Object.keys(first) : ['distance'];
      print(io, formatTable(columns, shown));
      if (note !== undefined) print(io, `note: ${note}\n`);
      const how =
        text !== undefined
          ? `hybrid (${approximate ? 'approximate' : 'exact'} vector side + full text, RRF)`
          : rerankFlag !== undefined
            ? `${rerankFlag} candidates re-ranked exactly by`
            : certificate === undefined
              ? approximate
                ? 'approximate'
                : 'exact'
              : certificate.proven
                ? `exact, certified with ${certificate.candidates} candidates${certificate.firstTry ? '' : ` after ${certificate.tries} tries`}`
                : `exact (exact scan: ${certificate.reason ?? 'no certificate'})`;
      print(io, `(${rows.length} row${rows.length === 1 ? '' : 's'}, ${how} ${distance}, ${ms.toFixed(1)} ms)\n`);
      return 0;
    });
  },
};
