/**
 * The certified exact search loop: try N candidates, check the certificate, grow N, and after the last
 * try run the plain exact scan. Whatever happens, the rows are the exact top-k.
 */
import { VecpgError, describeValue } from '../errors.ts';
import { type Vector } from '../types/vector.ts';
import { type CertifiedLayout, checkPrefix, prepareCertifiedQuery } from './certified-bound.ts';
import { checkCertifiedDistance, checkForm } from './certified-ddl.ts';
import { type Certificate, buildCertifiedQuery, checkCertificate, keyReaching } from './certified-query.ts';
import type { Row, SqlExecutor, VecpgDb } from './executor.ts';
import type { QualifiedName } from './identifiers.ts';
import type { DistanceName } from './operators.ts';
import type { SearchFilter } from './filters.ts';
import type { SqlQuery } from './query.ts';

/** Tuning of a certified search (the defaults suit k up to ~100 on embeddings). */
export interface CertifiedSearchOptions extends CertifiedLayout {
  /** N of the first try (default max(40, 4k); with form 'prefix' max(500, 4k)). */
  candidates?: number;
  /** N is multiplied by this on each retry (default 4). */
  growth?: number;
  /** Tries over the compact columns before the plain exact scan (default 3). */
  maxTries?: number;
  /**
   * Parallel workers for the tries' candidate scan. `'auto'` (default): with form `'prefix'`, none —
   * `max_parallel_workers_per_gather` is set to 0 for the tries (`SET LOCAL`, in a transaction), unless
   * someone set it (a session `SET`, the server's configuration, `ALTER ROLE/DATABASE … SET`: theirs is
   * kept); the half form keeps the server's plan. `'serial'`: none, whatever the setting. `'server'`: the
   * plan is left to the server's settings. PGlite (no workers) and Citus (the shards plan their own scans)
   * are left alone. The plain exact scan of a fallback always keeps the server's plan.
   */
  parallel?: 'auto' | 'serial' | 'server';
}

/**
 * The statement that turns parallel workers off for the rest of the transaction, unless the setting is
 * not the server's default and `$1` is false, or Citus is installed. Returns the value before and
 * whether it changed anything (`applied` is NULL when not).
 */
export const SERIAL_SCAN_SQL =
  "SELECT setting AS previous, CASE WHEN ($1::boolean OR source = 'default')" +
  " AND NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')" +
  " THEN set_config('max_parallel_workers_per_gather', '0', true) END AS applied" +
  " FROM pg_settings WHERE name = 'max_parallel_workers_per_gather'";

/** Put the setting back as it was, still within the transaction (which may be the caller's own). */
export const RESTORE_PARALLEL_SQL = "SELECT set_config('max_parallel_workers_per_gather', $1, true)";

/** A result array with the certificate of its query. */
export type CertifiedRows<T> = T[] & { readonly certificate: Certificate };

/** What {@link runCertifiedSearch} needs from `search()`. */
export interface CertifiedSearchContext {
  table: QualifiedName;
  column: string | undefined;
  query: Vector;
  distance: DistanceName;
  k: number;
  select?: '*' | readonly string[];
  where?: SearchFilter | undefined;
  maxDistance?: number;
  offset?: number;
  binaryParams: boolean;
  options: CertifiedSearchOptions;
  /** Run a statement built with or without `vector_send` reads (search() decides). */
  run: (build: (readBinary: boolean) => SqlQuery) => Promise<Row[]>;
  /**
   * The database and how to run a statement on one of its transactions: needed to run the tries without
   * parallel workers (`certified.parallel`); absent, the tries run through `run` with the server's plan.
   */
  db?: VecpgDb;
  runOn?: (ex: SqlExecutor, build: (readBinary: boolean) => SqlQuery) => Promise<Row[]>;
  /** The plain exact scan. */
  exact: () => Promise<Row[]>;
}

function count(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new VecpgError(
      'INVALID_OPTION',
      `certified.${name} must be an integer >= ${min}, got ${describeValue(value)}`,
      {
        details: { option: name },
      },
    );
  }
  return value;
}

/**
 * Run a certified exact search (see `search({ exact: 'certified' })`): the exact top-k, with how it
 * was proven. Needs the columns of `addCertifiedColumnsSql` for the distance (CERTIFIED_SCHEMA_MISSING
 * otherwise).
 *
 * @example
 * const { rows, certificate } = await runCertifiedSearch(context);
 * certificate.firstTry; // true when N = max(40, 4k) candidates were enough
 */
export async function runCertifiedSearch(
  ctx: CertifiedSearchContext,
): Promise<{ rows: Row[]; certificate: Certificate }> {
  const distance = checkCertifiedDistance(ctx.distance);
  if (ctx.column === undefined)
    throw new VecpgError('INVALID_OPTION', "exact: 'certified' needs column (not expression)");
  if (ctx.offset !== undefined)
    throw new VecpgError('INVALID_OPTION', "exact: 'certified' does not take offset; ask for k + offset rows");
  const k = count('k', ctx.k, 1);
  const growth = count('growth', ctx.options.growth ?? 4, 2);
  const maxTries = count('maxTries', ctx.options.maxTries ?? 3, 0);
  const form = checkForm(ctx.options);
  const layout: CertifiedLayout =
    form === 'prefix' ? { form, prefix: checkPrefix(ctx.options.prefix, ctx.query.toFloat32Array().length) } : {};
  let candidates = count('candidates', ctx.options.candidates ?? Math.max(form === 'prefix' ? 500 : 40, 4 * k), k);
  const prepared = prepareCertifiedQuery(ctx.query.toFloat32Array(), distance, layout);
  const filter = (rows: Row[]) =>
    ctx.maxDistance === undefined ? rows : rows.filter((r) => Number(r['distance']) < ctx.maxDistance!);
  let reason = typeof prepared === 'string' ? prepared : null;
  let last: { bound: number | null; threshold: number | null } = { bound: null, threshold: null };
  let tries = 0;
  const parallel = ctx.options.parallel ?? 'auto';
  if (!['auto', 'serial', 'server'].includes(parallel))
    throw new VecpgError(
      'INVALID_OPTION',
      `certified.parallel must be 'auto', 'serial' or 'server', got ${describeValue(parallel)}`,
      { details: { option: 'parallel' } },
    );
  const serial = parallel === 'serial' || (parallel === 'auto' && form === 'prefix');
  const attempt = async (
    run: (build: (readBinary: boolean) => SqlQuery) => Promise<Row[]>,
  ): Promise<{ rows: Row[]; certificate: Certificate } | null> => {
    if (typeof prepared === 'string') return null;
    let maxKey: number | undefined;
    for (; tries < maxTries; tries++, candidates *= growth) {
      let rows: Row[];
      const limit = maxKey === undefined ? {} : { maxKey };
      try {
        rows = await run((readBinary) =>
          buildCertifiedQuery({ ...ctx, column: ctx.column!, prepared, candidates, k, readBinary, ...limit }),
        );
      } catch (error) {
        throw missingSchema(error, ctx.column!, distance, layout) ?? wrongPrefix(error, layout) ?? error;
      }
      const outcome = checkCertificate(rows, prepared, candidates, k, 'distance', ctx.maxDistance, maxKey);
      last = { bound: outcome.bound, threshold: outcome.threshold };
      if (outcome.proven) {
        const certificate = {
          proven: true,
          firstTry: tries === 0,
          tries: tries + 1,
          candidates,
          ...last,
          fallback: null,
          reason: null,
        };
        return { rows: filter(rows), certificate };
      }
      // The k-th distance found is at least the true one: the next try takes only the rows whose key is
      // below the key that proves it (still at most N × growth of them), not the next N × growth.
      const next =
        outcome.threshold === null || outcome.key === null
          ? null
          : keyReaching(prepared, outcome.threshold, outcome.key);
      maxKey = next ?? undefined;
    }
    return null;
  };
  const { db, runOn } = ctx;
  const proven =
    serial && db !== undefined && runOn !== undefined && db.kind !== 'pglite' && typeof prepared !== 'string'
      ? await db.transaction(async (tx) => {
          const [set] = await tx.query(SERIAL_SCAN_SQL, [parallel === 'serial']);
          const result = await attempt((build) => runOn(tx, build));
          // Our own transaction ends the SET LOCAL anyway; inside the caller's, it must not outlive the search.
          if (set !== undefined && set['applied'] !== null)
            await tx.query(RESTORE_PARALLEL_SQL, [String(set['previous'])]);
          return result;
        })
      : await attempt(ctx.run);
  if (proven !== null) return proven;
  if (typeof prepared !== 'string') {
    candidates /= growth;
    reason = `the bound did not reach the k-th distance after ${tries} tries`;
  }
  const rows = await ctx.exact();
  return {
    rows,
    certificate: {
      proven: false,
      firstTry: false,
      tries,
      candidates: tries > 0 ? candidates : 0,
      ...last,
      fallback: 'exact-scan',
      reason,
    },
  };
}

/** The SQLSTATE candidates of a driver error or of a VecpgError wrapping one. */
function sqlStates(error: unknown): unknown[] {
  const code = (error as { code?: unknown } | null)?.code;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  const sqlstate = (error as { details?: { sqlstate?: unknown } } | null)?.details?.sqlstate;
  return [code, cause, sqlstate];
}

function missingSchema(
  error: unknown,
  column: string,
  distance: string,
  layout: CertifiedLayout,
): VecpgError | undefined {
  if (!sqlStates(error).includes('42703')) return undefined;
  const prefix = layout.form === 'prefix' ? `, { form: 'prefix', prefix: ${String(layout.prefix)} }` : '';
  return new VecpgError(
    'CERTIFIED_SCHEMA_MISSING',
    `certified ${distance} search on column ${describeValue(column)} needs its generated columns: run addCertifiedColumnsSql(table, ${describeValue(column)}, dimensions, ['${distance}']${prefix}) or create the table with vecpg import --create --certified`,
    { cause: error, details: { column, distance } },
  );
}

/** The prefix columns exist with another length than certified.prefix: pgvector's dimension error. */
function wrongPrefix(error: unknown, layout: CertifiedLayout): VecpgError | undefined {
  const message = error instanceof Error ? error.message + String((error.cause as Error | undefined)?.message) : '';
  if (layout.form !== 'prefix' || !/different halfvec dimensions/.test(message)) return undefined;
  return new VecpgError(
    'INVALID_OPTION',
    `certified.prefix ${String(layout.prefix)} is not the length of the table's prefix column: pass the prefix given to addCertifiedColumnsSql`,
    { cause: error, details: { option: 'prefix' } },
  );
}
