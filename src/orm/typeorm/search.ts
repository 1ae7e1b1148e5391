/**
 * Nearest-neighbour search in TypeORM's idiom: a Repository method-like helper returning entities
 * with their distance. Exact by default (vecpg's exact ordering: true top-k whatever indexes the
 * table has); approximate on request, with pgvector's query settings applied by `set_config(…, true)`
 * (`SET LOCAL`) inside a transaction, so they never leak to other queries on the pooled connection.
 */
import type { Brackets, EntityManager, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { VecpgError, describeValue } from '../../errors.ts';
import type { VectorInput } from '../../sql/params.ts';
import { type DistanceName, type VectorType, VECTOR_TYPES } from '../../sql/operators.ts';
import { type SearchSettings, applySearchSettings } from '../../sql/settings.ts';
import { vecpgColumnType } from './columns.ts';
import { vectorDistance } from './distance.ts';
import { typeormExecutor } from './migrations.ts';
import { quoteIdent, quoteQualified } from '../../sql/identifiers.ts';
import {
  type LikeRowNames,
  type LikeRowSql,
  type RowId,
  checkLikeOptions,
  explainNoLikeRow,
  likeIdColumn,
  likeConditionsSql,
  likeVectorSql,
} from '../../sql/like.ts';
import { distanceSql, exactOrderSql } from '../../sql/query.ts';
import { assertRegistered } from './register.ts';
import type { Row } from '../../sql/executor.ts';
import { columnOf, hostFilter, hydrate, tableOf, typeormDb } from './core-search.ts';
import type { ValidSearch } from '../../sql/search-options.ts';
import type { CertifiedRows, CertifiedSearchOptions } from '../../sql/certified-search.ts';
import type { RerankOptions } from '../../sql/rerank.ts';
import { type CoreSearch, carryCertificate, runCertified, runRerank, searchModeOf } from '../search-modes.ts';

/** An entity and its distance to the query vector. */
export interface WithDistance<T> {
  entity: T;
  distance: number;
}

/**
 * Run a QueryBuilder that selected a distance with `addSelect(d.sql, alias)` and return each
 * entity with that distance (the Django walkthrough's `annotate(distance=…)`), in the query's order.
 *
 * @example
 * const d = cosineDistance('data.features', target);
 * const rows = await getManyWithDistance(repo.createQueryBuilder('data').addSelect(d.sql, 'distance').setParameters(d.parameters));
 * rows[0].entity.name; rows[0].distance;
 */
export async function getManyWithDistance<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  alias = 'distance',
): Promise<Array<WithDistance<T>>> {
  const { entities, raw } = await qb.getRawAndEntities<Record<string, unknown>>();
  const read = (row: Record<string, unknown> | undefined): number => {
    const v = row?.[alias];
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
    throw new VecpgError(
      'INVALID_VALUE',
      `the query selected no numeric "${alias}" column (got ${describeValue(v)}): add addSelect(d.sql, '${alias}')`,
    );
  };
  if (raw.length === entities.length) return entities.map((entity, i) => ({ entity, distance: read(raw[i]) }));
  // Joins give several raw rows per entity: match them by primary key.
  const main = qb.expressionMap.mainAlias;
  const primary = main?.metadata.primaryColumns ?? [];
  const keyOfRaw = (row: Record<string, unknown>): string =>
    JSON.stringify(primary.map((c) => String(row[`${main?.name}_${c.databaseName}`])));
  const byKey = new Map<string, number>();
  for (const row of raw) {
    const key = keyOfRaw(row);
    if (!byKey.has(key)) byKey.set(key, read(row));
  }
  return entities.map((entity) => {
    const key = JSON.stringify(primary.map((c) => String(c.getEntityValue(entity))));
    const distance = byKey.get(key);
    if (distance === undefined) throw new VecpgError('INVALID_VALUE', `no "${alias}" found for entity with key ${key}`);
    return { entity, distance };
  });
}

/** Options of {@link vectorSearch}. */
export interface VectorSearchOptions<T extends ObjectLiteral> {
  /** The vector property of the entity (`'embedding'`). */
  column: string;
  /** The query vector: array, Vector, HalfVector, SparseVector, Bit or 0/1 string. Give this or `likeId`. */
  query?: VectorInput;
  /** "More like this": the stored row with this id is the query (read by the same statement) and is left out. */
  likeId?: RowId;
  /** The id property for `likeId` (default: the entity's primary column). */
  idColumn?: string;
  distance: DistanceName;
  /** How many entities: default 10, or every one under `maxDistance` when that is given without `k`. */
  k?: number;
  /** Keep only entities whose distance is strictly below this. */
  maxDistance?: number;
  /** Extra filter, as for `QueryBuilder.andWhere`: `{ category: 'news' }` or `new Brackets(…)`. */
  where?: Brackets | ObjectLiteral;
  /**
   * Exact unless false (or unless `approximate` is given). `'certified'`: the same exact top-k, found by
   * scanning the compact columns of `addCertifiedColumnsSql` and proven per query; the array carries its
   * `certificate` (docs/certified-search.md).
   */
  exact?: boolean | 'certified';
  /** Tuning of `exact: 'certified'` (candidates, growth, tries). */
  certified?: CertifiedSearchOptions;
  /**
   * Two-stage search: candidates from the quantized index (`VectorIndex({ quantize })`), re-ranked exactly
   * (docs/two-stage-search.md). `where` applies before the candidates are taken.
   */
  rerank?: RerankOptions;
  /** Approximate (index) search with these settings for this query only: `{ efSearch: 100, iterativeScan: 'relaxed_order' }`. */
  approximate?: SearchSettings;
  /** The column's pgvector type; read from the entity metadata when omitted. */
  type?: VectorType;
  /** Last-minute changes to the QueryBuilder (joins, more conditions). Its alias is `'item'`. Not with `rerank` or certified. */
  modify?: (qb: SelectQueryBuilder<T>) => void;
}

const ALIAS = 'item';
const DISTANCE_ALIAS = 'vecpg_distance';

/** The column's pgvector type: from vecpg's transformer, else TypeORM's `vector`/`halfvec`/`bit` type. */
export function columnTypeOf<T extends ObjectLiteral>(repository: Repository<T>, property: string): VectorType {
  const column = repository.metadata.findColumnWithPropertyPath(property);
  if (!column)
    throw new VecpgError('INVALID_OPTION', `${repository.metadata.name} has no column ${describeValue(property)}`);
  const type = vecpgColumnType(column) ?? (typeof column.type === 'string' ? column.type : undefined);
  if (type === undefined || !(VECTOR_TYPES as readonly string[]).includes(type)) {
    throw new VecpgError(
      'INVALID_OPTION',
      `${repository.metadata.name}.${property} is not a pgvector column (type ${describeValue(column.type)})`,
    );
  }
  return type as VectorType;
}

/**
 * The `k` entities nearest to `query`, nearest first, each with its distance (with `maxDistance` and no
 * `k`: every entity under the threshold).
 *
 * @example
 * const hits = await vectorSearch(dataSource.getRepository(ScienceData), {
 *   column: 'features', query: new SparseVector({ 0: 5.1, 42: 1.0 }, 10000), distance: 'cosine', k: 10,
 * });
 * const fast = await vectorSearch(repo, { column: 'embedding', query, distance: 'l2', approximate: { efSearch: 100 } });
 */
export async function vectorSearch<T extends ObjectLiteral>(
  repository: Repository<T>,
  options: VectorSearchOptions<T> & { exact: 'certified' },
): Promise<CertifiedRows<WithDistance<T>>>;
export async function vectorSearch<T extends ObjectLiteral>(
  repository: Repository<T>,
  options: VectorSearchOptions<T>,
): Promise<Array<WithDistance<T>>>;
export async function vectorSearch<T extends ObjectLiteral>(
  repository: Repository<T>,
  options: VectorSearchOptions<T>,
): Promise<Array<WithDistance<T>>> {
  const { mode, valid } = searchModeOf(options);
  const { limit: k, exact, settings: approximate, maxDistance } = valid;
  assertRegistered(repository.manager.connection);
  const settings = approximate;
  const type = options.type ?? columnTypeOf(repository, options.column);
  const likeId = checkLikeOptions(options);
  if (mode !== 'plain') return coreSearch(repository, options, mode, valid, type);
  const like = likeId === undefined ? undefined : likeRowOf(repository, options.column, options.idColumn);
  // likeId: the stored row's vector as a subquery of this statement (an InitPlan); TypeORM binds the id.
  const d =
    like === undefined
      ? vectorDistance(`${ALIAS}.${options.column}`, options.distance, options.query!, { type, param: 'vecpg_query' })
      : likeDistance(`${ALIAS}.${options.column}`, type, options.distance, like.row, likeId!);

  // The distance is selected as the very expression the search orders by (`(…) + 0` when exact, which no
  // vector index serves; the plain distance, which the index can serve, when approximate). TypeORM binds a
  // named parameter once however often it appears, so both are the same `$1` and PostgreSQL, matching the
  // ORDER BY to the select-list entry, computes each distance once per row.
  const ordered = exact ? d.exactSql : d.sql;
  const run = (manager: EntityManager): Promise<Array<WithDistance<T>>> => {
    const qb = manager
      .getRepository<T>(repository.metadata.target)
      .createQueryBuilder(ALIAS)
      .addSelect(ordered, DISTANCE_ALIAS)
      .setParameters(d.parameters);
    if (options.where !== undefined) qb.andWhere(options.where);
    if (like !== undefined) qb.andWhere(likeConditionsSql(like.row, `:${LIKE_PARAM}`).join(' AND '));
    if (maxDistance !== undefined) qb.andWhere(`${d.sql} < :vecpg_max_distance`, { vecpg_max_distance: maxDistance });
    options.modify?.(qb);
    qb.orderBy(ordered);
    if (k !== undefined) qb.limit(k);
    return getManyWithDistance(qb, DISTANCE_ALIAS);
  };

  const rows = exact
    ? await run(repository.manager)
    : await repository.manager.transaction(async (manager) => {
        await applySearchSettings(
          (text, values) => manager.query(text, [...values]),
          settings,
          repository.manager.connection,
        );
        return run(manager);
      });
  if (like !== undefined && rows.length === 0) {
    await explainNoLikeRow(typeormExecutor(repository.manager), like.row, like.names, likeId!);
  }
  return rows;
}

const LIKE_PARAM = 'vecpg_like_id';

/** The quoted table, vector column and id column of `likeId`, from the entity's metadata. */
function likeRowOf<T extends ObjectLiteral>(
  repository: Repository<T>,
  property: string,
  idProperty: string | undefined,
): { row: LikeRowSql; names: LikeRowNames } {
  const metadata = repository.metadata;
  const column = metadata.findColumnWithPropertyPath(property)!;
  const named =
    idProperty === undefined
      ? undefined
      : { name: idProperty, column: metadata.findColumnWithPropertyPath(idProperty) };
  const id = likeIdColumn(metadata.name, metadata.primaryColumns, named);
  const table = metadata.tablePath;
  return {
    row: {
      table: quoteQualified(table.split('.')),
      column: quoteIdent(column.databaseName),
      id: quoteIdent(id.databaseName),
    },
    names: { table, column: column.databaseName, idColumn: id.propertyPath },
  };
}

/** `<column> <op> (SELECT … WHERE id = :vecpg_like_id)`, as {@link vectorDistance} returns it. */
function likeDistance(column: string, type: VectorType, distance: DistanceName, row: LikeRowSql, likeId: RowId) {
  const sql = distanceSql(column, type, distance, likeVectorSql(row, `:${LIKE_PARAM}`));
  return {
    sql,
    exactSql: exactOrderSql(sql),
    parameters: { [LIKE_PARAM]: typeof likeId === 'bigint' ? likeId.toString() : likeId },
  };
}

/**
 * `rerank` and `exact: 'certified'`: the core's statements over this Repository's connection, the host's
 * where compiled by TypeORM (see core-search.ts), the rows hydrated into entities.
 */
async function coreSearch<T extends ObjectLiteral>(
  repository: Repository<T>,
  options: VectorSearchOptions<T>,
  mode: 'rerank' | 'certified',
  valid: ValidSearch,
  type: VectorType,
): Promise<Array<WithDistance<T>>> {
  if (options.modify !== undefined) {
    throw new VecpgError('UNSUPPORTED', `modify is not applied to a ${mode} search (its statement is vecpg's)`, {
      details: { option: 'modify' },
    });
  }
  const db = typeormDb(repository.manager);
  const core: CoreSearch = {
    table: tableOf(repository),
    column: columnOf(repository, options.column)!,
    query: options.query!,
    distance: valid.distance,
    type,
    k: valid.limit,
    where: hostFilter(repository, options.where, mode === 'certified'),
    select: '*',
  };
  const toEntities = (rows: Array<Row & { distance: number }>) => {
    const entities = hydrate(repository, rows);
    return entities.map((entity, i) => ({ entity, distance: Number(rows[i]!.distance) }));
  };
  if (mode === 'rerank') return toEntities(await runRerank(db, core, options.rerank!, options.approximate));
  const rows = await runCertified(db, { ...core, maxDistance: valid.maxDistance }, options.certified);
  return carryCertificate(toEntities(rows), rows);
}
