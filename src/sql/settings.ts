import { VecpgError, describeValue } from '../errors.ts';
import type { SqlExecutor, VecpgDb } from './executor.ts';
import type { SqlQuery } from './executor.ts';
import { type RunStatement, citusSearchSettingsSql, isCitus } from './citus.ts';

/**
 * Query-time settings of an approximate search (pgvector 0.8). Each is applied with
 * `set_config(name, value, true)`, i.e. `SET LOCAL`, so it ends with the transaction.
 */
export interface SearchSettings {
  /** `hnsw.ef_search`, 1–1000 (default 40): candidates kept during an HNSW scan. */
  efSearch?: number;
  /** `hnsw.iterative_scan` (0.8): keep scanning when filters remove rows. */
  iterativeScan?: 'off' | 'relaxed_order' | 'strict_order';
  /** `hnsw.max_scan_tuples`, 1–2147483647 (default 20,000): stop an iterative scan after this many tuples. */
  maxScanTuples?: number;
  /** `hnsw.scan_mem_multiplier`, 1–1000 (default 1): × work_mem an iterative scan may use. */
  scanMemMultiplier?: number;
  /** `ivfflat.probes`, 1–32768 (default 1): lists searched. */
  probes?: number;
  /** `ivfflat.iterative_scan` (0.8): `off` or `relaxed_order`. */
  ivfflatIterativeScan?: 'off' | 'relaxed_order';
  /** `ivfflat.max_probes`, 1–32768: upper bound on probes for an iterative scan. */
  maxProbes?: number;
}

type Spec =
  | { readonly guc: string; readonly kind: 'int' | 'real'; readonly min: number; readonly max: number }
  | { readonly guc: string; readonly kind: 'enum'; readonly values: readonly string[] };

/** Setting names and ranges, as the server's pg_settings reports them for pgvector 0.8. */
const SPECS: Readonly<Record<keyof SearchSettings, Spec>> = {
  efSearch: { guc: 'hnsw.ef_search', kind: 'int', min: 1, max: 1000 },
  iterativeScan: { guc: 'hnsw.iterative_scan', kind: 'enum', values: ['off', 'relaxed_order', 'strict_order'] },
  maxScanTuples: { guc: 'hnsw.max_scan_tuples', kind: 'int', min: 1, max: 2_147_483_647 },
  scanMemMultiplier: { guc: 'hnsw.scan_mem_multiplier', kind: 'real', min: 1, max: 1000 },
  probes: { guc: 'ivfflat.probes', kind: 'int', min: 1, max: 32768 },
  ivfflatIterativeScan: { guc: 'ivfflat.iterative_scan', kind: 'enum', values: ['off', 'relaxed_order'] },
  maxProbes: { guc: 'ivfflat.max_probes', kind: 'int', min: 1, max: 32768 },
};

/**
 * Validate search settings client-side and return the `(setting, value)` pairs to apply.
 * Unknown keys and out-of-range values are INVALID_OPTION.
 *
 * @example
 * validateSearchSettings({ efSearch: 100 }); // [['hnsw.ef_search', '100']]
 */
export function validateSearchSettings(settings: SearchSettings): Array<[string, string]> {
  if (typeof settings !== 'object' || settings === null) {
    throw new VecpgError('INVALID_OPTION', `search settings must be an object, got ${describeValue(settings)}`);
  }
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(SPECS, key)) {
      throw new VecpgError(
        'INVALID_OPTION',
        `unknown search setting ${JSON.stringify(key)}; expected one of ${Object.keys(SPECS).join(', ')}`,
        {
          details: { option: key },
        },
      );
    }
    const spec = SPECS[key as keyof SearchSettings];
    if (spec.kind === 'enum') {
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw new VecpgError(
          'INVALID_OPTION',
          `${key} (${spec.guc}) must be one of ${spec.values.join(', ')}, got ${describeValue(value)}`,
          {
            details: { option: key, value },
          },
        );
      }
    } else {
      const ok =
        typeof value === 'number' && Number.isFinite(value) && (spec.kind === 'real' || Number.isInteger(value));
      if (!ok || value < spec.min || value > spec.max) {
        const what = spec.kind === 'int' ? 'an integer' : 'a number';
        throw new VecpgError(
          'INVALID_OPTION',
          `${key} (${spec.guc}) must be ${what} from ${spec.min} to ${spec.max}, got ${describeValue(value)}`,
          {
            details: { option: key, value },
          },
        );
      }
    }
    out.push([spec.guc, String(value)]);
  }
  return out;
}

/**
 * The statement applying settings for the current transaction only:
 * `SELECT set_config('hnsw.ef_search', $1, true), …` with bound values; null when there is nothing to set.
 *
 * @example
 * searchSettingsSql({ efSearch: 100 }); // { text: "SELECT set_config('hnsw.ef_search', $1, true)", values: ['100'] }
 */
export function searchSettingsSql(settings: SearchSettings): SqlQuery | null {
  const pairs = validateSearchSettings(settings);
  if (pairs.length === 0) return null;
  const calls = pairs.map(([guc], i) => `set_config('${guc}', $${i + 1}, true)`);
  return { text: `SELECT ${calls.join(', ')}`, values: pairs.map(([, v]) => v) };
}

/**
 * Apply search settings inside a transaction the caller has open, through `run`. On one server that
 * is the `searchSettingsSql` statement; on Citus (detected once per `key`) the settings are also set
 * with `SET LOCAL` while `citus.propagate_set_commands = 'local'`, so they reach every shard the
 * query runs on, and end with the transaction there too.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   await applySearchSettings((text, values) => tx.query(text, values), { efSearch: 100 }, db);
 *   return tx.query('SELECT id FROM items ORDER BY embedding <-> $1::vector LIMIT 10', [vectorParam(q, 'vector')]);
 * });
 */
export async function applySearchSettings(run: RunStatement, settings: SearchSettings, key: object): Promise<void> {
  const pairs = validateSearchSettings(settings);
  const statement = searchSettingsSql(settings);
  if (!statement) return;
  await run(statement.text, statement.values);
  if (await isCitus(run, key)) for (const text of citusSearchSettingsSql(pairs)) await run(text, []);
}

/**
 * Run `fn` in a transaction with the settings applied as `SET LOCAL`: they never leak to other
 * queries on the same pooled connection. On Citus they apply on every shard as well.
 *
 * @example
 * const rows = await withSearchSettings(db, { efSearch: 100 }, (tx) =>
 *   tx.query('SELECT id FROM items ORDER BY embedding <-> $1::vector LIMIT 10', [vectorParam(q, 'vector')]));
 */
export async function withSearchSettings<T>(
  db: VecpgDb,
  settings: SearchSettings,
  fn: (tx: SqlExecutor) => Promise<T>,
): Promise<T> {
  return withSearchSettingsFor(db, settings, fn, db);
}

/** {@link withSearchSettings}, remembering whether it is Citus under `key` (an ORM's long-lived object). */
export async function withSearchSettingsFor<T>(
  db: VecpgDb,
  settings: SearchSettings,
  fn: (tx: SqlExecutor) => Promise<T>,
  key: object,
): Promise<T> {
  validateSearchSettings(settings);
  return db.transaction(async (tx) => {
    await applySearchSettings((text, values) => tx.query(text, values), settings, key);
    return fn(tx);
  });
}
