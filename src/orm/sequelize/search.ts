/**
 * Nearest-neighbour search in Sequelize's idiom: `findAll` with the distance as an extra attribute.
 * Exact by default (vecpg's exact ordering: the true top-k whatever indexes the table has);
 * approximate on request, with pgvector's settings applied by `set_config(…, true)` (`SET LOCAL`) in
 * a transaction, so they never leak to other queries on the pooled connection.
 */
import {
  type FindAttributeOptions,
  type FindOptions,
  type Model,
  type ModelStatic,
  Op,
  literal,
  where,
  type WhereOptions,
  QueryTypes,
} from 'sequelize';
import { VecpgError } from '../../errors.ts';
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
import type { VectorInput } from '../../sql/params.ts';
import type { DistanceName, VectorType } from '../../sql/operators.ts';
import type { Row } from '../../sql/executor.ts';
import { type SearchSettings, applySearchSettings } from '../../sql/settings.ts';
import { vectorDistance } from './distance.ts';
import { sequelizeExecutor } from './migrations.ts';
import { PgvectorDataType } from './types.ts';
import { hostFilter, hydrate, sequelizeDb, tableOf } from './core-search.ts';
import type { ValidSearch } from '../../sql/search-options.ts';
import type { CertifiedRows, CertifiedSearchOptions } from '../../sql/certified-search.ts';
import type { RerankOptions } from '../../sql/rerank.ts';
import { type CoreSearch, carryCertificate, runCertified, runRerank, searchModeOf } from '../search-modes.ts';

/** A model instance and its distance to the query vector. */
export interface WithDistance<M> {
  instance: M;
  distance: number;
}

/** Options of {@link vectorSearch}. */
export interface VectorSearchOptions<M extends Model> {
  /** The vector attribute (`'embedding'`). */
  column: string;
  /** The query vector: array, Vector, HalfVector, SparseVector, Bit or 0/1 string. Give this or `likeId`. */
  query?: VectorInput;
  /** "More like this": the stored row with this id is the query (read by the same statement) and is left out. */
  likeId?: RowId;
  /** The id attribute for `likeId` (default: the model's primary key). */
  idColumn?: string;
  distance: DistanceName;
  /** How many rows: default 10, or every row under `maxDistance` when that is given without `k`. */
  k?: number;
  /** Keep only rows whose distance is strictly below this. */
  maxDistance?: number;
  /** Extra filter, as for `findAll`: `{ category: 'news' }`. */
  where?: WhereOptions<M['_attributes']>;
  /**
   * Exact unless false (or unless `approximate` is given). `'certified'`: the same exact top-k, found by
   * scanning the compact columns of `addCertifiedColumnsSql` and proven per query; the array carries its
   * `certificate` (docs/certified-search.md).
   */
  exact?: boolean | 'certified';
  /** Tuning of `exact: 'certified'` (candidates, growth, tries). */
  certified?: CertifiedSearchOptions;
  /**
   * Two-stage search: candidates from the quantized index (`vectorIndex({ quantize })`), re-ranked exactly
   * (docs/two-stage-search.md). `where` applies before the candidates are taken.
   */
  rerank?: RerankOptions;
  /** Approximate (index) search with these settings for this query only: `{ efSearch: 100 }`. */
  approximate?: SearchSettings;
  /** Other `findAll` options (`attributes`, `include`, `transaction`…); with `rerank` or certified, `transaction` only. */
  findOptions?: Omit<FindOptions<M['_attributes']>, 'where' | 'order' | 'limit' | 'bind'>;
}

const DISTANCE = 'vecpg_distance';

type Projection = [ReturnType<typeof vectorDistance>['literal'], string];

/** The caller's attributes plus the distance. */
function withDistance(attributes: FindAttributeOptions | undefined, distance: Projection): FindAttributeOptions {
  if (attributes === undefined) return { include: [distance] };
  if (Array.isArray(attributes)) return [...attributes, distance];
  return { ...attributes, include: [...(attributes.include ?? []), distance] };
}

/**
 * The `k` rows nearest to `query`, nearest first, each with its distance (with `maxDistance` and no `k`:
 * every row under the threshold).
 *
 * @example
 * const hits = await vectorSearch(ScienceData, { column: 'features', query: target, distance: 'cosine', k: 10 });
 * hits[0].instance.get('name'); hits[0].distance;
 */
export async function vectorSearch<M extends Model>(
  model: ModelStatic<M>,
  options: VectorSearchOptions<M> & { exact: 'certified' },
): Promise<CertifiedRows<WithDistance<M>>>;
export async function vectorSearch<M extends Model>(
  model: ModelStatic<M>,
  options: VectorSearchOptions<M>,
): Promise<Array<WithDistance<M>>>;
export async function vectorSearch<M extends Model>(
  model: ModelStatic<M>,
  options: VectorSearchOptions<M>,
): Promise<Array<WithDistance<M>>> {
  const { mode, valid } = searchModeOf(options);
  const { limit: k, exact, settings: approximate, maxDistance } = valid;
  const settings = approximate;
  const attribute = model.getAttributes()[options.column as keyof M['_attributes']];
  const dataType = attribute?.type;
  if (!(dataType instanceof PgvectorDataType)) {
    throw new VecpgError(
      'INVALID_OPTION',
      `${model.name}.${options.column} is not a vecpg column (declare it with VECTOR, HALFVEC, SPARSEVEC or BIT)`,
    );
  }
  const type: VectorType = dataType.vectorType;
  const likeId = checkLikeOptions(options);
  const column = attribute.field ?? options.column;
  if (mode !== 'plain') return coreSearch(model, options, mode, valid, type, column);
  const like = likeId === undefined ? undefined : likeRowOf(model, column, options.idColumn);
  // likeId: the stored row's vector as a subquery of this statement (an InitPlan); Sequelize binds the id.
  const d =
    like === undefined
      ? vectorDistance([model.name, column], options.distance, options.query!, { type, bind: 'vecpg_query' })
      : likeDistance(quoteQualified([model.name, column]), type, options.distance, like.row, likeId!);
  const conditions: unknown[] = [];
  if (like !== undefined) conditions.push(literal(likeConditionsSql(like.row, `$${LIKE_BIND}`).join(' AND ')));
  if (options.where !== undefined) conditions.push(options.where);
  if (maxDistance !== undefined) conditions.push(d.below(maxDistance));
  const base = options.findOptions ?? {};
  // The distance is selected as the very expression the search orders by (`(…) + 0` when exact, which no
  // vector index serves; the plain distance, which the index can serve, when approximate): Sequelize then
  // orders by that attribute's alias, and PostgreSQL computes each distance once per row.
  const ordered = exact ? d.exact : d.literal;
  const find = (transaction: FindOptions['transaction']): Promise<M[]> =>
    model.findAll({
      ...base,
      attributes: withDistance(base.attributes, [ordered, DISTANCE]),
      ...(conditions.length > 0 ? { where: { [Op.and]: conditions } as WhereOptions } : {}),
      order: [[ordered, 'ASC']],
      ...(k === undefined ? {} : { limit: k }),
      bind: d.bind,
      ...(transaction ? { transaction } : {}),
    });
  let rows: M[];
  if (exact) rows = await find(base.transaction);
  else {
    const sequelize = model.sequelize!;
    rows = await sequelize.transaction(async (transaction) => {
      await applySearchSettings(
        (text, values) =>
          sequelize.query<Row>(text, { bind: [...values], transaction, raw: true, type: QueryTypes.SELECT }),
        settings,
        sequelize,
      );
      return find(transaction);
    });
  }
  if (like !== undefined && rows.length === 0) {
    await explainNoLikeRow(sequelizeExecutor(model.sequelize!), like.row, like.names, likeId!);
  }
  return rows.map((instance) => ({ instance, distance: Number(instance.get(DISTANCE)) }));
}

const LIKE_BIND = 'vecpg_like_id';

/** The quoted table, vector column and id column of `likeId`, from the model. */
function likeRowOf<M extends Model>(
  model: ModelStatic<M>,
  column: string,
  idAttribute: string | undefined,
): { row: LikeRowSql; names: LikeRowNames } {
  const attributes = model.getAttributes() as Record<string, { field?: string; primaryKey?: boolean }>;
  const primary = Object.keys(attributes).filter((a) => attributes[a]?.primaryKey === true);
  const named =
    idAttribute === undefined
      ? undefined
      : { name: idAttribute, column: attributes[idAttribute] === undefined ? undefined : idAttribute };
  const id = likeIdColumn(model.name, primary, named);
  const table = model.getTableName() as string | { tableName: string; schema?: string };
  const parts =
    typeof table === 'string' ? [table] : table.schema ? [table.schema, table.tableName] : [table.tableName];
  const idField = attributes[id]?.field ?? id;
  return {
    row: { table: quoteQualified(parts), column: quoteIdent(column), id: quoteIdent(idField) },
    names: { table: parts.join('.'), column, idColumn: id },
  };
}

/** The distance to the stored row, shaped as {@link vectorDistance}'s result. */
function likeDistance(target: string, type: VectorType, distance: DistanceName, row: LikeRowSql, likeId: RowId) {
  const sql = distanceSql(target, type, distance, likeVectorSql(row, `$${LIKE_BIND}`));
  const expr = literal(sql);
  return {
    literal: expr,
    exact: literal(exactOrderSql(sql)),
    bind: { [LIKE_BIND]: typeof likeId === 'bigint' ? likeId.toString() : likeId },
    sql,
    below: (max: number) => where(expr, Op.lt, max),
  };
}

/**
 * `rerank` and `exact: 'certified'`: the core's statements on the model's Sequelize (in
 * `findOptions.transaction` when given), the where compiled by Sequelize (see core-search.ts), the rows
 * built into instances.
 */
async function coreSearch<M extends Model>(
  model: ModelStatic<M>,
  options: VectorSearchOptions<M>,
  mode: 'rerank' | 'certified',
  valid: ValidSearch,
  type: VectorType,
  column: string,
): Promise<Array<WithDistance<M>>> {
  const { transaction, ...others } = options.findOptions ?? {};
  const other = Object.keys(others)[0];
  if (other !== undefined) {
    throw new VecpgError(
      'UNSUPPORTED',
      `findOptions.${other} is not applied to a ${mode} search (its statement is vecpg's); findOptions takes transaction only`,
      { details: { option: `findOptions.${other}` } },
    );
  }
  const db = sequelizeDb(model, transaction ?? undefined);
  const core: CoreSearch = {
    table: tableOf(model),
    column,
    query: options.query!,
    distance: valid.distance,
    type,
    k: valid.limit,
    where: hostFilter(model, options.where, mode === 'certified'),
    select: '*',
  };
  const toInstances = (rows: Array<Row & { distance: number }>) => {
    const instances = hydrate(model, rows);
    return instances.map((instance, i) => ({ instance, distance: Number(rows[i]!.distance) }));
  };
  if (mode === 'rerank') return toInstances(await runRerank(db, core, options.rerank!, options.approximate));
  const rows = await runCertified(db, { ...core, maxDistance: valid.maxDistance }, options.certified);
  return carryCertificate(toInstances(rows), rows);
}
