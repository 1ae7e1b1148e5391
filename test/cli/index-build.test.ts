/**
 * `vecpg index create` on a server: per-build settings (--maintenance-work-mem, --parallel-workers), the
 * memory estimate's warning, pgvector's own notice when the graph no longer fits, and Ctrl-C in a real
 * child process cancelling the CREATE INDEX on the server (pg_stat_activity shows nothing left running).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerDatabase, createServerDatabase } from '../support/db.ts';
import { runCli } from './harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Registered (and reported as skipped) without a server, so the file is never empty.
describe.runIf(Boolean(process.env.DATABASE_URL))('vecpg index create on a server (DATABASE_URL)', () => {
  let server: ServerDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    server = await createServerDatabase();
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query('CREATE TABLE small (id int PRIMARY KEY, embedding vector(32))');
    await client.query(
      'INSERT INTO small SELECT i, (SELECT array_agg(random())::vector(32) FROM generate_series(1, 32) g WHERE i > 0) FROM generate_series(1, 4000) i',
    );
    await client.query('ANALYZE small');
  });

  afterAll(async () => {
    await client?.end();
    await server?.drop();
  });

  it('--maintenance-work-mem applies to the build: the estimate warns with the figure, pgvector says the graph spilled', async () => {
    const r = await runCli(
      [
        'index',
        'create',
        '--table',
        'small',
        '--column',
        'embedding',
        '--distance',
        'l2',
        '--maintenance-work-mem',
        '1MB',
        '--parallel-workers',
        '0',
      ],
      { DATABASE_URL: server.url },
    );
    expect(r.code).toBe(0);
    // 4,000 × (136 + 31.6·16 + 177) bytes + 1.7 MB ≈ 5.0 MB, +5%, rounded up
    expect(r.stderr).toMatch(
      /warning: the HNSW graph of 4000 rows needs about 6MB of maintenance_work_mem but the build has 1 MB/,
    );
    expect(r.stderr).toContain('--maintenance-work-mem 6MB');
    expect(r.stderr).toMatch(
      /notice from PostgreSQL: hnsw graph no longer fits into maintenance_work_mem after \d+ tuples/,
    );
    // SET LOCAL: the server default is untouched for the next session
    expect((await client.query('SHOW maintenance_work_mem')).rows[0].maintenance_work_mem).toBe('64MB');
    await client.query('DROP INDEX small_embedding_hnsw_l2_idx');
  });

  it('with enough memory: no warning and no notice; --concurrently uses session settings and resets them', async () => {
    const r = await runCli(
      [
        'index',
        'create',
        '--table',
        'small',
        '--column',
        'embedding',
        '--distance',
        'l2',
        '--maintenance-work-mem',
        '64MB',
        '--concurrently',
        '--json',
      ],
      { DATABASE_URL: server.url },
    );
    // With --json only the statement goes to stderr (before the build): no warning, no notice.
    expect(r.stderr).toMatch(/^vecpg index: running CREATE INDEX CONCURRENTLY [^\n]*;\n$/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      created: boolean;
      notices: string[];
      memory: { availableBytes: number; neededBytes: number };
    };
    expect(out.created).toBe(true);
    expect(out.notices).toEqual([]);
    expect(out.memory.availableBytes).toBe(64 * 1024 * 1024);
    expect(out.memory.neededBytes).toBeLessThan(out.memory.availableBytes);
    const valid = await client.query(
      "SELECT indisvalid FROM pg_index WHERE indexrelid = 'small_embedding_hnsw_l2_idx'::regclass",
    );
    expect(valid.rows[0].indisvalid).toBe(true);
  });

  it('Ctrl-C during CREATE INDEX: the server statement is cancelled, the CLI waits, says so and exits 130', async () => {
    await client.query('CREATE TABLE slow (id int PRIMARY KEY, embedding vector(100))');
    await client.query(
      'INSERT INTO slow SELECT i, (SELECT array_agg(random())::vector(100) FROM generate_series(1, 100) g WHERE i > 0) FROM generate_series(1, 20000) i',
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'index',
        'create',
        '--table',
        'slow',
        '--column',
        'embedding',
        '--distance',
        'l2',
        '--m',
        '32',
        '--ef-construction',
        '256',
        '--parallel-workers',
        '1',
      ],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: server.url }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<string>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? String(code))),
    );
    const building =
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'CREATE INDEX%' AND state = 'active' AND backend_type = 'client backend'";
    // wait until the server is building (the child compiles TypeScript first)
    for (let i = 0; i < 300; i++) {
      if ((await client.query(building)).rows[0].n > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await client.query(building)).rows[0].n).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    child.kill('SIGINT');
    const code = await exited;
    // Ended by SIGINT's default action after cleaning up, as an interrupted Unix program is (the shell's 130).
    expect(code).toBe('SIGINT');
    expect(stderr).toMatch(/SIGINT: cancelling the statement running on the server/);
    expect(stderr, stderr).toMatch(
      /interrupted: cancelled (the statement|\d+ statements) running on the server .* and waited for (it|them) to stop/,
    );
    // nothing left running: no CREATE INDEX and no parallel worker of it
    const left = await client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()",
    );
    expect(left.rows[0].n).toBe(0);
    const idx = await client.query(
      "SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'slow' AND indexdef LIKE '%hnsw%'",
    );
    expect(idx.rows[0].n).toBe(0);
  }, 120_000);
});
