/**
 * docs/bulk-insert.md: its example is examples/bulk-insert.ts, run here on PGlite and the server, through
 * the targets the doc's table names (a pg Pool, a PGlite instance, Drizzle's `db.$client`).
 */
import type { PGlite } from '@electric-sql/pglite';
import type { Pool } from 'pg';
import { expect, it } from 'vitest';
import { insertDocuments } from '../../examples/bulk-insert.ts';
import { describeEachTarget } from '../support/db.ts';
import { expectDocBlocksIn } from '../support/doc-blocks.ts';

it('docs/bulk-insert.md shows the example as it runs', async () => {
  await expectDocBlocksIn('docs/bulk-insert.md', 'examples/bulk-insert.ts', { languages: ['ts'], minBlocks: 1 });
});

describeEachTarget('bulk insert example', (db, target) => {
  it('inserts 10,000 documents through Drizzle’s $client, readable with 0-based sparse indices', async () => {
    await db().query(
      `CREATE TABLE documents (id bigint PRIMARY KEY, content text, embedding vector(4), sparse_embedding sparsevec(10000))`,
    );
    const drizzle =
      target === 'pglite'
        ? (await import('drizzle-orm/pglite')).drizzle({ client: db().raw as PGlite })
        : (await import('drizzle-orm/node-postgres')).drizzle({ client: db().raw as Pool });
    expect(await insertDocuments(drizzle.$client)).toBe(10_000);
    const rows = await db().query<{ n: unknown; e: unknown; s: unknown }>(
      `SELECT count(*) AS n, (SELECT embedding::text FROM documents WHERE id = 10) AS e,
              (SELECT sparse_embedding::text FROM documents WHERE id = 10) AS s FROM documents`,
    );
    // Row id 10 is i = 9: embedding [9 % 7, 1, 2, 3]; sparse {0: 5.5, 9: 1.2} → text indices 1 and 10.
    expect(rows[0]).toEqual({ n: target === 'pglite' ? 10000 : '10000', e: '[2,1,2,3]', s: '{1:5.5,10:1.2}/10000' });
  });
});
