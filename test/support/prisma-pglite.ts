/**
 * Prisma 7 on the test's own PGlite instance: pglite-prisma-adapter's factory, plus the three
 * savepoint methods Prisma 7.10 calls for a nested `$transaction`. pglite-prisma-adapter 0.7.2 was
 * built against @prisma/driver-adapter-utils 7.2, which predates them (optional in 7.10's
 * `Transaction`); without them a nested `$transaction` — which vecpg's methods open when called on
 * an interactive-transaction client — fails with P2028 "createSavepoint is not implemented".
 * The methods use only the transaction's own public `executeRaw`, as @prisma/adapter-pg 7.10 does.
 */
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { quoteIdent } from '../../src/sql/identifiers.ts';

type Adapter = Awaited<ReturnType<PrismaPGlite['connect']>>;
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>;

/** pglite-prisma-adapter as published, on `pglite` (no savepoints: no nested `$transaction`). */
export function plainPgliteAdapter(pglite: PGlite): PrismaPGlite {
  return new PrismaPGlite(pglite);
}

function withSavepoints(tx: Transaction): Transaction {
  const run = async (sql: string) => {
    await tx.executeRaw({ sql, args: [], argTypes: [] });
  };
  return Object.assign(tx, {
    createSavepoint: (name: string) => run(`SAVEPOINT ${quoteIdent(name)}`),
    rollbackToSavepoint: (name: string) => run(`ROLLBACK TO SAVEPOINT ${quoteIdent(name)}`),
    releaseSavepoint: (name: string) => run(`RELEASE SAVEPOINT ${quoteIdent(name)}`),
  });
}

/** pglite-prisma-adapter on `pglite`, its transactions given savepoints (nested `$transaction` works). */
export function pgliteAdapter(pglite: PGlite): PrismaPGlite {
  const factory = new PrismaPGlite(pglite);
  const connect = factory.connect.bind(factory);
  return Object.assign(factory, {
    async connect(): Promise<Adapter> {
      const adapter = await connect();
      const start = adapter.startTransaction.bind(adapter);
      return Object.assign(adapter, {
        startTransaction: async (...args: Parameters<Adapter['startTransaction']>) =>
          withSavepoints(await start(...args)),
      });
    },
  });
}
