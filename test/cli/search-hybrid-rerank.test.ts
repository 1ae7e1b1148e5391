/**
 * `vecpg search --text` (hybrid) and `--rerank` (two-stage), on both targets. Expected rows come from the
 * library functions' own independent tests; here the CLI must give the same rows as the library and plain
 * SQL where it can (the re-rank with every row a candidate is the exact answer), and refuse bad flags.
 */
import { expect, it } from 'vitest';
import { describeEachCliTarget } from './harness.ts';

describeEachCliTarget('vecpg search --text and --rerank', (t) => {
  const ids = (stdout: string) => (JSON.parse(stdout) as { rows: Array<{ id: number }> }).rows.map((r) => Number(r.id));

  it('sets up documents with text and vectors', async () => {
    await t().sql([
      'CREATE TABLE docs (id int PRIMARY KEY, body text, embedding vector(3))',
      `INSERT INTO docs VALUES
        (1, 'Exact similarity search reads every row.', '[1,0,0]'),
        (2, 'A cookbook of soups.', '[0.9,0.1,0]'),
        (3, 'Vector similarity search with an HNSW index.', '[0,0,1]'),
        (4, 'Gardening in spring.', '[0,1,0]')`,
    ]);
  });

  it('--text fuses the vector and full-text rankings (RRF)', async () => {
    const r = await t().run([
      'search',
      '--table',
      'docs',
      '--query',
      '[1,0,0]',
      '--distance',
      'cosine',
      '--text',
      'vector "similarity search"',
      '--text-column',
      'body',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { mode: string; rows: Array<{ id: number; textRank: number | null }> };
    expect(out.mode).toBe('hybrid');
    // Row 3 is the only text match (rank 1) and 3rd by cosine: 1/61 + 1/63 beats row 1's 1/61.
    expect(ids(r.stdout)).toEqual([3, 1, 2, 4]);
    expect(out.rows[0]!.textRank).toBe(1);
    const none = await t().run([
      'search',
      '--table',
      'docs',
      '--query',
      '[1,0,0]',
      '--text',
      'the and of',
      '--text-column',
      'body',
    ]);
    expect(none.stdout).toContain('note: the text "the and of" has no searchable words');
  });

  it('--rerank binary with every row a candidate is the exact answer', async () => {
    await t().sql(`CREATE INDEX ON docs USING hnsw ((binary_quantize(embedding)::bit(3)) bit_hamming_ops)`);
    const exact = await t().run(['search', '--table', 'docs', '--query', '[0.2,0.1,0.9]', '-k', '3', '--json']);
    const rerank = await t().run([
      'search',
      '--table',
      'docs',
      '--query',
      '[0.2,0.1,0.9]',
      '-k',
      '3',
      '--rerank',
      'binary',
      '--candidates',
      '4',
      '--json',
    ]);
    expect(rerank.stderr).toBe('');
    expect(ids(rerank.stdout)).toEqual(ids(exact.stdout));
    expect((JSON.parse(rerank.stdout) as { mode: string }).mode).toBe('rerank-binary');
  });

  it.each([
    [['--text', 'x'], '--text needs --text-column'],
    [['--text-column', 'body'], '--text-column and --language apply with --text only'],
    [['--rerank', 'pq'], '--rerank must be binary or halfvec'],
    [['--candidates', '10'], '--candidates applies with --rerank only'],
    [['--rerank', 'binary', '--approximate'], 'drop --approximate'],
    [['--text', 'x', '--text-column', 'body', '--rerank', 'binary'], '--text and --rerank cannot be used together'],
  ])('%j is a usage error', async (flags, message) => {
    const r = await t().run(['search', '--table', 'docs', '--query', '[1,0,0]', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
