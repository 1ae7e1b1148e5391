/**
 * `vecpg search --filter` beyond equality and `--like-id`, on both targets: results compared with
 * hand-written SQL using pgvector's operator; and the one search contract as the CLI says it (the
 * library's message, with flags for option names, as a usage error).
 */
import { expect, it } from 'vitest';
import { validateSearchOptions } from 'vecpg/sql';
import { describeEachCliTarget } from './harness.ts';

describeEachCliTarget('vecpg search --filter and --like-id', (t) => {
  const json = (stdout: string) =>
    (JSON.parse(stdout) as { rows: Array<{ id: number; distance: number }> }).rows.map((r) => Number(r.id));
  const search = (...args: string[]) =>
    t().run(['search', '--table', 'items', '--column', 'embedding', '--json', ...args]); // l2 by default
  const sqlIds = async (sql: string) => (await t().sql(sql)).map((r) => Number(r.id));

  it('sets up rows with prices, tags and deletions', async () => {
    await t().sql([
      'CREATE TABLE items (id int PRIMARY KEY, price numeric, tag text, deleted_at timestamptz, embedding vector(3))',
      `INSERT INTO items SELECT i, (i * 37 % 100) / 4.0, (ARRAY['a', 'b', 'c,d', NULL])[i % 4 + 1],
         CASE WHEN i % 3 = 0 THEN now() END, ARRAY[sin(i), cos(i), (i % 7) / 7.0]::vector FROM generate_series(1, 60) i`,
    ]);
  });

  it.each([
    [['price<10'], 'price < 10'],
    [['price>=5', 'price<=20'], 'price >= 5 AND price <= 20'],
    [['tag in (a,b)'], "tag IN ('a', 'b')"],
    [["tag in ('c,d')"], "tag = 'c,d'"],
    [['tag not in (a)'], "tag <> 'a'"],
    [['deleted_at is null'], 'deleted_at IS NULL'],
    [['deleted_at is not null', 'tag!=b'], "deleted_at IS NOT NULL AND tag <> 'b'"],
    [['tag=\\N'], 'tag IS NULL'],
  ])('--filter %j is WHERE %s', async (filters, condition) => {
    const r = await search('--query', '[0.5,0.5,0.5]', '-k', '8', ...filters.flatMap((f) => ['--filter', f]));
    expect(r.stderr).toBe('');
    const expected = await sqlIds(
      `SELECT id FROM items WHERE ${condition} ORDER BY embedding <-> '[0.5,0.5,0.5]', id LIMIT 8`,
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(json(r.stdout)).toEqual(expected);
  });

  it('--like-id: the stored row is the query and is left out', async () => {
    const r = await search('--like-id', '12', '-k', '5', '--filter', 'price<20');
    expect(r.stderr).toBe('');
    const expected = await sqlIds(
      `SELECT id FROM items WHERE id <> 12 AND price < 20
       ORDER BY embedding <-> (SELECT embedding FROM items WHERE id = 12), id LIMIT 5`,
    );
    expect(json(r.stdout)).toEqual(expected);
    expect(json(r.stdout)).not.toContain(12);
    await t().sql('CREATE TABLE named (name text PRIMARY KEY, embedding vector(3))');
    await t().sql("INSERT INTO named SELECT 'n' || id, embedding FROM items");
    const named = await t().run([
      'search',
      '--table',
      'named',
      '--like-id',
      'n7',
      '--id-column',
      'name',
      '-k',
      '3',
      '--json',
    ]);
    expect(named.stderr).toBe('');
    const names = (JSON.parse(named.stdout) as { rows: Array<{ name: string }> }).rows.map((row) => row.name);
    const want = await t().sql(
      `SELECT name FROM named WHERE name <> 'n7' ORDER BY embedding <-> (SELECT embedding FROM named WHERE name = 'n7'), name LIMIT 3`,
    );
    expect(names).toEqual(want.map((row) => row.name));
  });

  it('--like-id errors: a missing id names the table and --id-column; --query with --like-id is a usage error', async () => {
    const missing = await search('--like-id', '4242');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[NOT_FOUND]');
    expect(missing.stderr).toContain(
      'likeId: no row of items has id = "4242" (is the id in another column? name it with --id-column)',
    );
    const both = await search('--like-id', '1', '--query', '[1,0,0]');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--query and --like-id cannot be used together');
  });

  it('the search contract: the library message in flag terms, as a usage error', async () => {
    const libraryMessage = (options: Parameters<typeof validateSearchOptions>[0]): string => {
      try {
        validateSearchOptions(options);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    for (const [flags, options, from, to] of [
      [['-k', '0'], { distance: 'l2', k: 0 }, /^k /, '-k '],
      [['-k', '1.5'], { distance: 'l2', k: 1.5 }, /^k /, '-k '],
      [['--max-distance=NaN'], { distance: 'l2', maxDistance: Number.NaN }, /^maxDistance/, '--max-distance'],
      [
        ['--max-distance=-1', '--distance', 'cosine'],
        { distance: 'cosine', maxDistance: -1 },
        /^maxDistance/,
        '--max-distance',
      ],
    ] as const) {
      const r = await search('--query', '[1,0,0]', ...flags);
      expect(r.code, r.stderr).toBe(2);
      const message = libraryMessage(options);
      expect(message).not.toBe('no error');
      expect(r.stderr).toContain(message.replace(from, to));
    }
    // ip distances are negative: a negative threshold is a real question there
    const ip = await search('--query', '[1,0,0]', '--distance', 'ip', '--max-distance=-0.5');
    expect(ip.code, ip.stderr).toBe(0);
    const expected = await sqlIds(
      `SELECT id FROM items WHERE embedding <#> '[1,0,0]' < -0.5 ORDER BY embedding <#> '[1,0,0]', id`,
    );
    expect(json(ip.stdout)).toEqual(expected);
  });
});
