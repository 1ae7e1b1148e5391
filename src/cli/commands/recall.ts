/**
 * `vecpg recall`: how often does the index miss a true nearest neighbour on this data?
 * Exact top-k against the index's top-k for each setting of a sweep, with latency, and the
 * cheapest setting reaching a target recall; optionally an HTML report with a chart.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SearchSettings } from '../../sql/settings.ts';
import { describeVectorColumn } from '../../sql/catalog.ts';
import { type QueryVector, parseQueryVector } from '../../tune/query-vector.ts';
import { recall, type RecallOptions, type SweepSetting } from '../../tune/recall.ts';
import { renderRecallReport } from '../../tune/report.ts';
import {
  CliUsageError,
  intFlag,
  listFlag,
  numberFlag,
  parseCommandArgs,
  parseIntIn,
  stringFlag,
  resolveVectorColumn,
  vectorColumnFlags,
  VECTOR_SEARCH_OPTIONS,
} from '../args.ts';
import type { CliCommand } from '../command.ts';
import { parseFilters } from '../filters.ts';
import { withConnection } from '../connect.ts';
import { formatNumber, formatTable, print, Progress, PROGRESS_OPTIONS, toJson } from '../output.ts';

const USAGE = `Usage: vecpg recall --table T [--column C] --distance D [options]

Compares the exact top-k with the index's top-k for each setting and reports recall@k and
latency (p50/p95), and the cheapest setting that reaches the target recall.

Options:
  --distance D             l2 | ip | cosine | l1 | hamming | jaccard (an index must serve it)
  -k N                     neighbours per query (default 10)
  --queries N|@file        sample N rows of the table as queries (default 100), or read one
                           vector per line from a file; the output says how many queries give
                           a 95% interval of ±--precision (100 queries: often about ±0.03)
  --include-self           count a sampled row as its own neighbour (default: each sampled row
                           is left out of its own exact and approximate answers)
  --precision E            half-width of the 95% interval to size --queries for (default 0.01)
  --seed X                 sample seed, -1 to 1 (default 0.42)
  --filter F               filter, repeatable, as in vecpg search (price<10, 'tag in (a,b)', 'x is null');
                           measured with and without iterative scans
  --sweep NAME=V1,V2,...   ef_search (HNSW, default 10,20,40,80,160,320), probes (IVFFlat,
                           default 1,2,4,… up to lists), max_scan_tuples or max_probes
  --iterative              also measure iterative scans without a filter
  --target R               recall the cheapest setting must reach with 95% confidence (default 0.95)
  --key COL                column identifying rows (default: primary key, else ctid)
  --report FILE            write an HTML report with a recall-versus-latency chart
  --progress, --quiet      progress lines every few seconds even on a terminal / none at all
Ctrl-C or SIGTERM cancels the running query on the server, sends no further one, and exits (130 / 143).
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
    throw new CliUsageError(
      `--sweep must look like ${Object.keys(SWEEP_NAMES).join('|')}=V1,V2,…, got ${JSON.stringify(raw)}`,
    );
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
      'include-self': { type: 'boolean' },
      ...PROGRESS_OPTIONS,
      precision: { type: 'string' },
    });
    const { table, column: columnFlag, distance } = vectorColumnFlags(values);
    if (distance === undefined)
      throw new CliUsageError('--distance is required: recall is measured for the index serving it');
    const k = intFlag(values, 'k', 1, 1000) ?? 10;
    const seed = numberFlag(values, 'seed', -1, 1);
    const target = numberFlag(values, 'target', 0.000001, 1);
    const precision = numberFlag(values, 'precision', 0.0001, 0.5);
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
      queryLines = text
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '');
    } else if (queriesRaw !== undefined) {
      sampleSize = parseIntIn(queriesRaw, '--queries', 1, 100_000);
    }
    const reportPath = stringFlag(values, 'report');

    return withConnection(values, io, async ({ db }) => {
      const column = await resolveVectorColumn(db, table, columnFlag, 'audit');
      let queries: QueryVector[] | undefined;
      if (queryLines !== undefined) {
        const info = await describeVectorColumn(db, table, column);
        queries = queryLines.map((line) => parseQueryVector(line, info));
      }
      const progress = new Progress(io, { quiet: values.quiet === true, progress: values.progress === true });
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
        ...(precision === undefined ? {} : { precision }),
        ...(values['include-self'] === true ? { includeSelf: true } : {}),
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
      const filter = result.filter === null ? '' : `, filter ${filters.join(' and ')}`;
      print(
        io,
        `recall of ${result.index.name} (${result.index.method}, ${result.index.opclass}) on ${result.table}.${result.column}\n`,
      );
      const source = {
        given: 'given',
        'self-excluded': 'rows of the table, each left out of its own answers',
        'self-included': 'rows of the table, each counted as its own neighbour (--include-self)',
      }[result.queryRows];
      print(io, `${result.distance} distance, k=${result.k}, ${result.queries} queries (${source})${filter}\n`);
      print(
        io,
        `exact search: p50 ${formatNumber(result.exact.p50Ms)} ms, p95 ${formatNumber(result.exact.p95Ms)} ms\n\n`,
      );
      const rows = result.points.map((p) => ({
        setting: p.label,
        [`recall@${result.k}`]: Number(p.recall.toFixed(4)),
        '95% interval': `${p.recallInterval[0].toFixed(3)}-${p.recallInterval[1].toFixed(3)}`,
        'min recall': Number(p.minRecall.toFixed(4)),
        index: p.usesIndex ? 'yes' : 'NO',
        'p50 ms': Number(p.p50Ms.toFixed(3)),
        'p95 ms': Number(p.p95Ms.toFixed(3)),
        rows: Number(p.meanRows.toFixed(1)),
      }));
      print(
        io,
        formatTable(
          ['setting', `recall@${result.k}`, '95% interval', 'min recall', 'index', 'p50 ms', 'p95 ms', 'rows'],
          rows,
        ),
      );
      if (!result.usesIndex)
        print(io, '\nwarning: PostgreSQL did not use the index for these queries; every answer was exact\n');
      else
        for (const p of result.points)
          if (!p.usesIndex) print(io, `\n${p.label}: the planner scans the table; this is exact search, not the index`);
      if (result.usesIndex && result.points.some((p) => !p.usesIndex)) print(io, '\n');
      if (result.queryRows === 'self-excluded') {
        const tight = result.points.filter(
          (p) =>
            p.settings.efSearch !== undefined &&
            p.settings.efSearch <= result.k &&
            p.settings.iterativeScan === undefined,
        );
        if (tight.length > 0) {
          print(
            io,
            `\nnote: at ${tight.map((p) => p.label).join(', ')} (ef_search <= k) each sampled row takes one of the index's ef_search candidates, so at most ef_search - 1 others come back; measure such settings with held-out vectors: --queries @file\n`,
          );
        }
      }
      if (result.distributed !== undefined) {
        const { shards, workers } = result.distributed;
        print(
          io,
          `\nnote: ${result.table} is distributed by Citus over ${shards} shards on ${workers} workers. Each shard searches its own index with these settings and returns its own top-${result.k}; the coordinator keeps the best ${result.k} of those ${shards} × ${result.k} rows. Recall is that of the merge: the true neighbours are spread over the shards and each shard's index is smaller, so it is typically at least as high as one index over all rows at the same setting, and latency is the slowest shard plus the merge. Below k, ef_search caps the rows of each shard, not of the answer.\n`,
        );
      }
      const best = result.best;
      print(
        io,
        best
          ? `\ncheapest setting reaching recall ${result.target} with 95% confidence: ${best.label} (recall ${best.recall.toFixed(4)}, 95% interval ${best.recallInterval[0].toFixed(3)}-${best.recallInterval[1].toFixed(3)}; search settings ${settingsText(best.settings)})\n`
          : `\nno setting that uses the index reached recall ${result.target} with 95% confidence; try larger values or rebuild the index with larger m / ef_construction (HNSW) or lists (IVFFlat)\n`,
      );
      const cheaper = result.bestByMean;
      if (cheaper) {
        print(
          io,
          `${cheaper.label} reaches ${result.target} on average (${cheaper.recall.toFixed(4)}) but its 95% interval ${cheaper.recallInterval[0].toFixed(3)}-${cheaper.recallInterval[1].toFixed(3)} does not rule out less; more --queries would tell\n`,
        );
      }
      if (result.queriesNeeded) {
        print(
          io,
          `for a 95% interval of ±${result.queriesNeeded.precision} on every setting: about ${result.queriesNeeded.queries} queries (--queries ${result.queriesNeeded.queries}; --precision to change)\n`,
        );
      }
      if (reportPath !== undefined) print(io, `report written to ${reportPath}\n`);
      return 0;
    });
  },
};
