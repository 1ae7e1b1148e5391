/**
 * `npm start` (examples/quickstart.ts) against a database that already holds the user's own tables:
 * it once ran `DROP TABLE IF EXISTS documents, …` wherever it was pointed. Now it works in a schema of
 * its own (vecpg_demo), refuses a vecpg_demo it did not create, and leaves everything else alone.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openDefaultDatabase } from 'vecpg/pglite';
import { createServerDatabase, type ServerDatabase } from '../support/db.ts';
import { ROOT } from '../support/paths.ts';

const run = promisify(execFile);

async function npmStart(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _url, VECPG_HOME: _home, ...rest } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], {
      cwd: ROOT,
      env: { ...rest, ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** What both targets must show: the walkthrough ran to the end and its exact results are pgvector's. */
function expectWalkthrough(stdout: string): void {
  expect(stdout).toContain('tables go in schema "vecpg_demo"');
  // Sample A = {0: 5.5, 42: 1.2}, target = {0: 5.1, 42: 1.0}: inner product 5.5·5.1 + 1.2·1.0 = 29.25.
  expect(stdout).toMatch(/annotated: Sample A=-29\.2500, Sample B=-26\.6000, Sample C=0\.0000, Sample D=28\.0500/);
  expect(stdout).toMatch(/approximate recall@10 over 20 queries: \d+(\.\d)?%/);
}

describe.runIf(process.env.DATABASE_URL)('npm start against a server database with the user’s own tables', () => {
  let server: ServerDatabase;
  afterAll(async () => {
    await server?.drop();
  });

  it(
    'keeps the user’s documents and science_data, and is rerunnable with the same rows',
    { timeout: 240_000 },
    async () => {
      server = await createServerDatabase();
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        await client.query('CREATE TABLE documents (id int PRIMARY KEY, body text)');
        await client.query("INSERT INTO documents SELECT i, 'mine ' || i FROM generate_series(1, 135) i");
        await client.query('CREATE TABLE science_data (x int)');
        await client.query('INSERT INTO science_data VALUES (7)');

        const first = await npmStart({ DATABASE_URL: server.url });
        expect(first.stderr).toBe('');
        expect(first.code).toBe(0);
        expectWalkthrough(first.stdout);
        const rowsOnce = await client.query(
          "SELECT md5(string_agg(embedding::text, ',' ORDER BY id)) AS h FROM vecpg_demo.ann_demo",
        );
        const second = await npmStart({ DATABASE_URL: server.url });
        expect(second.code).toBe(0);
        const rowsTwice = await client.query(
          "SELECT md5(string_agg(embedding::text, ',' ORDER BY id)) AS h FROM vecpg_demo.ann_demo",
        );
        // The IVFFlat demo's rows are identical on every run (its recall may move: see the walkthrough's note).
        expect(rowsTwice.rows[0].h).toBe(rowsOnce.rows[0].h);

        const mine = await client.query('SELECT count(*)::int AS n, min(body) AS b FROM public.documents');
        expect(mine.rows[0]).toEqual({ n: 135, b: 'mine 1' });
        const other = await client.query('SELECT x FROM public.science_data');
        expect(other.rows).toEqual([{ x: 7 }]);
      } finally {
        await client.end();
      }
    },
  );

  it('refuses a vecpg_demo schema it did not create, and drops nothing', async () => {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query('DROP SCHEMA vecpg_demo CASCADE');
      await client.query('CREATE SCHEMA vecpg_demo');
      await client.query('CREATE TABLE vecpg_demo.keep (id int)');
      await client.query('INSERT INTO vecpg_demo.keep VALUES (1), (2)');
      const result = await npmStart({ DATABASE_URL: server.url });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('schema "vecpg_demo" already exists and was not created by this walkthrough');
      const kept = await client.query('SELECT count(*)::int AS n FROM vecpg_demo.keep');
      expect(kept.rows[0].n).toBe(2);
    } finally {
      await client.end();
    }
  });
});

describe('npm start on the embedded default database with the user’s own table', () => {
  let home: string | undefined;
  afterAll(async () => {
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('keeps the user’s documents table', { timeout: 240_000 }, async () => {
    home = await mkdtemp(join(tmpdir(), 'vecpg-start-'));
    let db = await openDefaultDatabase({ home });
    await db.query('CREATE TABLE documents (id int PRIMARY KEY, body text)');
    await db.query("INSERT INTO documents VALUES (1, 'mine'), (2, 'also mine')");
    await db.pglite.close();

    const result = await npmStart({ VECPG_HOME: home });
    expect(result.code).toBe(0);
    expectWalkthrough(result.stdout);

    db = await openDefaultDatabase({ home });
    try {
      const rows = await db.query<{ id: number; body: string }>('SELECT id, body FROM public.documents ORDER BY id');
      expect(rows).toEqual([
        { id: 1, body: 'mine' },
        { id: 2, body: 'also mine' },
      ]);
    } finally {
      await db.pglite.close();
    }
  });
});
