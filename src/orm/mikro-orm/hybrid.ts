/**
 * Hybrid search (vector distance + PostgreSQL full text, fused with Reciprocal Rank Fusion) on a MikroORM
 * EntityManager: the core's one statement (`hybridSearch`), MikroORM's `FilterQuery`, managed entities back.
 */
import type { EntityName, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { VecpgError, describeValue } from '../../errors.ts';
import { type HybridFields, hybridSearch as coreHybridSearch, type HybridFusionOptions } from '../../sql/hybrid.ts';
import type { VectorType } from '../../sql/operators.ts';

import { columnInfo, hostFilter, hydrate, mikroDb, tableOf } from './core-search.ts';

/** Options of {@link hybridSearch}. */
export interface HybridSearchOptions<T> extends HybridFusionOptions {
  /** The vector column (database column name, as in `vectorSearch`). */
  column: string;
  /** The column type when the property does not say (read from the vecpg property otherwise). */
  type?: VectorType;
  /** The text column searched (database column name): `text`/`varchar`, or a stored `tsvector`. */
  textColumn: string;
  /** Your filter, as for `em.find`: applied to both sides before they rank. */
  where?: FilterQuery<T>;
}

/** A managed entity with its fused score, both ranks (1-based, `null` where that side did not find it) and distance. */
export interface HybridResult<T> extends HybridFields {
  entity: T;
}

/** The results, best first; `note` says when the text had no searchable words (vector side alone). */
export type HybridResults<T> = Array<HybridResult<T>> & { readonly note: string | undefined };

/**
 * The `k` entities ranked best by vector distance and full-text search together (Reciprocal Rank
 * Fusion), in one statement.
 *
 * @example
 * const hits = await hybridSearch(em, Document, { column: 'embedding', query, distance: 'cosine',
 *   text: 'postgres vector search', textColumn: 'body', where: { category: 'guide' }, k: 5 });
 * hits[0].entity.title; hits[0].score; hits[0].textRank;
 */
export async function hybridSearch<T extends object>(
  em: EntityManager,
  entityName: EntityName<T>,
  options: HybridSearchOptions<T>,
): Promise<HybridResults<T>> {
  const text = columnInfo(em, entityName, options.textColumn);
  if (!text.exists) {
    throw new VecpgError(
      'INVALID_OPTION',
      `${text.entity} has no column ${describeValue(options.textColumn)} to search text in`,
      { details: { option: 'textColumn' } },
    );
  }
  const { where: hostWhere, type: given, ...rest } = options;
  const type = given ?? columnInfo(em, entityName, options.column).vectorType;
  const where = hostFilter(em, entityName, hostWhere);
  const rows = await coreHybridSearch(mikroDb(em), {
    ...rest,
    table: tableOf(em, entityName),
    ...(type === undefined ? {} : { type }),
    select: '*',
    ...(where === undefined ? {} : { where }),
  });
  const entities = hydrate(em, entityName, rows);
  const out = rows.map((row, i) => ({
    entity: entities[i]!,
    score: Number(row.score),
    vectorRank: row.vectorRank === null ? null : Number(row.vectorRank),
    textRank: row.textRank === null ? null : Number(row.textRank),
    distance: row.distance === null ? null : Number(row.distance),
  }));
  Object.defineProperty(out, 'note', { value: rows.note, enumerable: false });
  return out as HybridResults<T>;
}
