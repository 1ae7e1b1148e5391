/**
 * The searches vecpg's core implements once — two-stage (`rerank`), certified exact, hybrid — run on a
 * MikroORM EntityManager: the host's `where` (a `FilterQuery`) is compiled by MikroORM's QueryBuilder into
 * `ctid IN (SELECT … WHERE …)`, a `sqlFilter` the core places wherever its statement filters (before the
 * candidates are taken), and the rows come back as managed entities (`em.map`), as `vectorSearch` returns
 * them.
 */
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Row, VecpgDb } from '../../sql/executor.ts';
import { type SqlFilter, sqlFilter } from '../../sql/filters.ts';
import type { QualifiedName } from '../../sql/identifiers.ts';
import type { VectorType } from '../../sql/operators.ts';
import { wrapMikroOrm } from './executor.ts';
import { VECTOR_TYPES } from '../../sql/operators.ts';

const databases = new WeakMap<EntityManager, VecpgDb>();

/** The EntityManager as the `VecpgDb` the core runs on (one per EntityManager, so Citus is asked once). */
export function mikroDb(em: EntityManager): VecpgDb {
  let db = databases.get(em);
  if (db === undefined) {
    db = wrapMikroOrm(em);
    databases.set(em, db);
  }
  return db;
}

interface MetaLike {
  className: string;
  tableName: string;
  schema?: string;
  properties: Record<string, { fieldNames?: string[]; customType?: unknown }>;
}

function metaOf<T extends object>(em: EntityManager, entityName: EntityName<T>): MetaLike {
  return em.getMetadata().get(entityName as never);
}

/** The entity's table, as the core names tables. */
export function tableOf<T extends object>(em: EntityManager, entityName: EntityName<T>): QualifiedName {
  const meta = metaOf(em, entityName);
  return meta.schema === undefined || meta.schema === '*' ? meta.tableName : [meta.schema, meta.tableName];
}

/** Whether the entity has this database column, and its pgvector type when it is a vecpg property. */
export function columnInfo<T extends object>(
  em: EntityManager,
  entityName: EntityName<T>,
  column: string,
): { exists: boolean; vectorType: VectorType | undefined; entity: string } {
  const meta = metaOf(em, entityName);
  const prop = Object.values(meta.properties).find((p) => p.fieldNames?.[0] === column);
  const type = (prop?.customType as { vectorType?: unknown } | undefined)?.vectorType;
  return {
    exists: prop !== undefined,
    vectorType: (VECTOR_TYPES as readonly unknown[]).includes(type) ? (type as VectorType) : undefined,
    entity: meta.className,
  };
}

/**
 * The host's where as a core filter: MikroORM's QueryBuilder renders `SELECT e0.ctid FROM <table> e0 WHERE
 * <where>` with its values written in by the platform (`getFormattedQuery`), as `vectorSearch`'s own
 * QueryBuilder would filter.
 * `hashed` (certified search): `(ctid IN (…)) IS TRUE`, which PostgreSQL evaluates as a hashed subplan, a
 * per-row filter before the top-N sort; as a bare `ctid IN (…)` it plans a semi-join that sorts every row
 * first (4–5× slower on 50,000 rows). Two-stage search keeps the semi-join: there it probes the index's
 * candidates by TID, where a hashed subplan would scan the table.
 */
export function hostFilter<T extends object>(
  em: EntityManager,
  entityName: EntityName<T>,
  where: FilterQuery<T> | undefined,
  hashed = false,
): SqlFilter | undefined {
  if (where === undefined) return undefined;
  const qb = em.createQueryBuilder(entityName, 'e0');
  qb.select('ctid' as never).where(where);
  const text = qb.getFormattedQuery();
  return sqlFilter(hashed ? `(ctid IN (${text})) IS TRUE` : `ctid IN (${text})`);
}

/**
 * Managed entities from the core's rows (every column selected), as `vectorSearch` maps them: the entity's
 * columns only (not the distance, score and ranks the core adds).
 */
export function hydrate<T extends object>(em: EntityManager, entityName: EntityName<T>, rows: readonly Row[]): T[] {
  const fields = new Set(Object.values(metaOf(em, entityName).properties).flatMap((p) => p.fieldNames ?? []));
  return rows.map((row) =>
    em.map(entityName, Object.fromEntries(Object.entries(row).filter(([key]) => fields.has(key))) as never),
  );
}
