/**
 * A Prisma Client as the `VecpgDb` the SQL layer runs on: statements go through
 * `$queryRawUnsafe(text, ...values)` — the text is vecpg's (quoted identifiers, `$n` placeholders),
 * the values are bound by the driver adapter — and `transaction` is an interactive
 * `$transaction`, so `SET LOCAL` settings stay on its one connection.
 */
import { VecpgError, describeValue } from '../../errors.ts';
import type { Row, SqlExecutor, VecpgDb } from '../../sql/executor.ts';

/**
 * What vecpg needs from a Prisma Client (or an interactive-transaction client): the raw query
 * method, and `$transaction` (an interactive-transaction client may lack it).
 *
 * @example
 * const raw: PrismaRawClient = new PrismaClient({ adapter });
 */
export interface PrismaRawClient {
  $queryRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>;
  $transaction?: unknown;
}

type TransactionFn = (
  fn: (tx: PrismaRawClient) => Promise<unknown>,
  options?: { timeout?: number; maxWait?: number },
) => Promise<unknown>;

function sqlstateOf(error: unknown): string | undefined {
  // Prisma 7 keeps the database's own error under meta.driverAdapterError.cause.
  const meta = (
    error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown } } } } | null
  )?.meta;
  const cause = meta?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Wrap an error from a raw statement as QUERY_FAILED with the SQLSTATE and the statement.
 *
 * @example
 * try { await prisma.$queryRawUnsafe(text, ...values) } catch (e) { throw prismaQueryFailed(e, text) }
 */
export function prismaQueryFailed(error: unknown, text: string): VecpgError {
  if (error instanceof VecpgError) return error;
  const sqlstate = sqlstateOf(error);
  const message =
    error instanceof Error
      ? (error.message
          .trim()
          .split('\n')
          .filter((l) => l.trim() !== '')
          .pop() ?? error.message)
      : String(error);
  const statement = text.length > 200 ? `${text.slice(0, 197)}...` : text;
  const details: Record<string, unknown> = { statement };
  if (sqlstate !== undefined) details.sqlstate = sqlstate;
  return new VecpgError(
    'QUERY_FAILED',
    `${message}${sqlstate ? ` (SQLSTATE ${sqlstate})` : ''} in statement: ${statement}`,
    { cause: error, details },
  );
}

/**
 * Run one `$n`-style statement through Prisma's raw query API (values bound, never spliced).
 *
 * @example
 * const rows = await prismaExecutor(prisma).query('SELECT $1::vector AS v', ['[1,2,3]']);
 */
export function prismaExecutor(client: PrismaRawClient): SqlExecutor {
  if (typeof client?.$queryRawUnsafe !== 'function') {
    throw new VecpgError(
      'INVALID_VALUE',
      `expected a Prisma Client (with $queryRawUnsafe), got ${describeValue(client)}`,
    );
  }
  return {
    async query<R extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      try {
        return (await client.$queryRawUnsafe(text, ...params)) as R[];
      } catch (error) {
        throw prismaQueryFailed(error, text);
      }
    },
  };
}

/**
 * A Prisma Client as a `VecpgDb`, for the SQL layer's helpers (`extensionInfo`, `requireFeature`,
 * `search`, `withSearchSettings`). Given an interactive-transaction client, `transaction` runs inside
 * that transaction (Prisma 7.10+ opens a savepoint for a nested `$transaction`; older clients have none,
 * and `fn` runs directly): `SET LOCAL` then lasts until the outer transaction ends.
 *
 * @example
 * const db = wrapPrisma(prisma);
 * await requireFeature(db, 'sparsevec');
 */
export function wrapPrisma(client: PrismaRawClient, options: { timeout?: number; maxWait?: number } = {}): VecpgDb {
  const base = prismaExecutor(client);
  return {
    kind: 'pg',
    query: base.query,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (typeof client.$transaction !== 'function') return fn(base);
      const run = (client.$transaction as TransactionFn).bind(client);
      return (await run((tx) => fn(prismaExecutor(tx)), options)) as T;
    },
  };
}
