/**
 * Hybrid search (vector distance + full text, fused with Reciprocal Rank Fusion) on a table of your
 * Kysely `Database`: columns by name, the filter as a Kysely `where` callback, rows as `selectAll` returns
 * them plus `score`, `vectorRank`, `textRank` and `distance`. The statement is the core's (`hybridSearch`
 * in src/sql/hybrid.ts).
 */
import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool } from 'kysely';
import { type HybridRows, hybridSearch as coreHybridSearch, type HybridFusionOptions } from '../../sql/hybrid.ts';
import { quoteIdent } from '../../sql/identifiers.ts';
import type { VectorType } from '../../sql/operators.ts';

import { kyselyDb, whereFilter } from './search.ts';

/** Options of {@link hybridSearch}. */
export interface HybridSearchOptions<DB, TB extends keyof DB & string> extends HybridFusionOptions {
  /** A table of your `Database` (`'schema.table'` names a schema). */
  table: TB;
  /** The vector column of `table`. */
  column: keyof DB[TB] & string;
  /** The column's pgvector type when the value alone does not say. */
  type?: VectorType;
  /** A `text` column of `table`, or a stored `tsvector` column. */
  textColumn: keyof DB[TB] & string;
  /** Kysely's own filter, applied to both sides before they rank: `(eb) => eb('category', '=', 'x')`. */
  where?: (eb: ExpressionBuilder<DB, TB>) => Expression<SqlBool>;
}

/**
 * Rows ranked by a vector distance and by full-text search, fused with Reciprocal Rank Fusion, in one
 * statement: the table's row plus `score`, `vectorRank` and `textRank` (1-based, `null` where that side
 * did not find it) and `distance`; the array's `note` says when the text had no searchable words.
 *
 * @example
 * const rows = await hybridSearch(db, { table: 'documents', column: 'embedding', query, distance: 'cosine',
 *   text: 'postgres vector search', textColumn: 'body', where: (eb) => eb('category', '=', 'docs'), k: 5 });
 */
export async function hybridSearch<DB, TB extends keyof DB & string>(
  db: Kysely<DB>,
  options: HybridSearchOptions<DB, TB>,
): Promise<HybridRows<Selectable<DB[TB]>>> {
  const { table, where, ...rest } = options;
  const parts = String(table).split('.');
  for (const part of parts) quoteIdent(part);
  const filter = whereFilter(db, where);
  return coreHybridSearch<Selectable<DB[TB]> & Record<string, unknown>>(kyselyDb(db), {
    ...rest,
    table: parts,
    ...(filter === undefined ? {} : { where: filter }),
  });
}
