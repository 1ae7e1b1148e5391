/**
 * Hybrid search (vector distance + full text, fused with Reciprocal Rank Fusion) on a Drizzle table:
 * the columns are Drizzle's, the filter is Drizzle's own `where`, the rows come back as Drizzle returns
 * the table's rows, plus `score`, `vectorRank`, `textRank` and `distance`. The statement is the core's
 * (`hybridSearch` in src/sql/hybrid.ts).
 */
import type { Column, SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core';
import { VecpgError, describeValue } from '../../errors.ts';
import {
  type HybridFields,
  type HybridRows,
  hybridSearch as coreHybridSearch,
  type HybridFusionOptions,
} from '../../sql/hybrid.ts';

import { columnVectorType } from './distance.ts';
import { drizzleDb, mapRows, tableName, whereFilter } from './search.ts';

/** Options of {@link hybridSearch}. */
export interface HybridSearchOptions<TTable extends PgTable> extends HybridFusionOptions {
  table: TTable;
  /** The vector column of `table`. */
  column: Column;
  /** A `text` column of `table`, or a stored `tsvector` column. */
  textColumn: Column;
  /** Drizzle's own filter, applied to both sides before they rank: `eq(docs.category, 'x')`. */
  where?: SQL | undefined;
}

/** A row of the table plus what hybrid search adds. */
export type HybridSearchRow<TTable extends PgTable> = TTable['$inferSelect'] & HybridFields;

const FIELDS = ['score', 'vectorRank', 'textRank', 'distance'];

/**
 * Rows ranked by a vector distance and by full-text search, fused with Reciprocal Rank Fusion, in one
 * statement. Each row is the table's row plus `score`, `vectorRank` and `textRank` (1-based, `null` where
 * that side did not find it) and `distance`; the array's `note` says when the text had no searchable words.
 *
 * @example
 * const rows = await hybridSearch(db, { table: documents, column: documents.embedding, query, distance: 'cosine',
 *   text: 'postgres vector search', textColumn: documents.body, where: eq(documents.category, 'docs'), k: 5 });
 */
export async function hybridSearch<TTable extends PgTable>(
  db: PgDatabase<PgQueryResultHKT, Record<string, unknown>>,
  options: HybridSearchOptions<TTable>,
): Promise<HybridRows<TTable['$inferSelect']>> {
  for (const option of ['column', 'textColumn'] as const) {
    const column = options[option] as Column | undefined;
    if (column === null || typeof column !== 'object' || typeof column.name !== 'string') {
      throw new VecpgError('INVALID_OPTION', `${option} must be a column of the table, got ${describeValue(column)}`, {
        details: { option },
      });
    }
  }
  const { table, column, textColumn, where, ...rest } = options;
  const type = columnVectorType(column);
  const raw = await coreHybridSearch(drizzleDb(db), {
    ...rest,
    table: tableName(table),
    column: column.name,
    textColumn: textColumn.name,
    ...(type === undefined ? {} : { type }),
    ...(where === undefined ? {} : { where: whereFilter(db, where)! }),
  });
  const rows = mapRows<HybridSearchRow<TTable>>(table, raw, FIELDS);
  Object.defineProperty(rows, 'note', { value: raw.note, enumerable: false });
  return rows as HybridRows<TTable['$inferSelect']>;
}
