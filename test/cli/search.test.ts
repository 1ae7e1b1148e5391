import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Vector, cosineDistance, l2Distance } from 'vecpg';
import { describeEachCliTarget } from './harness.ts';

// Nine hand-picked rows; the expected orders are computed below with vecpg's client-side
// distances and checked against the server's own operator values.
const ROWS: Array<[number, string, number[]]> = [
  [1, 'a', [1, 0, 0]],
  [2, 'a', [0.9, 0.1, 0]],
  [3, 'b', [0, 1, 0]],
  [4, 'b', [0.7, 0.7, 0]],
  [5, 'a', [0, 0, 1]],
  [6, 'b', [0.5, 0.4, 0.1]],
  [7, 'a', [-1, 0, 0]],
  [8, 'b', [0.3, 0.3, 0.9]],
  [9, 'a', [2, 0.1, 0.1]],
];

function bruteForce(
  query: number[],
  distance: (a: Vector, b: Vector) => number,
  filter?: string,
): Array<[number, number]> {
  const q = new Vector(query);
  return ROWS.filter(([, c]) => filter === undefined || c === filter)
    .map(([id, , v]): [number, number] => [id, distance(new Vector(v), q)])
    .sort((x, y) => x[1] - y[1] || x[0] - y[0]);
}

describeEachCliTarget('vecpg search', (t) => {
  it('sets up the table with an HNSW and an IVFFlat index present', async () => {
    await t().sql([
      'CREATE TABLE items (id int PRIMARY KEY, category text, embedding vector(3))',
      ...ROWS.map(([id, c, v]): [string, unknown[]] => [
        'INSERT INTO items VALUES ($1, $2, $3::vector)',
        [id, c, new Vector(v).toSql()],
      ]),
      'CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops)',
      'CREATE INDEX ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 3)',
      'ANALYZE items',
    ]);
    const n = await t().sql('SELECT count(*)::int AS n FROM items');
    expect(n[0]?.n).toBe(9);
  });

  it('pattern 1+2: orders by distance and shows it (exact, cosine) — the true top-k', async () => {
    const r = await t().run([
      'search',
      '--table',
      'items',
      '--column',
      'embedding',
      '--query',
      '[1,0.2,0]',
      '--distance',
      'cosine',
      '-k',
      '4',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      mode: string;
      rows: Array<{ id: number; distance: number; embedding?: unknown }>;
    };
    expect(out.mode).toBe('exact');
    const expected = bruteForce([1, 0.2, 0], cosineDistance).slice(0, 4);
    expect(out.rows.map((row) => row.id)).toEqual(expected.map(([id]) => id));
    // the distances are the server's own <=> values
    const server = await t().sql([["SELECT id, embedding <=> '[1,0.2,0]' AS d FROM items ORDER BY d LIMIT 4", []]]);
    out.rows.forEach((row, i) => expect(row.distance).toBeCloseTo(Number(server[i]?.d), 6));
    expect(out.rows[0]).not.toHaveProperty('embedding');
  });

  it('pattern 3: --max-distance keeps only closer rows, --filter adds equality filters (l2, exact with IVFFlat present)', async () => {
    const r = await t().run([
      'search',
      '--table',
      'items',
      '--column',
      'embedding',
      '--query',
      '[1,0,0]',
      '--distance',
      'l2',
      '--max-distance',
      '0.8',
      '--filter',
      'category=a',
      '-k',
      '10',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.stdout) as { rows: Array<{ id: number }> }).rows.map((row) => row.id);
    const expected = bruteForce([1, 0, 0], l2Distance, 'a')
      .filter(([, d]) => d < 0.8)
      .map(([id]) => id);
    expect(expected).toEqual([1, 2]); // hand check: ids 1 (0) and 2 (~0.141); 9 is 1.01 away
    expect(ids).toEqual(expected);
  });

  it('reads the query from @file and prints a table by default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vecpg-q-'));
    await writeFile(join(dir, 'q.txt'), '[0, 0, 1]\n');
    const r = await t().run(
      [
        'search',
        '--table',
        'items',
        '--column',
        'embedding',
        '--query',
        '@q.txt',
        '-k',
        '2',
        '--select',
        'id,category',
      ],
      { cwd: dir },
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+category\s+distance$/);
    expect(lines[2]).toMatch(/^\s*5\s+a\s+0$/); // [0,0,1] itself, l2 distance 0
    expect(lines[3]).toMatch(/^\s*8\s+b\s+0\.43589$/); // l2([0.3,0.3,0.9],[0,0,1]) = sqrt(0.19) = 0.43589
    expect(r.stdout).toContain('(2 rows, exact l2');
  });

  it('refuses a query of the wrong length, naming both sizes', async () => {
    const r = await t().run(['search', '--table', 'items', '--column', 'embedding', '--query', '[1,2]']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[DIMENSION_MISMATCH]');
    expect(r.stderr).toContain('vector(3)');
  });

  it('refuses unknown flags and bad values with a usage hint (exit 2)', async () => {
    const r = await t().run(['search', '--table', 'items', '--colum', 'embedding']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown flag --colum: did you mean --column?');
    expect(r.stderr).toContain('Usage: vecpg search');
    const k = await t().run(['search', '--table', 'items', '--column', 'embedding', '--query', '[1,0,0]', '-k', '0']);
    expect(k.code).toBe(2);
    // The library's one search validator, in the flag's words.
    expect(k.stderr).toContain('-k must be an integer >= 1, got 0');
    const ef = await t().run([
      'search',
      '--table',
      'items',
      '--column',
      'embedding',
      '--query',
      '[1,0,0]',
      '--ef-search',
      '10',
    ]);
    expect(ef.code).toBe(2);
    expect(ef.stderr).toContain('--ef-search only applies with --approximate');
  });

  it('names a missing column', async () => {
    const r = await t().run(['search', '--table', 'items', '--column', 'nope', '--query', '[1,0,0]']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[INVALID_VALUE]');
    expect(r.stderr).toContain('"nope" does not exist');
  });
});

describeEachCliTarget('vecpg search --approximate with a filter', (t) => {
  it('returns fewer than k rows without iterative scan and k rows with it', async () => {
    await t().sql([
      'SELECT setseed(0.25)',
      'CREATE TABLE docs (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(16))',
      `INSERT INTO docs SELECT i, CASE WHEN i % 4 = 0 THEN 1 ELSE 2 END,
         (SELECT array_agg(random())::vector(16) FROM generate_series(1, 16) g WHERE i > 0) FROM generate_series(1, 5000) i`,
      'CREATE INDEX ON docs USING hnsw (embedding vector_l2_ops)',
      'ANALYZE docs',
    ]);
    const base = [
      'search',
      '--table',
      'docs',
      '--column',
      'embedding',
      '--query',
      `[${Array(16).fill(0.5).join(',')}]`,
      '-k',
      '10',
      '--filter',
      'tenant=1',
      '--select',
      'id',
      '--json',
    ];
    const exact = JSON.parse((await t().run(base)).stdout) as { rows: unknown[] };
    expect(exact.rows).toHaveLength(10);
    const off = await t().run([...base, '--approximate', '--ef-search', '10', '--iterative-scan', 'off']);
    expect(off.code).toBe(0);
    expect((JSON.parse(off.stdout) as { rows: unknown[] }).rows.length).toBeLessThan(10);
    const relaxed = await t().run([...base, '--approximate', '--ef-search', '10', '--iterative-scan', 'relaxed']);
    expect((JSON.parse(relaxed.stdout) as { rows: unknown[] }).rows).toHaveLength(10);
  });
});

it('search --help lists every flag search accepts', async () => {
  const { runCli } = await import('./harness.ts');
  const { COMMON_OPTIONS, SEARCH_SETTING_OPTIONS, VECTOR_SEARCH_OPTIONS } = await import('../../src/cli/args.ts');
  const help = await runCli(['search', '--help'], {});
  expect(help.code).toBe(0);
  const flags = Object.keys({ ...COMMON_OPTIONS, ...VECTOR_SEARCH_OPTIONS, ...SEARCH_SETTING_OPTIONS }).filter(
    (f) => f !== 'help',
  );
  expect(flags.filter((f) => !help.stdout.includes(f.length === 1 ? `-${f} ` : `--${f}`))).toEqual([]);
});
