/**
 * MikroORM's EntityManager as the `VecpgDb` vecpg's SQL layer runs on, with real bound parameters,
 * inside the EntityManager's current transaction when there is one. MikroORM 6 runs SQL through
 * Knex (`em.getKnex()`, the transaction context a Knex transaction); MikroORM 7 through Kysely (the
 * transaction context a Kysely transaction, else `em.getKysely()`). Both are found on the instance, so
 * nothing here imports Knex or Kysely.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from 'knex';
import { VecpgError } from '../../errors.ts';
import type { Row, SqlExecutor, VecpgDb } from '../../sql/executor.ts';
import { knexExecutor } from '../knex/executor.ts';

/**
 * What vecpg needs of a MikroORM EntityManager (PostgreSQL driver), typed structurally so the
 * EntityManager of MikroORM 6 and 7 — `orm.em.fork()`, or a migration's `this.getEntityManager()` —
 * both fit.
 */
export interface MikroEntityManagerLike {
  getTransactionContext(): unknown;
  transactional<T>(cb: (em: MikroEntityManagerLike) => Promise<T>): Promise<T>;
}

/** The Kysely instance of MikroORM 7 (`executeQuery` of a compiled query). */
interface KyselyLike {
  executeQuery(query: object): Promise<{ rows: readonly unknown[] }>;
}

/** MikroORM 7: a raw statement with bound parameters, as Kysely's `CompiledQuery.raw` builds it. */
function kyselyExecutor(kysely: KyselyLike): SqlExecutor {
  return {
    async query<R extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      const compiled = {
        sql: text,
        query: { kind: 'RawNode', sqlFragments: [text], parameters: [] },
        parameters: [...params],
        queryId: { queryId: 'vecpg' },
      };
      return [...(await kysely.executeQuery(compiled)).rows] as R[];
    },
  };
}

function executorOf(em: MikroEntityManagerLike): SqlExecutor {
  const host = em as MikroEntityManagerLike & { getKnex?: () => unknown; getKysely?: () => unknown };
  if (typeof host.getKnex === 'function') {
    // MikroORM 6: the transaction context is the Knex transaction of the current `em.transactional`.
    const trx = host.getTransactionContext() as Knex.Transaction | undefined;
    return knexExecutor(trx ?? (host.getKnex() as Knex));
  }
  if (typeof host.getKysely === 'function') {
    // MikroORM 7: the transaction context is the Kysely transaction of the current `em.transactional`.
    // 7.2's getKysely() returns it too, 7.0's always the root instance (whose query would run outside
    // the transaction, and on PGlite wait forever for the transaction holding the instance).
    const trx = host.getTransactionContext() as KyselyLike | undefined;
    return kyselyExecutor(trx ?? (host.getKysely() as KyselyLike));
  }
  throw new VecpgError(
    'UNSUPPORTED',
    'vecpg/mikro-orm needs the EntityManager of a SQL driver (MikroORM 6 or 7, @mikro-orm/postgresql)',
  );
}

const forks = new WeakMap<SqlExecutor, MikroEntityManagerLike>();

/**
 * The transactional EntityManager behind an executor handed out by {@link wrapMikroOrm}'s
 * `transaction`, so MikroORM queries run inside the same transaction as the `SET LOCAL`s.
 *
 * @example
 * await wrapMikroOrm(em).transaction(async (tx) => entityManagerOf(tx).find(Item, {}));
 */
export function entityManagerOf(tx: SqlExecutor): EntityManager {
  const em = forks.get(tx);
  if (!em) throw new VecpgError('INVALID_VALUE', 'this executor was not opened by wrapMikroOrm(...).transaction');
  return em as EntityManager;
}

/**
 * Wrap a MikroORM (PostgreSQL driver) EntityManager as a `VecpgDb`: `query` runs `$n` statements
 * with bound parameters, `transaction` uses `em.transactional`.
 *
 * @example
 * const info = await extensionInfo(wrapMikroOrm(orm.em.fork()));
 */
export function wrapMikroOrm(em: MikroEntityManagerLike): VecpgDb {
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
