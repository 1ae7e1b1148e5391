/**
 * Measuring what an approximate index costs in correctness: for each query, the exact top-k
 * (a sequential scan, whatever indexes exist) against the index's top-k under each setting of a
 * sweep, giving recall@k and latency, for filtered queries with and without iterative scans,
 * and the cheapest setting that reaches a target recall.
 */
import { VecpgError } from '../errors.ts';
import type { VecpgDb } from '../sql/executor.ts';
import { quoteIdent, quoteQualified } from '../sql/identifiers.ts';
import type { DistanceName } from '../sql/operators.ts';
import { buildSimilarityQuery, type WhereValue } from '../sql/query.ts';
import { search } from '../sql/search.ts';
import { type SearchSettings, withSearchSettings } from '../sql/settings.ts';
import { describeVectorColumn, listVectorIndexes, type TableName, type VectorIndexInfo } from './catalog.ts';
import { opclassDistance } from './opclass.ts';
import { parseQueryVector } from './query-vector.ts';
import { mean, percentile, recallAt } from './stats.ts';

/** A search setting a sweep can vary. */
export type SweepSetting = 'efSearch' | 'probes' | 'maxScanTuples' | 'maxProbes';

/** Options of {@link recall}. */
export interface RecallOptions {
  table: TableName;
  column: string;
  distance: DistanceName;
  /** Default 10. */
  k?: number;
  /** Query vectors; when omitted, `sampleSize` rows of the table are used. */
  queries?: readonly unknown[];
  /** Rows sampled as queries when `queries` is omitted (default 100). */
  sampleSize?: number;
  /** Seed (−1 to 1) of the sample, for repeatable runs (default 0.42). */
  seed?: number;
  /** Column identifying a row (default: the single-column primary key, else `ctid`). */
  key?: string;
  /** Equality filters applied to every query (exact and approximate). */
  filter?: Readonly<Record<string, WhereValue>>;
  /** Values to try; default ef_search 10…320 for HNSW, probes 1…lists for IVFFlat. */
  sweep?: { setting: SweepSetting; values: readonly number[] };
  /** Measure iterative scans too (default: when `filter` is given). */
  iterative?: boolean;
  /** Recall the cheapest setting must reach (default 0.95). */
  target?: number;
  /** Called after each measured setting (for progress displays). */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** One measured setting. */
export interface RecallPoint {
  /** e.g. `ef_search=40` or `ef_search=40 iterative=relaxed_order`. */
  label: string;
  settings: SearchSettings;
  /** Mean recall@k over the queries. */
  recall: number;
  minRecall: number;
  p50Ms: number;
  p95Ms: number;
  /** Mean rows returned (fewer than k when a filter discards index results). */
  meanRows: number;
}

/** What {@link recall} measured. */
export interface RecallResult {
  table: string;
  column: string;
  distance: DistanceName;
  k: number;
  queries: number;
  filter: Readonly<Record<string, WhereValue>> | null;
  index: { name: string; method: 'hnsw' | 'ivfflat'; opclass: string };
  /** Whether PostgreSQL's plan for the approximate query uses the index (else recall is trivially 1). */
  usesIndex: boolean;
  exact: { p50Ms: number; p95Ms: number; meanRows: number };
  points: RecallPoint[];
  target: number;
  /** The cheapest point reaching `target` (lowest setting value, non-iterative first at equal value), or null. */
  best: RecallPoint | null;
}

const GUC: Record<SweepSetting, string> = {
  efSearch: 'ef_search',
  probes: 'probes',
  maxScanTuples: 'max_scan_tuples',
  maxProbes: 'max_probes',
};

/**
 * Measure recall@k and latency of the column's index against exact search.
 *
 * @example
 * const r = await recall(db, { table: 'items', column: 'embedding', distance: 'cosine', k: 10, sampleSize: 200 });
 * console.log(r.best?.label); // 'ef_search=40'
 */
export async function recall(db: VecpgDb, options: RecallOptions): Promise<RecallResult> {
  const k = options.k ?? 10;
  const target = options.target ?? 0.95;
  if (!(target > 0 && target <= 1)) throw new VecpgError('INVALID_OPTION', `target must be in (0, 1], got ${target}`);
  const info = await describeVectorColumn(db, options.table, options.column);
  const index = findIndex(await listVectorIndexes(db, options.table), options);
  const key = options.key ?? (await primaryKey(db, options.table)) ?? 'ctid';
  const queries =
    options.queries !== undefined
      ? options.queries.map((q) => (typeof q === 'string' ? parseQueryVector(q, info) : q))
      : await sampleQueries(db, options, info);
  if (queries.length === 0) throw new VecpgError('INVALID_VALUE', `no queries: ${tableLabel(options.table)} has no non-NULL ${options.column}`);
  const base = {
    table: options.table,
    column: options.column,
    distance: options.distance,
    type: info.type,
    k,
    select: [key],
    ...(options.filter === undefined ? {} : { where: options.filter }),
  };

  const exactIds: string[][] = [];
  const exactMs: number[] = [];
  for (const query of queries) {
    const t0 = performance.now();
    const rows = await search(db, { ...base, query, exact: true });
    exactMs.push(performance.now() - t0);
    exactIds.push(rows.map((r) => String(r[key])));
  }

  const sweep = options.sweep ?? defaultSweep(index);
  const values = [...new Set(sweep.values)].sort((a, b) => a - b);
  const iterative = options.iterative ?? options.filter !== undefined;
  const modes: Array<SearchSettings> = iterative
    ? [{}, index.method === 'hnsw' ? { iterativeScan: 'relaxed_order' } : { ivfflatIterativeScan: 'relaxed_order' }]
    : [{}];
  const points: RecallPoint[] = [];
  for (const value of values) {
    for (const mode of modes) {
      const settings: SearchSettings = { ...mode, [sweep.setting]: value };
      const recalls: number[] = [];
      const ms: number[] = [];
      const counts: number[] = [];
      for (const [i, query] of queries.entries()) {
        const t0 = performance.now();
        const rows = await search(db, { ...base, query, exact: false, approximate: settings });
        ms.push(performance.now() - t0);
        counts.push(rows.length);
        recalls.push(recallAt(exactIds[i] ?? [], rows.map((r) => String(r[key]))));
      }
      const scan = mode.iterativeScan ?? mode.ivfflatIterativeScan;
      const label = `${GUC[sweep.setting]}=${value}${scan === undefined ? '' : ` iterative=${scan}`}`;
      points.push({
        label,
        settings,
        recall: mean(recalls),
        minRecall: Math.min(...recalls),
        p50Ms: percentile(ms, 0.5),
        p95Ms: percentile(ms, 0.95),
        meanRows: mean(counts),
      });
      options.onProgress?.(points.length, values.length * modes.length, label);
    }
  }
  const first = queries[0];
  const usesIndex = await planUsesIndex(db, { ...base, query: first }, points[0]?.settings ?? {}, index.name);
  return {
    table: tableLabel(options.table),
    column: options.column,
    distance: options.distance,
    k,
    queries: queries.length,
    filter: options.filter ?? null,
    index: { name: index.name, method: index.method, opclass: index.opclass },
    usesIndex,
    exact: { p50Ms: percentile(exactMs, 0.5), p95Ms: percentile(exactMs, 0.95), meanRows: mean(exactIds.map((x) => x.length)) },
    points,
    target,
    // a mean of k-ths can land a rounding error below the target it equals
    best: points.find((p) => p.recall >= target - 1e-9) ?? null,
  };
}

function tableLabel(table: TableName): string {
  return typeof table === 'string' ? table : table.join('.');
}

function findIndex(indexes: VectorIndexInfo[], options: RecallOptions): VectorIndexInfo {
  const onColumn = indexes.filter((i) => i.column === options.column && i.valid);
  const match = onColumn.find((i) => opclassDistance(i.opclass) === options.distance);
  if (match) return match;
  const where = `${tableLabel(options.table)}.${options.column}`;
  const have = onColumn.map((i) => `${i.name} (${i.opclass})`).join(', ');
  throw new VecpgError(
    'UNSUPPORTED',
    `no HNSW or IVFFlat index serves ${options.distance} distance on ${where}${have ? `; found ${have}` : ''}: ` +
      `create one with vecpg index create --table ${tableLabel(options.table)} --column ${options.column} --distance ${options.distance}`,
    { details: { column: where, distance: options.distance } },
  );
}

function defaultSweep(index: VectorIndexInfo): { setting: SweepSetting; values: number[] } {
  if (index.method === 'hnsw') return { setting: 'efSearch', values: [10, 20, 40, 80, 160, 320] };
  const lists = Number(/^lists=(\d+)$/.exec(index.options.find((o) => o.startsWith('lists=')) ?? '')?.[1] ?? 100);
  const values: number[] = [];
  for (let p = 1; p < lists; p *= 2) values.push(p);
  values.push(lists);
  return { setting: 'probes', values };
}

async function primaryKey(db: VecpgDb, table: TableName): Promise<string | null> {
  const rows = await db.query<{ attname: string }>(
    `SELECT a.attname::text AS attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = to_regclass($1) AND i.indisprimary`,
    [quoteQualified(table)],
  );
  return rows.length === 1 && rows[0] ? rows[0].attname : null;
}

async function sampleQueries(
  db: VecpgDb,
  options: RecallOptions,
  info: Parameters<typeof parseQueryVector>[1],
): Promise<unknown[]> {
  const n = options.sampleSize ?? 100;
  const col = quoteIdent(options.column);
  const rows = await db.transaction(async (tx) => {
    await tx.query('SELECT setseed($1)', [options.seed ?? 0.42]);
    return tx.query<{ q: string }>(
      `SELECT ${col}::text AS q FROM ${quoteQualified(options.table)} WHERE ${col} IS NOT NULL ORDER BY random() LIMIT $1`,
      [n],
    );
  });
  return rows.map((r) => parseQueryVector(r.q, info));
}

async function planUsesIndex(
  db: VecpgDb,
  query: Parameters<typeof buildSimilarityQuery>[0],
  settings: SearchSettings,
  indexName: string,
): Promise<boolean> {
  const built = buildSimilarityQuery({ ...query, annotate: true, orderBy: true, exact: false });
  const plan = await withSearchSettings(db, settings, (tx) => tx.query(`EXPLAIN ${built.text}`, built.values));
  return plan.some((row) => Object.values(row).some((line) => String(line).includes(indexName)));
}
