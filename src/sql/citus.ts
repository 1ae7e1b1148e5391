import type { Row } from './executor.ts';

/**
 * Citus (distributed PostgreSQL) support in the SQL layer. Citus runs a query on a distributed table as
 * one task per shard on the workers; settings reach those tasks only as `SET LOCAL` statements while
 * `citus.propagate_set_commands = 'local'`: a `set_config(…, true)` call is not propagated at all, so an
 * `efSearch` applied that way would change nothing on the shards.
 */

/** Runs one statement inside the caller's transaction (any driver or ORM). */
export type RunStatement = (text: string, values: readonly unknown[]) => Promise<readonly Row[]>;

/**
 * The statements that make validated search settings apply on every shard of a Citus query, scoped to
 * the transaction: `SET LOCAL citus.propagate_set_commands = 'local'`, then one `SET LOCAL` per
 * setting. `SET` takes no bound parameters, so the values are written as literals; they come from
 * `validateSearchSettings` (numbers in range, or one of a fixed list of words), never from raw input.
 *
 * @example
 * citusSearchSettingsSql([['hnsw.ef_search', '100']]);
 * // ["SET LOCAL citus.propagate_set_commands = 'local'", "SET LOCAL hnsw.ef_search = '100'"]
 */
export function citusSearchSettingsSql(pairs: ReadonlyArray<readonly [string, string]>): string[] {
  if (pairs.length === 0) return [];
  for (const [guc, value] of pairs) {
    // Defence in depth: validated pairs never fail this.
    if (!/^[a-z_]+\.[a-z_]+$/.test(guc) || !/^[A-Za-z0-9_.]+$/.test(value)) {
      throw new TypeError(`not a validated setting: ${guc} = ${value}`);
    }
  }
  return [
    "SET LOCAL citus.propagate_set_commands = 'local'",
    ...pairs.map(([guc, value]) => `SET LOCAL ${guc} = '${value}'`),
  ];
}

/** The query telling whether Citus is installed in the connected database. */
export const CITUS_DETECT_SQL = "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS citus";

const detected = new WeakMap<object, boolean>();

/**
 * Whether the database behind `key` (a `VecpgDb`, an ORM instance…) has the Citus extension, asked
 * once per key and remembered: create the extension before the first search through that object.
 *
 * @example
 * if (await isCitus((t, v) => db.query(t, v), db)) console.log('distributed');
 */
export async function isCitus(run: RunStatement, key: object): Promise<boolean> {
  const known = detected.get(key);
  if (known !== undefined) return known;
  const rows = await run(CITUS_DETECT_SQL, []);
  const yes = rows[0]?.citus === true || rows[0]?.citus === 't';
  detected.set(key, yes);
  return yes;
}
