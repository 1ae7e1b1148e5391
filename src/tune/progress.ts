/**
 * Progress of a running `CREATE INDEX`, read from `pg_stat_progress_create_index` on a second
 * connection (the first is busy building). Server only: PGlite has a single connection.
 */
import type { SqlExecutor } from '../sql/executor.ts';
import { type QualifiedName, quoteQualified } from '../sql/identifiers.ts';

/** One sample of `pg_stat_progress_create_index`. */
export interface IndexBuildProgress {
  phase: string;
  tuplesDone: number;
  tuplesTotal: number;
  blocksDone: number;
  blocksTotal: number;
  /** 0–1 when a total is known, else `null`. */
  fraction: number | null;
}

/**
 * Read the progress of index builds on `table` (empty when none is running).
 *
 * @example
 * const [p] = await readIndexBuildProgress(watcher, 'items'); // { phase: 'building index: loading tuples', … }
 */
export async function readIndexBuildProgress(db: SqlExecutor, table: QualifiedName): Promise<IndexBuildProgress[]> {
  const rows = await db.query(
    `SELECT phase, tuples_done, tuples_total, blocks_done, blocks_total
       FROM pg_stat_progress_create_index WHERE relid = to_regclass($1)`,
    [quoteQualified(table)],
  );
  return rows.map((r) => {
    const tuplesDone = Number(r.tuples_done);
    const tuplesTotal = Number(r.tuples_total);
    const blocksDone = Number(r.blocks_done);
    const blocksTotal = Number(r.blocks_total);
    const fraction = tuplesTotal > 0 ? tuplesDone / tuplesTotal : blocksTotal > 0 ? blocksDone / blocksTotal : null;
    return { phase: String(r.phase), tuplesDone, tuplesTotal, blocksDone, blocksTotal, fraction };
  });
}

/**
 * Poll progress every `intervalMs` until the returned `stop()` is called.
 *
 * @example
 * const stop = watchIndexBuild(watcher, 'items', (p) => console.error(p.phase));
 * try { await db.query(sql) } finally { await stop() }
 */
export function watchIndexBuild(
  db: SqlExecutor,
  table: QualifiedName,
  onProgress: (progress: IndexBuildProgress) => void,
  intervalMs = 200,
): () => Promise<void> {
  let stopped = false;
  let pending: Promise<void> = Promise.resolve();
  const tick = (): void => {
    if (stopped) return;
    pending = readIndexBuildProgress(db, table)
      .then((all) => {
        if (!stopped && all[0]) onProgress(all[0]);
      })
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  let timer: NodeJS.Timeout = setTimeout(tick, 0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await pending;
  };
}

/**
 * A one-line description of a progress sample.
 *
 * @example
 * formatIndexBuildProgress(p) // 'building index: loading tuples 4200/10000 (42%)'
 */
export function formatIndexBuildProgress(p: IndexBuildProgress): string {
  const counts =
    p.tuplesTotal > 0
      ? ` ${p.tuplesDone}/${p.tuplesTotal} tuples`
      : p.blocksTotal > 0
        ? ` ${p.blocksDone}/${p.blocksTotal} blocks`
        : '';
  const pct = p.fraction === null ? '' : ` (${Math.round(p.fraction * 100)}%)`;
  return `${p.phase}${counts}${pct}`;
}
