/**
 * Hybrid search (vector distance + PostgreSQL full text, fused with Reciprocal Rank Fusion) for a Sequelize
 * model: the core's one statement (`hybridSearch`), the model's attribute names, Sequelize's where,
 * instances back.
 */
import type { Model, ModelStatic, Transaction, WhereOptions } from 'sequelize';
import { VecpgError, describeValue } from '../../errors.ts';
import { type HybridFields, hybridSearch as coreHybridSearch, type HybridFusionOptions } from '../../sql/hybrid.ts';

import { fieldOf, hostFilter, hydrate, sequelizeDb, tableOf } from './core-search.ts';
import { PgvectorDataType } from './types.ts';

/** Options of {@link hybridSearch}. */
export interface HybridSearchOptions<M extends Model> extends HybridFusionOptions {
  /** The vector attribute (`'embedding'`). */
  column: string;
  /** The text attribute searched: a `TEXT`/`STRING` column, or a stored `tsvector` column. */
  textColumn: string;
  /** Filter, as for `findAll` (default scope and paranoid clause included): applied to both sides. */
  where?: WhereOptions<M['_attributes']>;
  /** Run in this transaction (without approximate settings, which get their own). */
  transaction?: Transaction;
}

/** An instance with its fused score, both ranks (1-based, `null` where that side did not find it) and distance. */
export interface HybridResult<M> extends HybridFields {
  instance: M;
}

/** The results, best first; `note` says when the text had no searchable words (vector side alone). */
export type HybridResults<M> = Array<HybridResult<M>> & { readonly note: string | undefined };

/**
 * The `k` instances ranked best by vector distance and full-text search together (Reciprocal Rank
 * Fusion), in one statement.
 *
 * @example
 * const hits = await hybridSearch(Doc, { column: 'embedding', query, distance: 'cosine',
 *   text: 'postgres vector search', textColumn: 'body', where: { category: 'guide' }, k: 5 });
 * hits[0].instance.get('title'); hits[0].score; hits[0].textRank;
 */
export async function hybridSearch<M extends Model>(
  model: ModelStatic<M>,
  options: HybridSearchOptions<M>,
): Promise<HybridResults<M>> {
  const dataType = model.getAttributes()[options.column as keyof M['_attributes']]?.type;
  if (!(dataType instanceof PgvectorDataType)) {
    throw new VecpgError(
      'INVALID_OPTION',
      `${model.name}.${options.column} is not a vecpg column (declare it with VECTOR, HALFVEC, SPARSEVEC or BIT)`,
    );
  }
  const textColumn = fieldOf(model, options.textColumn);
  if (textColumn === undefined) {
    throw new VecpgError(
      'INVALID_OPTION',
      `${model.name} has no attribute ${describeValue(options.textColumn)} to search text in`,
      { details: { option: 'textColumn' } },
    );
  }
  const { column, textColumn: _text, where: hostWhere, transaction, ...rest } = options;
  const where = hostFilter(model, hostWhere);
  const rows = await coreHybridSearch(sequelizeDb(model, transaction), {
    ...rest,
    table: tableOf(model),
    column: fieldOf(model, column)!,
    textColumn,
    type: dataType.vectorType,
    select: '*',
    ...(where === undefined ? {} : { where }),
  });
  const instances = hydrate(model, rows);
  const out = rows.map((row, i) => ({
    instance: instances[i]!,
    score: Number(row.score),
    vectorRank: row.vectorRank === null ? null : Number(row.vectorRank),
    textRank: row.textRank === null ? null : Number(row.textRank),
    distance: row.distance === null ? null : Number(row.distance),
  }));
  Object.defineProperty(out, 'note', { value: rows.note, enumerable: false });
  return out as HybridResults<M>;
}
