/** docs/hybrid-search.md's example (examples/hybrid-search.ts), run on the walkthrough's documents table. */
import { expect, it, vi } from 'vitest';
import { findDocuments } from '../../examples/hybrid-search.ts';
import { describeEachTarget } from '../support/db.ts';
import { expectDocBlocksIn } from '../support/doc-blocks.ts';

it('docs/hybrid-search.md shows the example as it runs', async () => {
  await expectDocBlocksIn('docs/hybrid-search.md', 'examples/hybrid-search.ts', { languages: ['ts'], minBlocks: 1 });
});

describeEachTarget('hybrid search example', (db) => {
  it('finds the passage with the words and the one with the meaning', async () => {
    await db().query('CREATE TABLE documents (id int PRIMARY KEY, content text, embedding vector(3))');
    const docs: [number, string, string][] = [
      [1, 'Exact similarity search reads every row.', '[1,0,0]'],
      [2, 'A cookbook of soups.', '[0.9,0.1,0]'],
      [3, 'Vector similarity search with an HNSW index.', '[0,0,1]'],
      [4, 'Gardening in spring.', '[0,1,0]'],
    ];
    for (const [id, content, e] of docs) {
      await db().query('INSERT INTO documents VALUES ($1, $2, $3::vector)', [id, content, e]);
    }
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const rows = await findDocuments(db(), [1, 0, 0]);
      // Cosine ranks 1, 2, 3/4; the words "vector" AND the phrase "similarity search" match only row 3.
      // RRF: row 1 = 1/61, row 3 = 1/(60+3 or 4) + 1/61 > row 1: the passage with the words comes first.
      expect(rows.map((r) => r.id)).toEqual([3, 1, 2, 4]);
      expect(rows[0]!.textRank).toBe(1);
      expect(rows[1]!.textRank).toBeNull();
      expect(log).toHaveBeenCalledTimes(4);
    } finally {
      log.mockRestore();
    }
  });
});
