/**
 * The CLI a person types (issue 12, points 6 and 13–16): --max-distance returns every row under the
 * threshold, --column defaults to a table's only vector column, `vecpg init`, messages that name flags,
 * "did you mean", and the rejected lines of --on-error skip.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { TARGETS, createServerDatabase } from '../support/db.ts';
import { describeEachCliTarget, runCli } from './harness.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vecpg-first-'));
  // 0 in a 1-based libsvm file; a line-2 index equal to the dimension count in a 0-based JSONL file
  await writeFile(join(dir, 'zero.svm'), '1 0:1.5 2:2\n');
  await writeFile(join(dir, 'mixed.svm'), '1 1:1 2:2\n1 0:3\n1 3:1\n1 0:4 1:1\n');
  await writeFile(
    join(dir, 'sparse.jsonl'),
    '{"f": {"0": 1}}\n{"f": {"indices": [5], "values": [1], "dimensions": 5}}\n',
  );
  await writeFile(join(dir, 'data.vectors'), '[1,2,3]\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeEachCliTarget('vecpg first contact', (t) => {
  it('sets up 150 rows at l2 distances 1..150 from the origin, and a table with two vector columns', async () => {
    await t().sql([
      'CREATE TABLE many (id int PRIMARY KEY, body text, embedding vector(3))',
      "INSERT INTO many SELECT i, 'row ' || i, ARRAY[i, 0, 0]::vector FROM generate_series(1, 150) i",
      'CREATE TABLE two (id int, a vector(2), b vector(2))',
      "INSERT INTO two VALUES (1, '[1,1]', '[2,2]')",
    ]);
  });

  it('--max-distance without -k returns every row under the threshold (135, by SQL COUNT), -k limits it', async () => {
    const count = await t().sql("SELECT count(*)::int AS n FROM many WHERE embedding <-> '[0,0,0]' < 135.5");
    expect(count[0]?.n).toBe(135);
    // no --column: "many" has one vector column
    const r = await t().run(['search', '--table', 'many', '--query', '[0,0,0]', '--max-distance', '135.5', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { k: number | null; rows: Array<{ id: number; distance: number }> };
    expect(out.k).toBeNull();
    expect(out.rows).toHaveLength(135);
    expect(out.rows.map((x) => x.id)).toEqual(Array.from({ length: 135 }, (_, i) => i + 1));
    const limited = JSON.parse(
      (
        await t().run([
          'search',
          '--table',
          'many',
          '--query',
          '[0,0,0]',
          '--max-distance',
          '135.5',
          '-k',
          '20',
          '--json',
        ])
      ).stdout,
    ) as { k: number; rows: unknown[] };
    expect(limited.k).toBe(20);
    expect(limited.rows).toHaveLength(20);
    // without a threshold the default stays 10
    const plain = JSON.parse((await t().run(['search', '--table', 'many', '--query', '[0,0,0]', '--json'])).stdout) as {
      k: number;
      rows: unknown[];
    };
    expect(plain.k).toBe(10);
    expect(plain.rows).toHaveLength(10);
    const human = await t().run(['search', '--table', 'many', '--query', '[0,0,0]', '--max-distance', '135.5']);
    expect(human.stdout).toContain('(135 rows, exact l2');
  });

  it('--column defaults to the only vector column; with several the error lists them and names --column', async () => {
    const r = await t().run(['search', '--table', 'two', '--query', '[1,1]', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[INVALID_OPTION]');
    expect(r.stderr).toContain('2 vector columns (a, b)');
    expect(r.stderr).toContain('name the one to search with --column');
    const ok = await t().run(['search', '--table', 'two', '--column', 'b', '--query', '[2,2]', '--json']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { rows: Array<{ distance: number }> }).rows[0]?.distance).toBe(0);
    // index create and recall follow the same rule
    const idx = await t().run(['index', 'create', '--table', 'many', '--distance', 'l2', '--dry-run']);
    expect(idx.code).toBe(0);
    expect(idx.stdout).toContain('USING hnsw ("embedding" vector_l2_ops)');
    const idx2 = await t().run(['index', 'create', '--table', 'two', '--distance', 'l2', '--dry-run']);
    expect(idx2.code).toBe(1);
    expect(idx2.stderr).toContain('name the one to index with --column');
  });

  it('an unknown flag gets "did you mean"; a flag nothing resembles gets none', async () => {
    const r = await t().run(['search', '--table', 'many', '--colum', 'embedding', '--query', '[0,0,0]']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown flag --colum: did you mean --column?');
    const d = await t().run(['import', 'x.svm', '--table', 't', '--dimension', '5']);
    expect(d.stderr).toContain('unknown flag --dimension: did you mean --dimensions?');
    const e = await t().run(['index', 'create', '--table', 'many', '--distance', 'l2', '--concurently']);
    expect(e.stderr).toContain('did you mean --concurrently?');
    const none = await t().run(['search', '--zzzzzz']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('unknown flag --zzzzzz\n');
  });

  it('library errors shown by the CLI name the flag, not the option', async () => {
    const missing = await t().run(['import', 'zero.svm', '--table', 'nope'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist (use --create to create it)');
    const format = await t().run(['import', 'data.vectors', '--table', 'nope', '--create'], { cwd: dir });
    expect(format.stderr).toContain('[INVALID_OPTION]');
    expect(format.stderr).toContain('give --format (libsvm, mtx, jsonl, csv, tsv, npy, fvecs, bvecs, vec, word2vec)');
    const badFormat = await t().run(['import', 'data.vectors', '--table', 'nope', '--format', 'xyz'], { cwd: dir });
    expect(badFormat.stderr).toContain('--format takes one of libsvm');
    const type = await t().run(['import', 'zero.svm', '--table', 'z', '--create', '--dimensions', '5'], { cwd: dir });
    // Its only record is bad: --create reports that record's error (with its flag), not "give --type".
    expect(type.stderr).toContain('[IMPORT_FAILED]');
    expect(type.stderr).toContain('zero.svm:1:');
    expect(type.stderr).toContain('then say so with --index-base 0)');
    const zero = await t().run(
      ['import', 'zero.svm', '--table', 'z', '--create', '--type', 'sparsevec', '--dimensions', '5'],
      { cwd: dir },
    );
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain('[IMPORT_FAILED]');
    expect(zero.stderr).toContain('then say so with --index-base 0)');
    const dims = await t().run(
      [
        'import',
        'sparse.jsonl',
        '--table',
        'z',
        '--create',
        '--type',
        'sparsevec',
        '--column',
        'f',
        '--dimensions',
        '5',
      ],
      { cwd: dir },
    );
    expect(dims.stderr).toContain('then use --index-base 1)');
    for (const r of [missing, format, badFormat, type, zero, dims]) {
      expect(r.stderr).not.toMatch(/\b(create: true|indexBase|give format|use create)\b/);
    }
  });

  it('--on-error skip without --rejects prints the first rejected lines with their reasons', async () => {
    const r = await t().run(
      ['import', 'mixed.svm', '--table', 'mixed', '--create', '--dimensions', '5', '--on-error', 'skip'],
      { cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Loaded 2 rows');
    expect(r.stdout).toContain('2 rejected');
    expect(r.stdout).toMatch(/\n {2}line 2: \[INVALID_SPARSE_INDEX\] .*--index-base 0/);
    expect(r.stdout).toMatch(/\n {2}line 4: \[INVALID_SPARSE_INDEX\]/);
    const json = JSON.parse(
      (await t().run(['import', 'mixed.svm', '--table', 'mixed', '--on-error', 'skip', '--json'], { cwd: dir })).stdout,
    ) as {
      rejected: number;
      firstRejected: Array<{ line: number; code: string }>;
    };
    expect(json.rejected).toBe(2);
    expect(json.firstRejected.map((x) => [x.line, x.code])).toEqual([
      [2, 'INVALID_SPARSE_INDEX'],
      [4, 'INVALID_SPARSE_INDEX'],
    ]);
  });

  it('vecpg init reports the server and pgvector versions, installed and available', async () => {
    const truth = await t().sql(
      "SELECT current_setting('server_version') AS server, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS installed, (SELECT default_version FROM pg_available_extensions WHERE name = 'vector') AS available",
    );
    const r = await t().run(['init', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      server: truth[0]?.server,
      extension: { installed: truth[0]?.installed, available: truth[0]?.available, schema: 'public' },
      action: 'none',
      statements: [],
    });
    const human = await t().run(['init']);
    expect(human.stdout).toContain(`pgvector ${String(truth[0]?.installed)} installed in schema public`);
  });
});

describe.runIf(TARGETS.includes('server'))('vecpg on a server database of its own', () => {
  it('import --create stops at EXTENSION_MISSING naming vecpg init; init creates it; then the import works', async () => {
    const server = await createServerDatabase({ extension: false });
    try {
      const env = { DATABASE_URL: server.url };
      const failed = await runCli(
        ['import', 'zero.svm', '--table', 'docs', '--create', '--index-base', '0', '--dimensions', '5'],
        env,
        { cwd: dir },
      );
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('[EXTENSION_MISSING]');
      expect(failed.stderr).toContain('fix: vecpg init');

      const init = await runCli(['init', '--json'], env);
      expect(init.stderr).toBe('');
      expect(init.code).toBe(0);
      const report = JSON.parse(init.stdout) as {
        action: string;
        statements: string[];
        extension: { installed: string; available: string };
      };
      expect(report.action).toBe('created');
      expect(report.statements).toEqual(['CREATE EXTENSION IF NOT EXISTS vector']);
      expect(report.extension.installed).toBe(report.extension.available);
      const again = JSON.parse((await runCli(['init', '--json'], env)).stdout) as { action: string };
      expect(again.action).toBe('none');

      const ok = await runCli(
        ['import', 'zero.svm', '--table', 'docs', '--create', '--index-base', '0', '--dimensions', '5'],
        env,
        { cwd: dir },
      );
      expect(ok.stderr).toBe('');
      expect(ok.stdout).toContain('Loaded 1 rows');
    } finally {
      await server.drop();
    }
  }, 60_000);

  it('index create --concurrently prints its statement before the build (and on stderr with --json)', async () => {
    const server = await createServerDatabase();
    const pg = (await import('pg')).default;
    const blocker = new pg.Client({ connectionString: server.url });
    await blocker.connect();
    try {
      await blocker.query('CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))');
      await blocker.query('INSERT INTO items SELECT i, ARRAY[i, 1, 1]::vector FROM generate_series(1, 20) i');
      for (const json of [false, true]) {
        // An open writing transaction makes CREATE INDEX CONCURRENTLY wait before it builds anything.
        await blocker.query('BEGIN');
        await blocker.query("INSERT INTO items VALUES (1000 + $1::int, '[1,1,1]')", [json ? 1 : 0]);
        const out = new PassThrough();
        const err = new PassThrough();
        let stdout = '';
        let stderr = '';
        out.on('data', (c: Buffer) => (stdout += c.toString()));
        err.on('data', (c: Buffer) => (stderr += c.toString()));
        const name = json ? 'items_json_idx' : 'items_human_idx';
        const argv = [
          'index',
          'create',
          '--table',
          'items',
          '--distance',
          'l2',
          '--concurrently',
          '--name',
          name,
          ...(json ? ['--json'] : []),
        ];
        const running = main(argv, {
          stdout: out,
          stderr: err,
          env: { DATABASE_URL: server.url },
          cwd: dir,
          isTTY: false,
        });
        const shown = () => (json ? stderr : stdout);
        for (let i = 0; i < 100 && !shown().includes('CREATE INDEX CONCURRENTLY'); i++)
          await new Promise((r) => setTimeout(r, 50));
        // the build is still waiting for the open transaction, and the statement is already out
        expect(shown()).toContain(
          `CREATE INDEX CONCURRENTLY "${name}" ON "items" USING hnsw ("embedding" vector_l2_ops);`,
        );
        // the statement was out before the build could finish: the build is still waiting for our transaction
        let waiting = 0;
        for (let i = 0; i < 100 && waiting === 0; i++) {
          const phase = await blocker.query(
            "SELECT count(*)::int AS n FROM pg_stat_progress_create_index WHERE relid = 'items'::regclass",
          );
          waiting = Number(phase.rows[0]?.n);
          if (waiting === 0) await new Promise((r) => setTimeout(r, 50));
        }
        expect(waiting).toBe(1);
        expect(stdout).not.toContain('created index');
        await blocker.query('COMMIT');
        expect(await running).toBe(0);
        await new Promise((r) => setImmediate(r));
        if (json) {
          const doc = JSON.parse(stdout) as { name: string; created: boolean };
          expect(doc).toMatchObject({ name, created: true }); // stdout stays one JSON document
        } else {
          expect(stdout).toContain(`created index ${name}`);
          expect(stdout.indexOf('CREATE INDEX CONCURRENTLY')).toBeLessThan(stdout.indexOf('created index'));
        }
      }
    } finally {
      await blocker.end();
      await server.drop();
    }
  }, 60_000);

  it("init --update changes nothing when the database already uses the server's pgvector", async () => {
    const server = await createServerDatabase();
    try {
      const r = await runCli(['init', '--update', '--json'], { DATABASE_URL: server.url });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ action: 'none', statements: [], updateAvailable: false });
    } finally {
      await server.drop();
    }
  }, 60_000);
});
