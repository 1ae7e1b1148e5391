/**
 * Hybrid search (vector distance + full text, fused with Reciprocal Rank Fusion) with Knex (and
 * Objection, which runs on it): columns by name, the filter as a Knex `where` callback, rows as Knex
 * returns them plus `score`, `vectorRank`, `textRank` and `distance`. The statement is the core's
 * (`hybridSearch` in src/sql/hybrid.ts).
 */
import type { Knex } from 'knex';
import { type HybridRows, hybridSearch as coreHybridSearch, type HybridFusionOptions } from '../../sql/hybrid.ts';
import { unqualifiedName } from '../../sql/identifiers.ts';
import type { VectorType } from '../../sql/operators.ts';

import type { ColumnRef } from './distance.ts';
import { knexDb, whereFilter } from './search.ts';

/** Options of {@link hybridSearch}. */
export interface HybridSearchOptions extends HybridFusionOptions {
  /** The table (Knex's table name syntax: `'schema.table'`). */
  table: string;
  /** The vector column. */
  column: ColumnRef;
  /** The column type, when the value alone does not say. */
  type?: VectorType;
  /** A `text` column, or a stored `tsvector` column. */
  textColumn: string;
  /** Columns to return besides the scores (default `*`). */
  select?: readonly string[];
  /** Your own filters on the query builder, applied to both sides: `(qb) => qb.where('tenant_id', 3)`. */
  where?: (qb: Knex.QueryBuilder) => void;
}

/**
 * Rows ranked by a vector distance and by full-text search, fused with Reciprocal Rank Fusion, in one
 * statement: each row plus `score`, `vectorRank` and `textRank` (1-based, `null` where that side did not
 * find it) and `distance`; the array's `note` says when the text had no searchable words.
 *
 * @example
 * const rows = await hybridSearch(knex, { table: 'documents', column: 'embedding', query, distance: 'cosine',
 *   text: 'postgres vector search', textColumn: 'body', where: (qb) => qb.where('category', 'docs'), k: 5 });
 */
export async function hybridSearch<R extends Record<string, unknown> = Record<string, unknown>>(
  knex: Knex,
  options: HybridSearchOptions,
): Promise<HybridRows<R>> {
  const { table, column, where, select, ...rest } = options;
  const filter = whereFilter(knex, table, where);
  return coreHybridSearch<R>(knexDb(knex), {
    ...rest,
    table: table.split('.'),
    column: unqualifiedName(column),
    ...(select === undefined ? {} : { select }),
    ...(filter === undefined ? {} : { where: filter }),
  });
}
