/**
 * docs/hybrid-search.md's example, run by test/integration/hybrid-search-doc.test.ts on PGlite and the
 * server: the walkthrough's `documents` table searched by meaning and by words at once.
 */
import { hybridSearch, type VecpgDb } from 'vecpg';

export async function findDocuments(db: VecpgDb, embedding: number[]) {
  const rows = await hybridSearch<{ id: number; content: string }>(db, {
    table: 'documents',
    column: 'embedding',
    query: embedding, // the embedding of the user's question
    distance: 'cosine',
    text: 'vector "similarity search"', // the user's words, websearch_to_tsquery syntax
    textColumn: 'content', // a text column, or a stored tsvector column
    select: ['id', 'content'],
    k: 5,
  });
  for (const row of rows) {
    console.log(row.id, row.score.toFixed(4), row.vectorRank, row.textRank);
  }
  if (rows.note !== undefined) console.log(rows.note); // the text had no searchable words
  return rows;
}
