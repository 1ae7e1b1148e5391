/**
 * Measuring what an approximate index costs in correctness: for each query, the exact top-k
 * (a sequential scan, whatever indexes exist) against the index's top-k under each setting of a
 * sweep, giving recall@k and latency, for filtered queries with and without iterative scans,
 * and the cheapest setting that reaches a target recall.
 */
import { VecpgError } from '../errors.ts';
import { type VecpgDb, refuseAfterAbort } from '../sql/executor.ts';
import { type QualifiedName, quoteIdent, quoteQualified } from '../sql/identifiers.ts';
import type { DistanceName } from '../sql/operators.ts';
import type { VectorInput } from '../sql/params.ts';
import type { Where } from '../sql/filters.ts';
import { buildSimilarityQuery } from '../sql/query.ts';
import { search } from '../sql/search.ts';
import { type SearchSettings, withSearchSettings } from '../sql/settings.ts';
import { citusTableInfo, inlineParameters, isCitus } from '../sql/citus.ts';
import { describeVectorColumn, listVectorIndexes, type VectorIndexInfo } from '../sql/catalog.ts';
import { opclassDistance } from './opclass.ts';
import { parseQueryVector } from './query-vector.ts';
import { mean, percentile, queriesForPrecision, recallInterval, recallWithTies, stdDev } from './stats.ts';

/** A search setting a sweep can vary. */
export type SweepSetting = 'efSearch' | 'probes' | 'maxScanTuples' | 'maxProbes';

/** Options of {@link recall}. */
export interface RecallOptions {
  table: QualifiedName;
  column: string;
  distance: DistanceName;
  /** Default 10. */
  k?: number;
  /** Query vectors; when omitted, `sampleSize` rows of the table are used. */
  queries?: readonly VectorInput[];
  /** Rows sampled as queries when `queries` is omitted (default 100). */
  sampleSize?: number;
  /** Seed (−1 to 1) of the sample, for repeatable runs (default 0.42). */
  seed?: number;
  /** Column identifying a row (default: the single-column primary key, else `ctid`). */
  key?: string;
  /** Filters applied to every query (exact and approximate), as `search()`'s `where`. */
  filter?: Where;
  /** Values to try; default ef_search 10…320 for HNSW, probes 1…lists for IVFFlat. */
  sweep?: { setting: SweepSetting; values: readonly number[] };
  /** Measure iterative scans too (default: when `filter` is given). */
  iterative?: boolean;
  /** Recall the cheapest setting must reach, with 95% confidence (default 0.95). */
  target?: number;
  /**
   * Sampled queries are rows of the table, so each would find itself: by default that row is left out of
   * its own exact and approximate answers. `true` keeps it (recall is then inflated). Ignored with `queries`.
   */
  includeSelf?: boolean;
  /** Half-width of the 95% interval `queriesNeeded` is computed for (default 0.01). */
  precision?: number;
  /** Called after each measured setting (for progress displays). */
  onProgress?: (done: number, total: number, label: string) => void;
  /**
   * Stops the measurement: no statement is sent once it aborts (the one running, a single search, finishes)
   * and `recall` rejects with CANCELLED.
   */
  signal?: AbortSignal;
}

/** One measured setting. */
export interface RecallPoint {
  /** e.g. `ef_search=40` or `ef_search=40 iterative=relaxed_order`. */
  label: string;
  settings: SearchSettings;
  /** Mean recall@k over the queries (a row at exactly the k-th true distance counts as found). */
  recall: number;
  minRecall: number;
  /** Standard deviation of the per-query recalls. */
  recallStdDev: number;
  /** 95% confidence interval on the mean recall. */
  recallInterval: [number, number];
  /** Whether PostgreSQL's plan at this setting uses the index (if not, the answers were exact scans). */
  usesIndex: boolean;
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
  filter: Where | null;
  index: { name: string; method: 'hnsw' | 'ivfflat'; opclass: string };
  /** Whether PostgreSQL's plan uses the index at some setting of the sweep (each point says for itself). */
  usesIndex: boolean;
  /**
   * Where the queries came from: `self-excluded` (rows of the table, each left out of its own answers),
   * `self-included` (rows of the table, each counted as its own neighbour), or `given`.
   */
  queryRows: 'self-excluded' | 'self-included' | 'given';
  exact: { p50Ms: number; p95Ms: number; meanRows: number };
  points: RecallPoint[];
  target: number;
  /**
   * The cheapest point that uses the index and reaches `target` with 95% confidence (the lower end of its
   * interval), lowest setting value first, non-iterative first at equal value; or null.
   */
  best: RecallPoint | null;
  /** A cheaper index-using point whose mean reaches `target` but whose interval does not: more queries would tell. */
  bestByMean: RecallPoint | null;
  /**
   * Queries that would give a 95% interval of ± `precision` at every index-using point (null when no point
   * uses the index): (z·s / precision)² for the largest per-query spread s, or more where every query of a
   * point scored the same and its interval is Wilson's over the n·k neighbours.
   */
  queriesNeeded: { precision: number; queries: number } | null;
  /**
   * Citus: the table is distributed over `shards` shards on `workers` workers. Each shard searches its
   * own index for its own top-k and the coordinator keeps the best k of them: recall is that of the merge.
   */
  distributed?: { shards: number; workers: number };
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
export async function recall(database: VecpgDb, options: RecallOptions): Promise<RecallResult> {
  if (options.signal?.aborted === true) throw new VecpgError('CANCELLED', 'recall was aborted before it started');
  const db = options.signal === undefined ? database : refuseAfterAbort(database, options.signal);
  const k = options.k ?? 10;
  const target = options.target ?? 0.95;
  if (!(target > 0 && target <= 1)) throw new VecpgError('INVALID_OPTION', `target must be in (0, 1], got ${target}`);
  const info = await describeVectorColumn(db, options.table, options.column);
  const index = findIndex(await listVectorIndexes(db, options.table), options);
  const key = options.key ?? (await primaryKey(db, options.table)) ?? 'ctid';
  const given = options.queries !== undefined;
  const sampled = given ? undefined : await sampleQueries(db, options, key, info);
  const queries =
    sampled?.map((s) => s.value) ??
    options.queries!.map((q) => (typeof q === 'string' ? parseQueryVector(q, info) : q));
  // Sampled rows find themselves at distance 0: leave each out of its own answers (unless asked not to).
  const selfKeys = sampled !== undefined && options.includeSelf !== true ? sampled.map((s) => s.key) : undefined;
  const extra = selfKeys === undefined ? 0 : 1;
  const precision = options.precision ?? 0.01;
  const first = queries[0];
  if (first === undefined)
    throw new VecpgError('INVALID_VALUE', `no queries: ${tableLabel(options.table)} has no non-NULL ${options.column}`);
  const base = {
    table: options.table,
    column: options.column,
    distance: options.distance,
    type: info.type,
    k: k + extra,
    select: [key],
    ...(options.filter === undefined ? {} : { where: options.filter }),
  };

  /** The first k rows that are not the query's own row. */
  const answer = (
    rows: Array<Record<string, unknown> & { distance: number }>,
    i: number,
  ): { ids: string[]; distances: number[] } => {
    const self = selfKeys?.[i];
    const ids: string[] = [];
    const distances: number[] = [];
    let skipped = false;
    for (const r of rows) {
      const id = String(r[key]);
      if (!skipped && id === self) {
        skipped = true;
        continue;
      }
      if (ids.length === k) break;
      ids.push(id);
      distances.push(Number(r.distance));
    }
    return { ids, distances };
  };
  const exact: Array<{ ids: string[]; distances: number[] }> = [];
  const exactMs: number[] = [];
  for (const [i, query] of queries.entries()) {
    const t0 = performance.now();
    const rows = await search(db, { ...base, query, exact: true });
    exactMs.push(performance.now() - t0);
    exact.push(answer(rows, i));
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
        const got = answer(rows, i);
        counts.push(got.ids.length);
        const truth = exact[i]!;
        recalls.push(recallWithTies(truth.ids, truth.distances, got.ids, got.distances));
      }
      const scan = mode.iterativeScan ?? mode.ivfflatIterativeScan;
      const label = `${GUC[sweep.setting]}=${value}${scan === undefined ? '' : ` iterative=${scan}`}`;
      points.push({
        label,
        settings,
        recall: mean(recalls),
        minRecall: Math.min(...recalls),
        recallStdDev: stdDev(recalls),
        recallInterval: recallInterval(recalls, k),
        // The planner's choice can change with the setting (ef_search enters pgvector's cost estimate).
        usesIndex: await planUsesIndex(db, { ...base, query: first }, settings, index.name),
        p50Ms: percentile(ms, 0.5),
        p95Ms: percentile(ms, 0.95),
        meanRows: mean(counts),
      });
      options.onProgress?.(points.length, values.length * modes.length, label);
    }
  }
  // a mean of k-ths can land a rounding error below the target it equals
  const reaches = (x: number): boolean => x >= target - 1e-9;
  const indexed = points.filter((p) => p.usesIndex);
  const best = indexed.find((p) => reaches(p.recallInterval[0])) ?? null;
  const byMean = indexed.find((p) => reaches(p.recall)) ?? null;
  // Enough queries for the widest interval: the most variable point's, or Wilson's of a point where every
  // query scored the same.
  const needed = Math.max(
    0,
    ...indexed.map((p) => queriesForPrecision(p.recallStdDev, precision, { recall: p.recall, k })),
  );
  const distributed = await distribution(db, options.table);
  return {
    table: tableLabel(options.table),
    column: options.column,
    distance: options.distance,
    k,
    queries: queries.length,
    filter: options.filter ?? null,
    index: { name: index.name, method: index.method, opclass: index.opclass },
    usesIndex: indexed.length > 0,
    queryRows: given ? 'given' : selfKeys === undefined ? 'self-included' : 'self-excluded',
    exact: {
      p50Ms: percentile(exactMs, 0.5),
      p95Ms: percentile(exactMs, 0.95),
      meanRows: mean(exact.map((x) => x.ids.length)),
    },
    points,
    target,
    best,
    bestByMean: byMean !== null && byMean !== best ? byMean : null,
    queriesNeeded: indexed.length === 0 ? null : { precision, queries: needed },
    ...(distributed === undefined ? {} : { distributed }),
  };
}

function tableLabel(table: QualifiedName): string {
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

async function primaryKey(db: VecpgDb, table: QualifiedName): Promise<string | null> {
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
  key: string,
  info: Parameters<typeof parseQueryVector>[1],
): Promise<Array<{ key: string; value: VectorInput }>> {
  const n = options.sampleSize ?? 100;
  const col = quoteIdent(options.column);
  const rows = await db.transaction(async (tx) => {
    await tx.query('SELECT setseed($1)', [options.seed ?? 0.42]);
    return tx.query<{ q: string; key: unknown }>(
      `SELECT ${col}::text AS q, ${quoteIdent(key)} AS key FROM ${quoteQualified(options.table)} WHERE ${col} IS NOT NULL ORDER BY random() LIMIT $1`,
      [n],
    );
  });
  return rows.map((r) => ({ key: String(r.key), value: parseQueryVector(r.q, info) }));
}

async function planUsesIndex(
  db: VecpgDb,
  query: Parameters<typeof buildSimilarityQuery>[0],
  settings: SearchSettings,
  indexName: string,
): Promise<boolean> {
  const built = buildSimilarityQuery({ ...query, annotate: true, orderBy: true, exact: false });
  const citus = await isCitus((text, values) => db.query(text, values), db);
  const plan = await withSearchSettings(db, settings, (tx) =>
    citus
      ? tx.query(`EXPLAIN ${inlineParameters(built.text, built.values)}`)
      : tx.query(`EXPLAIN ${built.text}`, built.values),
  );
  return plan.some((row) => Object.values(row).some((line) => String(line).includes(indexName)));
}

async function distribution(db: VecpgDb, table: QualifiedName): Promise<RecallResult['distributed']> {
  if (!(await isCitus((text, values) => db.query(text, values), db))) return undefined;
  const info = await citusTableInfo(db, table);
  if (info?.type !== 'distributed') return undefined;
  const rows = await db.query<{ n: string | number }>(
    'SELECT count(DISTINCT nodeport) AS n FROM citus_shards WHERE table_name = to_regclass($1)',
    [quoteQualified(table)],
  );
  return { shards: info.shardCount, workers: Number(rows[0]?.n ?? 0) };
}
