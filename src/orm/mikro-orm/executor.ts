/**
 * MikroORM's EntityManager as the `VecpgDb` vecpg's SQL layer runs on. Statements run through
 * the Knex instance MikroORM holds, with real bound parameters, inside the EntityManager's
 * current transaction when there is one.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from 'knex';
import { VecpgError } from '../../errors.ts';
import type { SqlExecutor, VecpgDb } from '../../sql/executor.ts';
import { knexExecutor } from '../knex/executor.ts';

function executorOf(em: EntityManager): SqlExecutor {
  // MikroORM's transaction context is the Knex transaction of the current `em.transactional`.
  const trx = em.getTransactionContext<Knex.Transaction>();
  return knexExecutor(trx ?? (em.getKnex() as unknown as Knex));
}

const forks = new WeakMap<SqlExecutor, EntityManager>();

/**
 * The transactional EntityManager behind an executor handed out by {@link mikroDb}'s
 * `transaction`, so MikroORM queries run inside the same transaction as the `SET LOCAL`s.
 *
 * @example
 * await mikroDb(em).transaction(async (tx) => entityManagerOf(tx).find(Item, {}));
 */
export function entityManagerOf(tx: SqlExecutor): EntityManager {
  const em = forks.get(tx);
  if (!em) throw new VecpgError('INVALID_VALUE', 'this executor was not opened by mikroDb(...).transaction');
  return em;
}

/**
 * Wrap a MikroORM (PostgreSQL driver) EntityManager as a `VecpgDb`: `query` runs `$n` statements
 * with bound parameters, `transaction` uses `em.transactional`.
 *
 * @example
 * const info = await extensionInfo(mikroDb(orm.em.fork()));
 */
export function mikroDb(em: EntityManager): VecpgDb {
  return {
    kind: 'pg',
    query: (text, params) => executorOf(em).query(text, params),
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return em.transactional(async (tem) => {
        const tx = executorOf(tem);
        forks.set(tx, tem);
        return fn(tx);
      });
    },
  };
}
