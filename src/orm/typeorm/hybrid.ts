/**
 * Hybrid search (vector distance + PostgreSQL full text, fused with Reciprocal Rank Fusion) for a TypeORM
 * Repository: the core's one statement (`hybridSearch`), the entity's property names, TypeORM's where,
 * entities back.
 */
import type { Brackets, ObjectLiteral, Repository } from 'typeorm';
import { VecpgError, describeValue } from '../../errors.ts';
import { type HybridFields, hybridSearch as coreHybridSearch, type HybridFusionOptions } from '../../sql/hybrid.ts';
import type { VectorType } from '../../sql/operators.ts';

import { columnOf, hostFilter, hydrate, tableOf, typeormDb } from './core-search.ts';
import { assertRegistered } from './register.ts';
import { columnTypeOf } from './search.ts';

/** Options of {@link hybridSearch}. */
export interface HybridSearchOptions extends HybridFusionOptions {
  /** The vector property (`'embedding'`). */
  column: string;
  /** The text property searched: a `text`/`varchar` column, or a stored `tsvector` column. */
  textColumn: string;
  /** Filter, as for `QueryBuilder.andWhere` (alias `'item'`): applied to both sides before they rank. */
  where?: Brackets | ObjectLiteral;
  /** The column's pgvector type; read from the entity metadata when omitted. */
  type?: VectorType;
}

/** An entity with its fused score, both ranks (1-based, `null` where that side did not find it) and distance. */
export interface HybridResult<T> extends HybridFields {
  entity: T;
}

/** The results, best first; `note` says when the text had no searchable words (vector side alone). */
export type HybridResults<T> = Array<HybridResult<T>> & { readonly note: string | undefined };

/**
 * The `k` entities ranked best by vector distance and full-text search together (Reciprocal Rank Fusion),
 * in one statement.
 *
 * @example
 * const hits = await hybridSearch(dataSource.getRepository(Doc), { column: 'embedding', query, distance: 'cosine',
 *   text: 'postgres vector search', textColumn: 'body', where: { category: 'guide' }, k: 5 });
 * hits[0].entity.title; hits[0].score; hits[0].textRank;
 */
export async function hybridSearch<T extends ObjectLiteral>(
  repository: Repository<T>,
  options: HybridSearchOptions,
): Promise<HybridResults<T>> {
  assertRegistered(repository.manager.connection);
  const type = options.type ?? columnTypeOf(repository, options.column);
  const textColumn = columnOf(repository, options.textColumn);
  if (textColumn === undefined) {
    throw new VecpgError(
      'INVALID_OPTION',
      `${repository.metadata.name} has no column ${describeValue(options.textColumn)} to search text in`,
      { details: { option: 'textColumn' } },
    );
  }
  const { column, textColumn: _text, where: hostWhere, type: _type, ...rest } = options;
  const where = hostFilter(repository, hostWhere);
  const rows = await coreHybridSearch(typeormDb(repository.manager), {
    ...rest,
    table: tableOf(repository),
    column: columnOf(repository, column)!,
    textColumn,
    type,
    select: '*',
    ...(where === undefined ? {} : { where }),
  });
  const entities = hydrate(repository, rows);
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
