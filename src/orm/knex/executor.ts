/**
 * Knex as the `VecpgDb` the SQL layer runs on. vecpg's SQL uses `$1, $2…` placeholders while
 * `knex.raw` uses `?`: statements are rewritten once here (literal `?` escaped as `\?`), so the
 * SQL layer's builders run unchanged through Knex's pool and transactions.
 */
import type { Knex } from 'knex';
import { VecpgError } from '../../errors.ts';
import type { Row, SqlExecutor, VecpgDb } from '../../sql/executor.ts';
import { withoutQuestionMarksInIdentifiers } from '../../sql/identifiers.ts';

/**
 * Rewrite `$n` placeholders to Knex's positional `?` and reorder the bindings to match.
 *
 * @example
 * toKnexRaw('SELECT $2::int + $1::int', [1, 2]); // { sql: 'SELECT ?::int + ?::int', bindings: [2, 1] }
 */
export function toKnexRaw(text: string, params: readonly unknown[] = []): { sql: string; bindings: unknown[] } {
  const bindings: unknown[] = [];
  // Quoted identifiers and string literals are skipped whole: a table named "$1" is a name, not a
  // placeholder. Knex scans every `?`: an identifier holding one is written Unicode-escaped (no `?`
  // left: a backslash escape cannot survive Knex's pg client when the name has a `\` before the `?`),
  // a string literal gets it escaped.
  const sql = text.replace(/"(?:[^"]|"")*"|'(?:[^']|'')*'|\?|\$([0-9]+)/g, (match, n: string | undefined) => {
    if (match.startsWith('"')) return withoutQuestionMarksInIdentifiers(match);
    if (match.startsWith("'")) return match.replaceAll('?', '\\?');
    if (n === undefined) return '\\?';
    const index = Number(n) - 1;
    if (index < 0 || index >= params.length) {
      throw new VecpgError('INVALID_VALUE', `statement uses ${match} but only ${params.length} parameters were given`, {
        details: { placeholder: match, params: params.length },
      });
    }
    bindings.push(params[index]);
    return '?';
  });
  return { sql, bindings };
}

function rowsOf<R>(result: unknown): R[] {
  // knex.raw on pg resolves to pg's Result ({ rows }); be lenient with a bare array.
  if (Array.isArray(result)) return result as R[];
  const rows = (result as { rows?: unknown } | undefined)?.rows;
  return Array.isArray(rows) ? (rows as R[]) : [];
}

/**
 * Run one `$n`-style statement through Knex (or a Knex transaction).
 *
 * @example
 * const exec = knexExecutor(trx);
 * await exec.query('SELECT set_config($1, $2, true)', ['hnsw.ef_search', '100']);
 */
export function knexExecutor(knex: Knex | Knex.Transaction): SqlExecutor {
  return {
    async query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<R[]> {
      const { sql, bindings } = toKnexRaw(text, params);
      return rowsOf<R>(await knex.raw(sql, bindings as Knex.RawBinding[]));
    },
  };
}

const transactions = new WeakMap<SqlExecutor, Knex.Transaction>();

/**
 * The Knex transaction behind an executor handed out by {@link wrapKnex}'s `transaction`, so Knex
 * query builders can run inside the same transaction as the SQL layer's `SET LOCAL`s.
 *
 * @example
 * await db.transaction(async (tx) => knexTransactionOf(tx)('items').select('*'));
 */
export function knexTransactionOf(tx: SqlExecutor): Knex.Transaction {
  const trx = transactions.get(tx);
  if (!trx) throw new VecpgError('INVALID_VALUE', 'this executor was not opened by wrapKnex(...).transaction');
  return trx;
}

/**
 * Wrap a Knex instance (PostgreSQL client `pg`) as a `VecpgDb`: `transaction` uses
 * `knex.transaction`, so it holds one pooled connection and `SET LOCAL` stays inside it.
 *
 * @example
 * const db = wrapKnex(knex);
 * const info = await extensionInfo(db);
 */
export function wrapKnex(knex: Knex): VecpgDb {
  const base = knexExecutor(knex);
  return {
    kind: 'pg',
    query: base.query,
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return knex.transaction(async (trx) => {
        const tx = knexExecutor(trx);
        transactions.set(tx, trx);
        return fn(tx);
      });
    },
  };
}
