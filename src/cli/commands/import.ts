/**
 * `vecpg import FILE --table T`: load a vector file with the checks of `vecpg/load` (index base,
 * dimensions, NaN, non-zeros), a progress line on a terminal, and a summary always.
 */
import { resolve } from 'node:path';
import { load, type LoadOptions, type LoadProgress, type LoadResult } from '../../io/load.ts';
import { IMPORT_FORMATS, parseFormat } from '../../io/readers/formats.ts';
import { VecpgError } from '../../errors.ts';
import { VECTOR_TYPES } from '../../sql/operators.ts';
import type { CertifiedDistance } from '../../sql/certified-bound.ts';
import { extensionInfo } from '../../sql/version.ts';
import { CliUsageError, choiceFlag, intFlag, listFlag, parseCommandArgs, requireFlag, stringFlag } from '../args.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { tableName, withConnection } from '../connect.ts';
import { withFlags } from '../messages.ts';
import { formatTable, print, Progress, PROGRESS_OPTIONS, toJson } from '../output.ts';

const USAGE = `Usage: vecpg import FILE --table T [options]

  --column C            vector column (default: the table's only vector column; "embedding" with --create)
  --format F            ${IMPORT_FORMATS.join(' | ')} (default: from the file extension; vec when
                        the first line is "N D" or a token and numbers)
  --index-base 0|1      sparse indices count from 0 or 1 (default: the format's own: libsvm and mtx 1, jsonl 0)
  --dimensions N        dimensions of sparse records that do not state them (libsvm, JSON dictionaries)
  --type T              vector | halfvec | sparsevec | bit, for --create (default: from the data)
  --create              create the table when it does not exist
  --certified           with --create: add the compact columns of search --certified (vector columns;
                        the vector itself is then stored out of line)
  --certified-distance D  l2 | ip | cosine | l1, comma-separated (default l2)
  --certified-prefix M  with --certified: the prefix form instead (l2, cosine): a float16 copy of the first M
                        elements and the norm of the rest (search --certified-prefix M)
  --distribute-by C     Citus: hash-distribute the table by column C (created distributed with --create;
                        an existing local table is distributed first); needs the citus extension
  --shard-count N       with --distribute-by on a new distribution: shards (default citus.shard_count)
  --map FIELD=COLUMN    load a record field into a differently named column (repeatable)
  --vector-field NAME   JSON Lines / CSV field holding the vector (default: the column name)
  --no-header           CSV / TSV without a header row
  --delimiter C         CSV / TSV field delimiter, one character (\t or tab for a tab; default , or tab)
  --quote double|none   CSV / TSV quoting: double (default, RFC 4180) or none (" is an ordinary character)
  --token-column C      vec / word2vec: the text column the token goes to (default word)
  --dry-run             check everything and show the first rows as they would be stored; write nothing
  --on-error abort|skip abort (default: any bad record, nothing committed) or skip bad records
  --rejects FILE        with --on-error skip: write rejected records and reasons here (JSON Lines)
  --batch-rows N        rows per COPY chunk (default 10000)
  --progress, --quiet   progress lines every few seconds even on a terminal / none at all
                        (default: redrawn on a terminal, a line every 5 s otherwise)
Ctrl-C or SIGTERM cancels the COPY on the server (nothing is committed) and exits with 130.
common: --schema S, --json, --database-url URL`;

const OPTIONS = {
  table: { type: 'string' },
  schema: { type: 'string' },
  column: { type: 'string' },
  format: { type: 'string' },
  'index-base': { type: 'string' },
  dimensions: { type: 'string' },
  type: { type: 'string' },
  create: { type: 'boolean' },
  certified: { type: 'boolean' },
  'certified-distance': { type: 'string' },
  'certified-prefix': { type: 'string' },
  'distribute-by': { type: 'string' },
  'shard-count': { type: 'string' },
  map: { type: 'string', multiple: true },
  'vector-field': { type: 'string' },
  'no-header': { type: 'boolean' },
  delimiter: { type: 'string' },
  quote: { type: 'string' },
  'token-column': { type: 'string' },
  ...PROGRESS_OPTIONS,
  'dry-run': { type: 'boolean' },
  'on-error': { type: 'string' },
  rejects: { type: 'string' },
  'batch-rows': { type: 'string' },
} as const;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** `12,345 rows  8,100 rows/s  42% ETA 0:07` */
export function progressLine(p: LoadProgress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (p.rows * 1000) / elapsedMs : 0;
  let line = `${p.rows.toLocaleString('en-US')} rows  ${Math.round(rate).toLocaleString('en-US')} rows/s`;
  if (p.rejected > 0) line += `  ${p.rejected.toLocaleString('en-US')} rejected`;
  if (p.totalBytes !== undefined && p.totalBytes > 0 && p.bytesRead > 0) {
    const fraction = Math.min(1, p.bytesRead / p.totalBytes);
    const eta = ((elapsedMs / 1000) * (1 - fraction)) / fraction;
    const width = 20;
    const filled = Math.round(fraction * width);
    line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(fraction * 100)}%  ${line}  ETA ${duration(eta)}`;
  }
  return line;
}

function summary(r: LoadResult, file: string, rejectsFile: string | undefined): string {
  const base = r.indexBase === undefined ? '' : `, ${r.indexBase}-based indices`;
  const type = `${r.type}${r.dimensions === undefined ? '' : `(${r.dimensions})`}`;
  const what = r.dryRun ? `Dry run: would load ${r.rows} rows` : `Loaded ${r.rows} rows`;
  const lines = [
    `${what} into ${r.table}.${JSON.stringify(r.column)} ${type} from ${file} (${r.format}${base}) in ${(r.durationMs / 1000).toFixed(2)} s; ${r.rejected} rejected.`,
  ];
  if (r.createSql !== undefined) lines.push(`${r.dryRun ? 'would create' : 'created'}: ${r.createSql}`);
  if (r.columns.length > 0) lines.push(`other columns: ${r.columns.join(', ')}`);
  if (r.ignoredFields.length > 0) lines.push(`fields with no column (not loaded): ${r.ignoredFields.join(', ')}`);
  if (r.rejected > 0 && rejectsFile !== undefined) lines.push(`rejected records and reasons: ${rejectsFile}`);
  else if (r.rejected > 0) {
    const more = r.rejected - r.firstRejected.length;
    lines.push(
      `rejected${more > 0 ? ` (first ${r.firstRejected.length} of ${r.rejected}; --rejects FILE keeps them all)` : ''}:`,
    );
    for (const x of r.firstRejected)
      lines.push(`  line ${x.line}: [${x.code}] ${withFlags(x.reason, x.hint === undefined ? [] : [x.hint])}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The `import` command.
 *
 * @example
 * await main(['import', 'train.svm', '--table', 'docs', '--column', 'features', '--create', '--dimensions', '10000'], io);
 */
export const importCommand: CliCommand = {
  name: 'import',
  summary: 'load a vector file (libsvm, mtx, jsonl, csv, tsv, npy, fvecs, bvecs, vec, word2vec) with binary COPY',
  usage: USAGE,
  async run(argv, io: CliIO) {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, true);
    if (positionals.length !== 1)
      throw new CliUsageError(
        positionals.length === 0 ? 'missing FILE' : `one FILE at a time, got ${positionals.length}`,
      );
    const file = resolve(io.cwd, positionals[0]!);
    const table = tableName(requireFlag(values, 'table'), stringFlag(values, 'schema'));
    const mapping: Record<string, string> = {};
    for (const item of listFlag(values, 'map')) {
      const eq = item.indexOf('=');
      if (eq <= 0 || eq === item.length - 1)
        throw new CliUsageError(`--map must be FIELD=COLUMN, got ${JSON.stringify(item)}`);
      mapping[item.slice(0, eq)] = item.slice(eq + 1);
    }
    const base = choiceFlag(values, 'index-base', ['0', '1'] as const);
    const onError = choiceFlag(values, 'on-error', ['abort', 'skip'] as const) ?? 'abort';
    const rejects = stringFlag(values, 'rejects');
    if (rejects !== undefined && onError !== 'skip') throw new CliUsageError('--rejects goes with --on-error skip');
    const format = stringFlag(values, 'format');
    const column = stringFlag(values, 'column');
    const vectorField = stringFlag(values, 'vector-field');
    const dimensions = intFlag(values, 'dimensions', 1, 1_000_000_000);
    const type = choiceFlag(values, 'type', VECTOR_TYPES);
    const batchRows = intFlag(values, 'batch-rows', 1, 10_000_000);
    const certifiedDistances = stringFlag(values, 'certified-distance');
    if (certifiedDistances !== undefined && values.certified !== true)
      throw new CliUsageError('--certified-distance goes with --certified');
    if (values.certified === true && values.create !== true) throw new CliUsageError('--certified goes with --create');
    const certifiedPrefix = intFlag(values, 'certified-prefix', 1, 16_000);
    if (certifiedPrefix !== undefined && values.certified !== true)
      throw new CliUsageError('--certified-prefix goes with --certified');
    const certified =
      values.certified === true
        ? (certifiedDistances ?? 'l2').split(',').map((d) => {
            const name = d.trim();
            if (!['l2', 'ip', 'cosine', 'l1'].includes(name))
              throw new CliUsageError(`--certified-distance must be l2, ip, cosine or l1, got ${JSON.stringify(name)}`);
            return name as CertifiedDistance;
          })
        : undefined;
    const delimiter = delimiterFlag(stringFlag(values, 'delimiter'));
    const quote = choiceFlag(values, 'quote', ['double', 'none'] as const);
    const tokenColumn = stringFlag(values, 'token-column');
    const distributeBy = stringFlag(values, 'distribute-by');
    const shardCount = intFlag(values, 'shard-count', 1, 64000);
    if (shardCount !== undefined && distributeBy === undefined)
      throw new CliUsageError('--shard-count goes with --distribute-by');
    const options: LoadOptions = {
      file,
      table,
      mapping,
      onError,
      create: values.create === true,
      dryRun: values['dry-run'] === true,
      header: values['no-header'] !== true,
      ...(format === undefined ? {} : { format: parseFormat(format) }),
      ...(column === undefined ? {} : { column }),
      ...(vectorField === undefined ? {} : { vectorField }),
      ...(base === undefined ? {} : { indexBase: base === '0' ? 0 : 1 }),
      ...(dimensions === undefined ? {} : { dimensions }),
      ...(type === undefined ? {} : { type }),
      ...(batchRows === undefined ? {} : { batchRows }),
      ...(certified === undefined ? {} : { certified }),
      ...(certifiedPrefix === undefined ? {} : { certifiedLayout: { form: 'prefix', prefix: certifiedPrefix } }),
      ...(delimiter === undefined ? {} : { delimiter }),
      ...(quote === undefined ? {} : { quote }),
      ...(tokenColumn === undefined ? {} : { tokenColumn }),
      ...(distributeBy === undefined ? {} : { distributeBy }),
      ...(shardCount === undefined ? {} : { shardCount }),
      ...(rejects === undefined ? {} : { rejects: resolve(io.cwd, rejects) }),
    };
    return withConnection(values, io, async (conn) => {
      const ext = await extensionInfo(conn.db);
      if (!ext.installed) {
        throw new VecpgError(
          'EXTENSION_MISSING',
          `the vector extension is not installed in the database at ${conn.target}`,
        );
      }
      const progress = new Progress(io, { quiet: values.quiet === true, progress: values.progress === true });
      const started = Date.now();
      let last = 0;
      options.onProgress = (p) => {
        const now = Date.now();
        if (now - last < 200) return;
        last = now;
        progress.update(progressLine(p, now - started));
      };
      let result: LoadResult;
      try {
        result = await load(conn.pool ?? conn.pglite!, { ...options, ...(conn.signal && { signal: conn.signal }) });
      } finally {
        progress.done();
      }
      if (values.json === true) {
        print(io, toJson(result));
        return 0;
      }
      if (result.dryRun && result.preview.length > 0) {
        print(io, formatPreview(result));
      }
      print(io, summary(result, positionals[0]!, rejects));
      return 0;
    });
  },
};

/** `--delimiter`: one character; `\t` and `tab` mean a tab. */
function delimiterFlag(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const d = raw === '\\t' || raw.toLowerCase() === 'tab' ? '\t' : raw;
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r')
    throw new CliUsageError(`--delimiter must be one character (or \\t / tab), got ${JSON.stringify(raw)}`);
  return d;
}

function formatPreview(r: LoadResult): string {
  const rows = r.preview.map((p) => ({
    line: p.line,
    'stored (pgvector text)': p.stored,
    '0-based view': p.zeroBased,
  }));
  const columns =
    r.type === 'sparsevec' ? ['line', 'stored (pgvector text)', '0-based view'] : ['line', 'stored (pgvector text)'];
  return formatTable(columns, rows);
}
