/**
 * The searches vecpg's core implements once — two-stage (`rerank`), certified exact, hybrid — run for a
 * TypeORM Repository: the host's `where` (an object or `Brackets`, as for `QueryBuilder.andWhere`) is
 * compiled by TypeORM itself into `ctid IN (SELECT … WHERE …)`, a `sqlFilter` the core places wherever its
 * statement filters (before the candidates are taken), and the rows come back as entities, hydrated by
 * TypeORM's driver as `getMany()` would hydrate them.
 */
import type { Brackets, EntityManager, ObjectLiteral, Repository } from 'typeorm';
import type { Row, SqlExecutor, VecpgDb } from '../../sql/executor.ts';
import { type SqlFilter, sqlFilter } from '../../sql/filters.ts';
import type { QualifiedName } from '../../sql/identifiers.ts';
import { typeormExecutor } from './migrations.ts';

const databases = new WeakMap<EntityManager, VecpgDb>();

/** The Repository's EntityManager as the `VecpgDb` the core runs on (transactions by `manager.transaction`). */
export function typeormDb(manager: EntityManager): VecpgDb {
  let db = databases.get(manager);
  if (db === undefined) {
    const executor = typeormExecutor(manager);
    db = {
      kind: 'pg',
      query: executor.query,
      transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
        manager.transaction((m) => fn(typeormExecutor(m))),
    };
    databases.set(manager, db);
  }
  return db;
}

/** The entity's table, as the core names tables. */
export function tableOf<T extends ObjectLiteral>(repository: Repository<T>): QualifiedName {
  const m = repository.metadata;
  return m.schema ? [m.schema, m.tableName] : m.tableName;
}

/** The database column of an entity property. */
export function columnOf<T extends ObjectLiteral>(repository: Repository<T>, property: string): string | undefined {
  return repository.metadata.findColumnWithPropertyPath(property)?.databaseName;
}

/**
 * The host's where as a core filter: TypeORM renders `SELECT item.ctid FROM <table> item WHERE <where>`
 * (with the soft-delete condition of a `@DeleteDateColumn` entity, as `getMany()` has it) and its
 * parameters; the core renumbers them into its own statement.
 * `hashed` (certified search): `(ctid IN (…)) IS TRUE`, which PostgreSQL evaluates as a hashed subplan, a
 * per-row filter before the top-N sort; as a bare `ctid IN (…)` it plans a semi-join that sorts every row
 * first (4–5× slower on 50,000 rows). Two-stage search keeps the semi-join: there it probes the index's
 * candidates by TID, where a hashed subplan would scan the table.
 */
export function hostFilter<T extends ObjectLiteral>(
  repository: Repository<T>,
  where: Brackets | ObjectLiteral | undefined,
  hashed = false,
): SqlFilter | undefined {
  if (where === undefined && repository.metadata.deleteDateColumn === undefined) return undefined;
  const qb = repository.createQueryBuilder('item');
  qb.select(`${qb.escape('item')}.ctid`);
  if (where !== undefined) qb.andWhere(where);
  const [text, params] = qb.getQueryAndParameters();
  return sqlFilter(hashed ? `(ctid IN (${text})) IS TRUE` : `ctid IN (${text})`, params);
}

/** Entities from the core's rows (every column selected), hydrated by TypeORM's driver as `getMany()` does. */
export function hydrate<T extends ObjectLiteral>(repository: Repository<T>, rows: readonly Row[]): T[] {
  const metadata = repository.metadata;
  const driver = repository.manager.connection.driver;
  return rows.map((row) => {
    const entity = metadata.create(undefined, { fromDeserializer: true }) as T;
    for (const column of metadata.columns) {
      if (column.isVirtual || !(column.databaseName in row)) continue;
      column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
    }
    return entity;
  });
}
