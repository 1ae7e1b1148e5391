/**
 * `vecpg export --table T --format F [--out FILE]`: write a table's vectors to JSON Lines,
 * libsvm (1-based), `.npy` or CSV. Without `--out` the data goes to stdout and the summary to stderr.
 */
import { resolve } from 'node:path';
import { EXPORT_FORMATS, exportTable, type ExportOptions } from '../../io/export.ts';
import { CliUsageError, choiceFlag, intFlag, listFlag, parseCommandArgs, requireFlag, stringFlag } from '../args.ts';
import type { CliCommand } from '../command.ts';
import { tableName, withConnection } from '../connect.ts';
import { toJson } from '../output.ts';

const USAGE = `Usage: vecpg export --table T --format ${EXPORT_FORMATS.join('|')} [--out FILE] [options]

  --column C          vector column (default: the table's only vector column)
  --out FILE          write here (default: stdout, with the summary on stderr); written to a temporary
                      file and renamed on success, so a failed export never leaves FILE changed
  --force             replace FILE when it exists
  --include COL       other columns to write (repeatable; jsonl and csv; default: all)
  --label COL         libsvm label column (default: "label" when the table has one, else 0)
  --batch-rows N      rows per fetch (default 1000)
common: --schema S, --json, --database-url URL`;

const OPTIONS = {
  table: { type: 'string' },
  schema: { type: 'string' },
  column: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  include: { type: 'string', multiple: true },
  label: { type: 'string' },
  'batch-rows': { type: 'string' },
} as const;

/**
 * The `export` command.
 *
 * @example
 * await main(['export', '--table', 'docs', '--format', 'libsvm', '--out', 'docs.svm'], io);
 */
export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'write a table’s vectors to jsonl, libsvm, npy or csv',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, OPTIONS);
    const table = tableName(requireFlag(values, 'table'), stringFlag(values, 'schema'));
    const format = choiceFlag(values, 'format', EXPORT_FORMATS);
    if (format === undefined) throw new CliUsageError(`--format is required: ${EXPORT_FORMATS.join(', ')}`);
    const out = stringFlag(values, 'out');
    const column = stringFlag(values, 'column');
    const label = stringFlag(values, 'label');
    const include = listFlag(values, 'include');
    const batchRows = intFlag(values, 'batch-rows', 1, 1_000_000);
    const options: ExportOptions = {
      table,
      format,
      out: out === undefined ? io.stdout : resolve(io.cwd, out),
      overwrite: values.force === true,
      ...(column === undefined ? {} : { column }),
      ...(label === undefined ? {} : { labelColumn: label }),
      ...(include.length === 0 ? {} : { columns: include }),
      ...(batchRows === undefined ? {} : { batchRows }),
    };
    return withConnection(values, io, async (conn) => {
      const result = await exportTable(conn.pool ?? conn.pglite!, {
        ...options,
        ...(conn.signal && { signal: conn.signal }),
      });
      const text =
        values.json === true
          ? toJson(result)
          : `Exported ${result.rows} rows of ${JSON.stringify(result.column)} (${result.type}) as ${result.format}${out === undefined ? '' : ` to ${out}`}.\n`;
      (out === undefined ? io.stderr : io.stdout).write(text);
      return 0;
    });
  },
};
