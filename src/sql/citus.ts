import { VecpgError, describeValue } from '../errors.ts';
import type { Row, SqlExecutor } from './executor.ts';
import { type QualifiedName, quoteQualified } from './identifiers.ts';
import type { SqlQuery } from './executor.ts';

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

/** Options of {@link distributeTableSql}. */
export interface DistributeOptions {
  /** The distribution column: rows with the same value live in the same shard (a tenant id, or the id). */
  column: string;
  /** Shards (default: the cluster's `citus.shard_count`, 32). A few per worker core is typical. */
  shardCount?: number;
  /** A distributed table to co-locate with (same distribution column type): its shards share nodes. */
  colocateWith?: QualifiedName;
}

/**
 * `SELECT create_distributed_table(…)`: turn a table into a hash-distributed Citus table (existing rows
 * are moved to the shards). Every value is a bound parameter.
 *
 * @example
 * distributeTableSql('items', { column: 'tenant_id', shardCount: 8 });
 * // { text: 'SELECT create_distributed_table($1, $2, shard_count => $3)', values: ['"items"', 'tenant_id', 8] }
 */
export function distributeTableSql(table: QualifiedName, options: DistributeOptions): SqlQuery {
  if (typeof options.column !== 'string' || options.column === '') {
    throw new VecpgError(
      'INVALID_OPTION',
      `the distribution column must be a column name, got ${describeValue(options.column)}`,
      {
        details: { option: 'distributeBy' },
      },
    );
  }
  const values: unknown[] = [quoteQualified(table), options.column];
  const named: string[] = [];
  if (options.shardCount !== undefined) {
    if (!Number.isInteger(options.shardCount) || options.shardCount < 1 || options.shardCount > 64000) {
      throw new VecpgError(
        'INVALID_OPTION',
        `shardCount must be an integer from 1 to 64000, got ${describeValue(options.shardCount)}`,
        {
          details: { option: 'shardCount', value: options.shardCount },
        },
      );
    }
    values.push(options.shardCount);
    named.push(`shard_count => $${values.length}`);
  }
  if (options.colocateWith !== undefined) {
    values.push(quoteQualified(options.colocateWith));
    named.push(`colocate_with => $${values.length}`);
  }
  return { text: `SELECT create_distributed_table(${['$1', '$2', ...named].join(', ')})`, values };
}

/**
 * `SELECT create_reference_table($1)`: a small table copied to every node, so that it joins with any
 * shard locally (categories, tenants…).
 *
 * @example
 * referenceTableSql('categories'); // { text: 'SELECT create_reference_table($1)', values: ['"categories"'] }
 */
export function referenceTableSql(table: QualifiedName): SqlQuery {
  return { text: 'SELECT create_reference_table($1)', values: [quoteQualified(table)] };
}

/** How Citus holds a table: from `citus_tables`, or undefined for a table Citus does not manage. */
export interface CitusTableInfo {
  /** `distributed`, `reference` or `local`. */
  type: string;
  /** The distribution column, for a distributed table. */
  distributionColumn: string | undefined;
  shardCount: number;
}

/**
 * Read `citus_tables` for one table (only call it where Citus is installed).
 *
 * @example
 * const info = await citusTableInfo(db, 'items'); // { type: 'distributed', distributionColumn: 'tenant_id', shardCount: 32 }
 */
export async function citusTableInfo(db: SqlExecutor, table: QualifiedName): Promise<CitusTableInfo | undefined> {
  const rows = await db.query<{ citus_table_type: string; distribution_column: string; shard_count: number | string }>(
    `SELECT citus_table_type, distribution_column, shard_count FROM citus_tables WHERE table_name = to_regclass($1)`,
    [quoteQualified(table)],
  );
  const r = rows[0];
  if (r === undefined) return undefined;
  return {
    type: r.citus_table_type,
    distributionColumn: r.distribution_column === '<none>' ? undefined : r.distribution_column,
    shardCount: Number(r.shard_count),
  };
}

/**
 * A statement with its bound values written in as literals, for `EXPLAIN` on Citus: Citus 13.2 cannot
 * EXPLAIN a distributed statement with parameters (the workers answer "could not determine data type
 * of parameter $1"). `$n` inside quoted identifiers and string literals is left alone.
 *
 * @example
 * inlineParameters('SELECT * FROM "t" ORDER BY e <-> $1::vector LIMIT $2', ['[1,2]', 5]);
 * // "SELECT * FROM \"t\" ORDER BY e <-> '[1,2]'::vector LIMIT 5"
 */
export function inlineParameters(text: string, values: readonly unknown[]): string {
  const literal = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
    throw new VecpgError('UNSUPPORTED', `cannot write ${describeValue(v)} as a literal for EXPLAIN on Citus`);
  };
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== undefined) {
      out += ch;
      if (ch === quote) quote = undefined; // a doubled quote closes and reopens: same result
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      out += ch;
      continue;
    }
    const m = ch === '$' ? /^\$(\d+)/.exec(text.slice(i)) : null;
    if (m) {
      const n = Number(m[1]);
      if (n < 1 || n > values.length) throw new VecpgError('INVALID_OPTION', `no value for $${n}`);
      out += literal(values[n - 1]);
      i += m[0].length - 1;
      continue;
    }
    out += ch;
  }
  return out;
}
