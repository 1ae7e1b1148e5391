/**
 * `exportTable(…, { out: FILE })` and `vecpg export --out FILE` never leave FILE changed after a
 * failure (it used to be truncated to 0 bytes before the export failed), never leave a partial or
 * temporary file behind, and replace an existing FILE only when asked (`overwrite` / `--force`).
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LoadTarget, exportTable } from 'vecpg/load';
import { describeEachCliTarget } from '../cli/harness.ts';
import { createServerDatabase, describeEachTarget } from '../support/db.ts';
import { codeOfRejection } from '../support/errors.ts';

const PRECIOUS = 'yesterday’s export, still needed\n';
let tmp: string;
let dir: string;
let n = 0;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vecpg-export-atomic-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describeEachTarget('export writes FILE whole or not at all', (db) => {
  const target = (): LoadTarget => db().raw as LoadTarget;
  let file: string;

  beforeAll(async () => {
    await db().query('CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))');
    await db().query('INSERT INTO items SELECT i, ARRAY[i, 1, 2]::real[]::vector FROM generate_series(1, 3000) i');
    await db().query('CREATE TABLE sparse_items (id int PRIMARY KEY, features sparsevec(5))');
    await db().query("INSERT INTO sparse_items VALUES (1, '{1:1}/5')");
    // A relation whose rows fail part-way through: the first FETCHes succeed (and are written), a later one fails.
    await db().query(
      `CREATE VIEW failing AS SELECT id, CASE WHEN id < 2500 THEN embedding ELSE (1 / (id - id))::text::vector END AS embedding FROM items`,
    );
  });

  beforeEach(async () => {
    dir = join(tmp, `case-${n++}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    file = join(dir, 'out.jsonl');
    await writeFile(file, PRECIOUS);
  });

  async function expectUntouched(): Promise<void> {
    expect(await readFile(file, 'utf8')).toBe(PRECIOUS);
    expect(await readdir(dir)).toEqual(['out.jsonl']); // no temporary file left
  }

  it('a missing table leaves FILE as it was', async () => {
    const code = await codeOfRejection(
      exportTable(target(), { table: 'no_such_table', format: 'jsonl', out: file, overwrite: true }),
    );
    expect(code).toBe('INVALID_OPTION');
    await expectUntouched();
  });

  it('an unsupported type (npy of a sparsevec) leaves FILE as it was', async () => {
    const code = await codeOfRejection(
      exportTable(target(), { table: 'sparse_items', format: 'npy', out: file, overwrite: true }),
    );
    expect(code).toBe('UNSUPPORTED');
    await expectUntouched();
  });

  it('a statement failing after rows were written leaves FILE as it was', async () => {
    const code = await codeOfRejection(
      exportTable(target(), {
        table: 'failing',
        column: 'embedding',
        format: 'jsonl',
        out: file,
        overwrite: true,
        batchRows: 500,
      }),
    );
    expect(code).toBe('QUERY_FAILED');
    await expectUntouched();
  });

  it('an existing FILE is refused without overwrite, and replaced whole with it', async () => {
    expect(await codeOfRejection(exportTable(target(), { table: 'items', format: 'jsonl', out: file }))).toBe(
      'FILE_EXISTS',
    );
    await expectUntouched();
    const done = await exportTable(target(), { table: 'items', format: 'jsonl', out: file, overwrite: true });
    expect(done.rows).toBe(3000);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(3000);
    expect(JSON.parse(lines[2999]!)).toEqual({ id: 3000, embedding: [3000, 1, 2] });
    expect(await readdir(dir)).toEqual(['out.jsonl']);
  });
});

describeEachCliTarget('vecpg export --out FILE', (t) => {
  beforeAll(async () => {
    await t().sql([
      'CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))',
      "INSERT INTO items VALUES (1, '[1,2,3]'), (2, '[4,5,6]')",
    ]);
  });

  it('refuses an existing FILE without --force, keeps it on failure, replaces it with --force', async () => {
    dir = join(tmp, `cli-${n++}`);
    await mkdir(dir);
    const file = join(dir, 'out.jsonl');
    await writeFile(file, PRECIOUS);

    const refused = await t().run(['export', '--table', 'items', '--format', 'jsonl', '--out', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FILE_EXISTS');
    expect(refused.stderr).toContain('--force');
    const missing = await t().run(['export', '--table', 'nope', '--format', 'jsonl', '--out', file, '--force']);
    expect(missing.code).toBe(1);
    expect(await readFile(file, 'utf8')).toBe(PRECIOUS);
    expect(await readdir(dir)).toEqual(['out.jsonl']);

    const forced = await t().run(['export', '--table', 'items', '--format', 'jsonl', '--out', file, '--force']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('{"id":1,"embedding":[1,2,3]}\n{"id":2,"embedding":[4,5,6]}\n');
    expect(await readdir(dir)).toEqual(['out.jsonl']);
  });
});

describe.runIf(process.env.DATABASE_URL)('export over a connection that is lost half-way [server]', () => {
  it('leaves FILE as it was', async () => {
    const server = await createServerDatabase();
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: server.url, max: 1 });
    pool.on('error', () => undefined); // the terminated client is reported here too
    try {
      await pool.query('CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))');
      await pool.query('INSERT INTO items SELECT i, ARRAY[i, 1, 2]::real[]::vector FROM generate_series(1, 3000) i');
      // Row 2500 terminates the exporting backend itself: a real lost connection after rows were written.
      await pool.query(
        `CREATE VIEW dying AS SELECT id, CASE WHEN id = 2500 AND pg_terminate_backend(pg_backend_pid()) THEN NULL ELSE embedding END AS embedding FROM items`,
      );
      dir = join(tmp, `lost-${n++}`);
      await mkdir(dir);
      const file = join(dir, 'out.jsonl');
      await writeFile(file, PRECIOUS);
      const error = await exportTable(pool, {
        table: 'dying',
        column: 'embedding',
        format: 'jsonl',
        out: file,
        overwrite: true,
        batchRows: 500,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      expect(await readFile(file, 'utf8')).toBe(PRECIOUS);
      expect(await readdir(dir)).toEqual(['out.jsonl']);
    } finally {
      await pool.end().catch(() => undefined);
      await server.drop();
    }
  });
});
