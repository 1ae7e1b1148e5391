/**
 * Ctrl-C / SIGTERM in the middle of `vecpg recall` and of a long `vecpg search`, as a user does it: a real
 * child process and a statement of it provably running on the server when the signal arrives (the test
 * finds it in pg_stat_activity by the command's own application_name, `vecpg-cli-<pid>-…`). Expected: the
 * CLI cancels it, waits, says so, ends by the signal, and no statement of that application_name is left
 * running; the user's rows are as they were.
 *
 * - recall runs hundreds of statements; the test lets it reach its sweep, then takes an ACCESS EXCLUSIVE
 *   lock on the table, so the next search of the sweep waits on the server (active, wait_event_type Lock)
 *   until cancelled. The test holds the lock until the CLI has exited: a statement the CLI failed to
 *   cancel would still be waiting then.
 * - search reads a view whose filter calls a volatile function that sleeps 10 ms per row (a 20 s scan).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { type ServerDatabase, createServerDatabase } from '../support/db.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Child {
  pid: number;
  stderr: () => string;
  stdout: () => string;
  /** The exit code, or the signal's name when a signal ended it. */
  exited: Promise<string>;
  process: ChildProcessWithoutNullStreams;
}

const children: Child[] = [];

function vecpg(argv: string[], url: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...argv], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'pipe',
  });
  child.stdin.end();
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? String(code))));
  const started = { pid: child.pid!, stderr: () => stderr, stdout: () => stdout, exited, process: child };
  children.push(started);
  return started;
}

/** Poll `sql` (its first row's `n`) every 20 ms until it is positive; give up after 60 s. */
async function waitFor(client: pg.Client, sql: string, params: unknown[]): Promise<number> {
  for (let i = 0; i < 3000; i++) {
    const n = (await client.query<{ n: number }>(sql, params)).rows[0]!.n;
    if (n > 0) return n;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return 0;
}

// Backends of the child's connections: the CLI names them vecpg-cli-<pid>-<random> (its cancel connection
// adds -cancel).
const OF_CHILD = `datname = current_database() AND application_name LIKE $1 AND backend_type = 'client backend'`;
const appPattern = (child: Child): string => `vecpg-cli-${child.pid}-%`;

// Registered (and reported as skipped) without a server, so the file is never empty.
describe.runIf(Boolean(process.env.DATABASE_URL))('Ctrl-C / SIGTERM during recall and search (DATABASE_URL)', () => {
  let server: ServerDatabase;
  let client: pg.Client;
  const fingerprint = async (table: string): Promise<unknown> =>
    (
      await client.query(
        `SELECT count(*)::int AS n, md5(string_agg(id || ':' || embedding::text, ',' ORDER BY id)) AS h FROM ${table}`,
      )
    ).rows[0];

  beforeAll(async () => {
    server = await createServerDatabase();
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query('SELECT setseed(0.7)');
    await client.query('CREATE TABLE pts (id int PRIMARY KEY, embedding vector(8))');
    await client.query(
      'INSERT INTO pts SELECT i, (SELECT array_agg(random())::vector(8) FROM generate_series(1, 8) g WHERE i > 0) FROM generate_series(1, 2000) i',
    );
    await client.query('CREATE INDEX ON pts USING hnsw (embedding vector_l2_ops)');
    await client.query('ANALYZE pts');
  });

  // A test that failed before its signal leaves no CLI running.
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      await child.exited;
    }
  });

  afterAll(async () => {
    await client?.end();
    await server?.drop();
  });

  it('SIGINT during the sweep of vecpg recall: the waiting search is cancelled, no next one starts, exit by SIGINT', async () => {
    const before = await fingerprint('pts');
    const child = vecpg(
      [
        'recall',
        '--table',
        'pts',
        '--distance',
        'l2',
        '--queries',
        '400',
        '--sweep',
        'ef_search=10,20,40,80,160,320,640',
      ],
      server.url,
    );
    // The sweep has begun once a search setting was sent (the exact searches come first).
    expect(
      await waitFor(
        client,
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${OF_CHILD} AND query LIKE '%hnsw.ef_search%'`,
        [appPattern(child)],
      ),
    ).toBeGreaterThan(0);
    // The lock is held by a connection of its own: pg_stat_activity is read outside any transaction
    // (inside one, PostgreSQL keeps showing the snapshot taken at its first read).
    const locker = new pg.Client({ connectionString: server.url });
    await locker.connect();
    let code: string;
    let left: number;
    try {
      await locker.query('BEGIN');
      // Granted when the CLI's current statement ends; the CLI's next search then waits behind it.
      await locker.query('LOCK TABLE pts IN ACCESS EXCLUSIVE MODE');
      const waiting = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${OF_CHILD} AND state = 'active' AND wait_event_type = 'Lock'`;
      expect(await waitFor(client, waiting, [appPattern(child)])).toBe(1);

      child.process.kill('SIGINT');
      code = await child.exited;
      // Still holding the lock: a statement the CLI had not cancelled would still be waiting on it.
      left = (
        await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${OF_CHILD} AND state <> 'idle'`,
          [appPattern(child)],
        )
      ).rows[0]!.n;
    } finally {
      await locker.end();
    }
    expect(code, child.stderr()).toBe('SIGINT');
    expect(child.stderr()).toMatch(/SIGINT: cancelling the statement running on the server/);
    expect(child.stderr()).toMatch(
      /vecpg recall: interrupted: cancelled the statement running on the server \(.*\) and waited for it to stop/,
    );
    expect(child.stdout()).not.toMatch(/recall@/); // stopped, not finished
    expect(left).toBe(0);
    expect(await fingerprint('pts')).toEqual(before);
  }, 120_000);

  it('SIGTERM during a long vecpg search: the scan is cancelled on the server, exit by SIGTERM', async () => {
    // 2,000 rows through a filter that sleeps 10 ms per row: a 20 s statement unless cancelled.
    await client.query(
      'CREATE FUNCTION slow_check(id int) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ BEGIN PERFORM pg_sleep(0.01); RETURN id IS NOT NULL; END $$',
    );
    await client.query('CREATE VIEW slow_pts AS SELECT * FROM pts WHERE slow_check(id)');
    const before = await fingerprint('pts');
    const child = vecpg(['search', '--table', 'slow_pts', '--query', '[1,1,1,1,1,1,1,1]', '-k', '3'], server.url);
    const running = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${OF_CHILD} AND state = 'active' AND query LIKE '%slow_pts%'`;
    expect(await waitFor(client, running, [appPattern(child)])).toBe(1);

    child.process.kill('SIGTERM');
    const code = await child.exited;
    expect(code, child.stderr()).toBe('SIGTERM');
    expect(child.stderr()).toMatch(/SIGTERM: cancelling the statement running on the server/);
    expect(child.stderr()).toMatch(
      /vecpg search: interrupted: cancelled the statement running on the server \(.*\) and waited for it to stop/,
    );
    expect(child.stdout()).toBe('');
    const left = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${OF_CHILD} AND state <> 'idle'`,
      [appPattern(child)],
    );
    expect(left.rows[0]!.n).toBe(0);
    expect(await fingerprint('pts')).toEqual(before);
  }, 120_000);

  it('an interrupt between two statements of recall (none running to cancel): the next one is not started', async () => {
    // In-process, so the interrupt lands at an exact point: the progress line after the first setting of the
    // sweep is written (on a "terminal", at once) after that setting's last statement and before the next one.
    let onInterrupt: (() => Promise<void>) | undefined;
    let interrupting: Promise<void> | undefined;
    let stderr = '';
    const err = new Writable({
      write(chunk: Buffer, _encoding, done) {
        stderr += chunk.toString();
        if (interrupting === undefined && onInterrupt !== undefined && stderr.includes('measured ef_search=10'))
          interrupting = onInterrupt();
        done();
      },
    });
    const out = new PassThrough();
    let stdout = '';
    out.on('data', (c: Buffer) => (stdout += c.toString()));
    const code = await main(
      ['recall', '--table', 'pts', '--distance', 'l2', '--queries', '20', '--sweep', 'ef_search=10,20,40'],
      {
        stdout: out,
        stderr: err,
        env: { DATABASE_URL: server.url },
        cwd: ROOT,
        isTTY: true,
        onInterrupt: (handler) => {
          onInterrupt = handler;
          return () => (onInterrupt = undefined);
        },
      },
    );
    await interrupting;
    expect(interrupting).toBeDefined();
    expect(code, stderr).toBe(130);
    // Nothing was running when the server was asked, and the command went no further.
    expect(stderr).toMatch(
      /vecpg recall: interrupted: stopped the command's statement on the server \(.*\); nothing of it is left running or committed/,
    );
    expect(stderr).not.toContain('measured ef_search=20');
    expect(stdout).toBe('');
  });
});
