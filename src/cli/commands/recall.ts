/**
 * `vecpg recall`: how often does the index miss a true nearest neighbour on this data?
 * Exact top-k against the index's top-k for each setting of a sweep, with latency, and the
 * cheapest setting reaching a target recall; optionally an HTML report with a chart.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SearchSettings } from '../../sql/settings.ts';
import { describeVectorColumn } from '../../tune/catalog.ts';
import { parseQueryVector } from '../../tune/query-vector.ts';
import { recall, type RecallOptions, type SweepSetting } from '../../tune/recall.ts';
import { renderRecallReport } from '../../tune/report.ts';
import {
  CliUsageError,
  intFlag,
  listFlag,
  numberFlag,
  parseCommandArgs,
  parseFilters,
  parseIntIn,
  stringFlag,
  resolveVectorColumn,
  vectorColumnFlags,
  VECTOR_SEARCH_OPTIONS,
} from '../args.ts';
import type { CliCommand } from '../command.ts';
import { withConnection } from '../connect.ts';
import { formatNumber, formatTable, print, Progress, toJson } from '../output.ts';

const USAGE = `Usage: vecpg recall --table T [--column C] --distance D [options]

Compares the exact top-k with the index's top-k for each setting and reports recall@k and
latency (p50/p95), and the cheapest setting that reaches the target recall.

Options:
  --distance D             l2 | ip | cosine | l1 | hamming | jaccard (an index must serve it)
  -k N                     neighbours per query (default 10)
  --queries N|@file        sample N rows of the table as queries (default 100), or read one
                           vector per line from a file
  --seed X                 sample seed, -1 to 1 (default 0.42)
  --filter col=value       equality filter, repeatable; measured with and without iterative scans
  --sweep NAME=V1,V2,...   ef_search (HNSW, default 10,20,40,80,160,320), probes (IVFFlat,
                           default 1,2,4,… up to lists), max_scan_tuples or max_probes
  --iterative              also measure iterative scans without a filter
  --target R               recall the cheapest setting must reach (default 0.95)
  --key COL                column identifying rows (default: primary key, else ctid)
  --report FILE            write an HTML report with a recall-versus-latency chart
  --json, --schema S, --database-url URL`;

const SWEEP_NAMES: Record<string, SweepSetting> = {
  ef_search: 'efSearch',
  probes: 'probes',
  max_scan_tuples: 'maxScanTuples',
  max_probes: 'maxProbes',
};
const SWEEP_LIMITS: Record<SweepSetting, [number, number]> = {
  efSearch: [1, 1000],
  probes: [1, 32768],
  maxScanTuples: [1, 2_147_483_647],
  maxProbes: [1, 32768],
};

/**
 * Parse `--sweep ef_search=10,20,40`.
 *
 * @example
 * parseSweep('probes=1,2,4') // { setting: 'probes', values: [1, 2, 4] }
 */
export function parseSweep(raw: string): { setting: SweepSetting; values: number[] } {
  const eq = raw.indexOf('=');
  const name = eq > 0 ? raw.slice(0, eq) : '';
  const setting = SWEEP_NAMES[name];
  if (setting === undefined) {
    throw new CliUsageError(`--sweep must look like ${Object.keys(SWEEP_NAMES).join('|')}=V1,V2,…, got ${JSON.stringify(raw)}`);
  }
  const [min, max] = SWEEP_LIMITS[setting];
  const values = raw
    .slice(eq + 1)
    .split(',')
    .map((v, i) => parseIntIn(v.trim(), `--sweep ${name} value #${i + 1}`, min, max));
  return { setting, values };
}

/** Settings as the library takes them: `{ efSearch: 40, iterativeScan: 'relaxed_order' }`. */
function settingsText(s: SearchSettings): string {
  const parts = Object.entries(s).map(([k, v]) => `${k}: ${typeof v === 'string' ? `'${v}'` : String(v)}`);
  return `{ ${parts.join(', ')} }`;
}

/**
 * The `recall` command.
 *
 * @example
 * await main(['recall', '--table', 'items', '--column', 'embedding', '--distance', 'cosine', '--report', 'r.html'], io);
 */
export const recallCommand: CliCommand = {
  name: 'recall',
  summary: 'measure recall@k and latency of an index against exact search',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      ...VECTOR_SEARCH_OPTIONS,
      queries: { type: 'string' },
      seed: { type: 'string' },
      sweep: { type: 'string' },
      iterative: { type: 'boolean' },
      target: { type: 'string' },
      key: { type: 'string' },
      report: { type: 'string' },
    });
    const { table, column: columnFlag, distance } = vectorColumnFlags(values);
    if (distance === undefined) throw new CliUsageError('--distance is required: recall is measured for the index serving it');
    const k = intFlag(values, 'k', 1, 1000) ?? 10;
    const seed = numberFlag(values, 'seed', -1, 1);
    const target = numberFlag(values, 'target', 0.000001, 1);
    const filters = listFlag(values, 'filter');
    const sweepRaw = stringFlag(values, 'sweep');
    const key = stringFlag(values, 'key');
    const queriesRaw = stringFlag(values, 'queries');
    let queryLines: string[] | undefined;
    let sampleSize: number | undefined;
    if (queriesRaw?.startsWith('@')) {
      const path = resolve(io.cwd, queriesRaw.slice(1));
      const text = await readFile(path, 'utf8').catch((e: Error) => {
        throw new CliUsageError(`--queries file ${JSON.stringify(path)} cannot be read: ${e.message}`);
      });
      queryLines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    } else if (queriesRaw !== undefined) {
      sampleSize = parseIntIn(queriesRaw, '--queries', 1, 100_000);
    }
    const reportPath = stringFlag(values, 'report');

    return withConnection(values, io, async ({ db }) => {
      const column = await resolveVectorColumn(db, table, columnFlag, 'audit');
      let queries: unknown[] | undefined;
      if (queryLines !== undefined) {
        const info = await describeVectorColumn(db, table, column);
        queries = queryLines.map((line) => parseQueryVector(line, info));
      }
      const progress = new Progress(io);
      const options: RecallOptions = {
        table,
        column,
        distance,
        k,
        ...(queries === undefined ? {} : { queries }),
        ...(sampleSize === undefined ? {} : { sampleSize }),
        ...(seed === undefined ? {} : { seed }),
        ...(key === undefined ? {} : { key }),
        ...(filters.length === 0 ? {} : { filter: parseFilters(filters) }),
        ...(sweepRaw === undefined ? {} : { sweep: parseSweep(sweepRaw) }),
        ...(values.iterative === true ? { iterative: true } : {}),
        ...(target === undefined ? {} : { target }),
        onProgress: (done, total, label) => progress.update(`measured ${label} (${done}/${total})`),
      };
      const result = await recall(db, options).finally(() => progress.done());
      if (reportPath !== undefined) {
        await writeFile(resolve(io.cwd, reportPath), renderRecallReport(result, { generatedAt: new Date() }));
      }
      if (values.json === true) {
        print(io, toJson(result));
        return 0;
      }
      const filter = result.filter === null ? '' : `, filter ${Object.entries(result.filter).map(([c, v]) => `${c}=${String(v)}`).join(' ')}`;
      print(io, `recall of ${result.index.name} (${result.index.method}, ${result.index.opclass}) on ${result.table}.${result.column}\n`);
      print(io, `${result.distance} distance, k=${result.k}, ${result.queries} queries${filter}\n`);
      print(io, `exact search: p50 ${formatNumber(result.exact.p50Ms)} ms, p95 ${formatNumber(result.exact.p95Ms)} ms\n\n`);
      const rows = result.points.map((p) => ({
        setting: p.label,
        [`recall@${result.k}`]: Number(p.recall.toFixed(4)),
        'min recall': Number(p.minRecall.toFixed(4)),
        'p50 ms': Number(p.p50Ms.toFixed(3)),
        'p95 ms': Number(p.p95Ms.toFixed(3)),
        rows: Number(p.meanRows.toFixed(1)),
      }));
      print(io, formatTable(['setting', `recall@${result.k}`, 'min recall', 'p50 ms', 'p95 ms', 'rows'], rows));
      if (!result.usesIndex) print(io, '\nwarning: PostgreSQL did not use the index for these queries; every answer was exact\n');
      print(
        io,
        result.best
          ? `\ncheapest setting reaching recall ${result.target}: ${result.best.label} (search settings ${settingsText(result.best.settings)})\n`
          : `\nno setting reached recall ${result.target}; try larger values or rebuild the index with larger m / ef_construction (HNSW) or lists (IVFFlat)\n`,
      );
      if (reportPath !== undefined) print(io, `report written to ${reportPath}\n`);
      return 0;
    });
  },
};
