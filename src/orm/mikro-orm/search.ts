/**
 * Similarity search in MikroORM's idiom: a QueryBuilder ordered by distance, each entity returned
 * with its distance — exact by default (true top-k even with an index), or approximate with
 * query-time settings `SET LOCAL` inside `em.transactional`.
 */
import { type EntityName, type FilterQuery, raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { quoteIdent, quoteIdentWithoutQuestionMarks } from '../../sql/identifiers.ts';
import {
  type LikeRowNames,
  type LikeRowSql,
  type RowId,
  checkLikeOptions,
  explainNoLikeRow,
  likeConditionsSql,
  likeIdColumn,
  likeVectorSql,
  likeVectorType,
} from '../../sql/like.ts';
import type { VectorInput } from '../../sql/params.ts';
import type { DistanceName, VectorType } from '../../sql/operators.ts';
import { type SearchSettings, withSearchSettingsFor } from '../../sql/settings.ts';
import { vectorDistance } from './distance.ts';
import { entityManagerOf, wrapMikroOrm } from './executor.ts';
import { columnInfo, hostFilter, hydrate, mikroDb, tableOf } from './core-search.ts';
import type { ValidSearch } from '../../sql/search-options.ts';
import type { CertifiedRows, CertifiedSearchOptions } from '../../sql/certified-search.ts';
import type { RerankOptions } from '../../sql/rerank.ts';
import type { Row } from '../../sql/executor.ts';
import { type CoreSearch, carryCertificate, runCertified, runRerank, searchModeOf } from '../search-modes.ts';

/** Options of {@link vectorSearch}. */
export interface VectorSearchOptions<T> {
  /** The vector column (database column name). */
  column: string;
  /** The query vector: array, Vector, HalfVector, SparseVector, Bit or 0/1 string. Give this or `likeId`. */
  query?: VectorInput;
  /** "More like this": the stored row with this id is the query (read by the same statement) and is left out. */
  likeId?: RowId;
  /** The id property for `likeId` (default: the entity's primary key). */
  idColumn?: string;
  distance: DistanceName;
  /** The column type when the value alone does not say (a plain array against a halfvec column). */
  type?: VectorType;
  /** How many: default 10, or every row under `maxDistance` when that is given without `k`. */
  k?: number;
  /** Your filter, as for `em.find`. */
  where?: FilterQuery<T>;
  /** Keep rows whose distance is below this (strictly). */
  maxDistance?: number;
  /**
   * Exact by default; `false` (or `approximate`) lets an HNSW/IVFFlat index serve the search.
   * `'certified'`: the same exact top-k, found by scanning the compact columns of `addCertifiedColumnsSql`
   * and proven per query; the array carries its `certificate` (docs/certified-search.md).
   */
  exact?: boolean | 'certified';
  /** Tuning of `exact: 'certified'` (candidates, growth, tries). */
  certified?: CertifiedSearchOptions;
  /**
   * Two-stage search: candidates from the quantized index (`vectorIndex({ quantize })`), re-ranked exactly
   * (docs/two-stage-search.md). `where` applies before the candidates are taken.
   */
  rerank?: RerankOptions;
  /** Approximate search with these settings, applied with `SET LOCAL` to this query only. */
  approximate?: SearchSettings;
}

/** The distance's column in the search's select list (not a name an entity's table uses). */
const DISTANCE_ALIAS = '__vecpg_distance';

/** One result: the entity (managed by the EntityManager) and its distance. */
export interface SearchResult<T> {
  entity: T;
  distance: number;
}

/**
 * The `k` nearest entities, nearest first, with their distances (with `maxDistance` and no `k`: every
 * entity under the threshold).
 *
 * @example
 * const hits = await vectorSearch(em, ScienceData, { column: 'features', query: target, distance: 'cosine', k: 10 });
 * hits[0].entity.name; hits[0].distance;
 * await vectorSearch(em, ScienceData, { column: 'features', query: target, distance: 'cosine', approximate: { efSearch: 100 } });
 */
export async function vectorSearch<T extends object>(
  em: EntityManager,
  entityName: EntityName<T>,
  options: VectorSearchOptions<T> & { exact: 'certified' },
): Promise<CertifiedRows<SearchResult<T>>>;
export async function vectorSearch<T extends object>(
  em: EntityManager,
  entityName: EntityName<T>,
  options: VectorSearchOptions<T>,
): Promise<Array<SearchResult<T>>>;
export async function vectorSearch<T extends object>(
  em: EntityManager,
  entityName: EntityName<T>,
  options: VectorSearchOptions<T>,
): Promise<Array<SearchResult<T>>> {
  const { column, query, distance, where } = options;
  const { mode, valid } = searchModeOf(options);
  const { limit: k, exact, settings, maxDistance } = valid;
  const likeId = checkLikeOptions(options);
  if (mode !== 'plain') return coreSearch(em, entityName, options, mode, valid);
  const like =
    likeId === undefined ? undefined : likeRowOf(em, entityName as EntityName<object>, column, options.idColumn);
  // likeId: the stored row's vector as a subquery of this statement (an InitPlan); MikroORM binds the id.
  const likeParam = typeof likeId === 'bigint' ? likeId.toString() : likeId;
  const base =
    like === undefined
      ? options.type === undefined
        ? {}
        : { type: options.type }
      : {
          type: options.type ?? likeVectorType(distance),
          against: { sql: likeVectorSql(like.row, '?'), params: [likeParam] },
        };

  const run = async (tem: EntityManager): Promise<Array<SearchResult<T>>> => {
    const qb = tem.createQueryBuilder(entityName);
    // The distance is selected as the very expression the search orders by (`(…) + 0` when exact, which
    // no vector index serves; the plain distance, which the index can serve, when approximate), and ORDER
    // BY names that select-list entry, so PostgreSQL computes each distance once per row: repeating the
    // expression would bind the query vector again, as a new parameter, and compute it twice.
    qb.select('*').addSelect(vectorDistance(column, distance, query, { ...base, exact }).as(DISTANCE_ALIAS));
    if (where !== undefined) qb.where(where);
    if (like !== undefined) qb.andWhere(likeConditionsSql(like.row, '?').join(' AND '), [likeParam, likeParam]);
    if (maxDistance !== undefined)
      qb.andWhere({ [vectorDistance(column, distance, query, base)]: { $lt: maxDistance } } as FilterQuery<T>);
    qb.orderBy({ [raw(quoteIdent(DISTANCE_ALIAS))]: 'asc' });
    if (k !== undefined) qb.limit(k);
    const rows = await qb.execute<Array<Record<string, unknown>>>('all', false);
    return rows.map((row) => {
      const { [DISTANCE_ALIAS]: d, ...data } = row;
      return { entity: tem.map(entityName, data as never), distance: Number(d) };
    });
  };

  const results = exact
    ? await run(em)
    : await withSearchSettingsFor(wrapMikroOrm(em), settings, (tx) => run(entityManagerOf(tx)), em.getConnection());
  if (like !== undefined && results.length === 0) {
    await explainNoLikeRow(wrapMikroOrm(em), like.row, like.names, likeId!);
  }
  return results;
}

/** The quoted table, vector column and id column of `likeId`, from the entity's metadata. */
function likeRowOf(
  em: EntityManager,
  entityName: EntityName<object>,
  column: string,
  idProperty: string | undefined,
): { row: LikeRowSql; names: LikeRowNames } {
  const meta = em.getMetadata().get(entityName as never);
  const fieldOf = (property: string) => meta.properties[property as never]?.fieldNames?.[0];
  const primary = meta.primaryKeys.map((k) => String(k));
  const named =
    idProperty === undefined
      ? undefined
      : { name: idProperty, column: fieldOf(idProperty) === undefined ? undefined : idProperty };
  const id = likeIdColumn(meta.className, primary, named);
  const parts = meta.schema === undefined || meta.schema === '*' ? [meta.tableName] : [meta.schema, meta.tableName];
  const q = quoteIdentWithoutQuestionMarks;
  return {
    row: { table: parts.map(q).join('.'), column: q(column), id: q(fieldOf(id) ?? id) },
    names: { table: parts.join('.'), column, idColumn: id },
  };
}

/**
 * `rerank` and `exact: 'certified'`: the core's statements on the EntityManager (inside its transaction
 * when there is one), the where compiled by MikroORM's QueryBuilder (see core-search.ts), the rows mapped
 * to managed entities.
 */
async function coreSearch<T extends object>(
  em: EntityManager,
  entityName: EntityName<T>,
  options: VectorSearchOptions<T>,
  mode: 'rerank' | 'certified',
  valid: ValidSearch,
): Promise<Array<SearchResult<T>>> {
  const db = mikroDb(em);
  const core: CoreSearch = {
    table: tableOf(em, entityName),
    column: options.column,
    query: options.query!,
    distance: valid.distance,
    type: options.type ?? columnInfo(em, entityName, options.column).vectorType,
    k: valid.limit,
    where: hostFilter(em, entityName, options.where, mode === 'certified'),
    select: '*',
  };
  const toEntities = (rows: Array<Row & { distance: number }>) => {
    const entities = hydrate(em, entityName, rows);
    return entities.map((entity, i) => ({ entity, distance: Number(rows[i]!.distance) }));
  };
  if (mode === 'rerank') return toEntities(await runRerank(db, core, options.rerank!, options.approximate));
  const rows = await runCertified(db, { ...core, maxDistance: valid.maxDistance }, options.certified);
  return carryCertificate(toEntities(rows), rows);
}
