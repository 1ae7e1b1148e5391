/**
 * docs/bulk-insert.md's example, run by test/integration/bulk-insert-doc.test.ts against PGlite and the
 * server: rows from memory into the walkthrough's `documents` table with one binary COPY.
 */
import { SparseVector } from 'vecpg';
import { bulkInsert, type SessionTarget } from 'vecpg/load';

export async function insertDocuments(db: SessionTarget): Promise<number> {
  // Rows as your application holds them: arrays, typed arrays or vecpg values, plus ordinary columns.
  const rows = Array.from({ length: 10_000 }, (_, i) => ({
    id: i + 1,
    content: `document ${i + 1}`,
    embedding: [i % 7, 1, 2, 3],
    sparse_embedding: new SparseVector({ 0: 5.5, [i % 100]: 1.2 }, 10000),
  }));

  const result = await bulkInsert(db, 'documents', rows, {
    onProgress: (n) => console.error(`${n} rows`),
  });
  return result.rows; // 10000, all in one transaction: a bad value anywhere and nothing is written
}
