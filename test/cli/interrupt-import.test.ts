/**
 * Ctrl-C in the middle of `vecpg import`, as a user does it: a real child process, a table that already
 * holds the user's own rows, and a COPY that is open on the server when the signal arrives. The input is a
 * named pipe the test writes to, so the COPY is provably in flight (pg_stat_activity shows it) — no timing
 * guess. Expected: the CLI cancels the COPY on the server, waits, says so, exits 130, and the table holds
 * exactly the rows it held before (nothing half-written), with no statement left running.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerDatabase, createServerDatabase } from '../support/db.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Registered (and reported as skipped) without a server, so the file is never empty.
describe.runIf(Boolean(process.env.DATABASE_URL))('Ctrl-C during vecpg import (DATABASE_URL)', () => {
  let server: ServerDatabase;
  let client: pg.Client;
  let dir: string;

  beforeAll(async () => {
    server = await createServerDatabase();
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    await client.query('CREATE TABLE docs (id int PRIMARY KEY, title text NOT NULL, embedding vector(3))');
    await client.query("INSERT INTO docs VALUES (1, 'mine', '[1,2,3]'), (2, 'also mine', '[4,5,6]')");
    dir = await mkdtemp(join(tmpdir(), 'vecpg-interrupt-'));
  });

  afterAll(async () => {
    await client?.end();
    await server?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('cancels the COPY on the server, exits by SIGINT (130), and leaves the table as it was', async () => {
    const fifo = join(dir, 'more.jsonl');
    execFileSync('mkfifo', [fifo]);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'import', fifo, '--table', 'docs', '--column', 'embedding'],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: server.url }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<string>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? String(code))),
    );

    // Write a first batch and keep the pipe open: the import cannot finish, its COPY stays open.
    const writer = createWriteStream(fifo);
    for (let i = 100; i < 3100; i++) writer.write(`{"id": ${i}, "title": "new ${i}", "embedding": [${i}, 0, 1]}\n`);
    const copying =
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY%' AND state = 'active'";
    for (let i = 0; i < 300 && (await client.query(copying)).rows[0].n === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await client.query(copying)).rows[0].n).toBe(1);

    child.kill('SIGINT');
    const code = await exited;
    writer.destroy();
    // Ended by SIGINT's default action after cleaning up, as an interrupted Unix program is (the shell's 130).
    expect(code).toBe('SIGINT');
    expect(stderr).toMatch(/SIGINT: cancelling the statement running on the server/);
    expect(stderr).toMatch(
      /interrupted: (stopped the command's statement on the server .*; nothing of it is left running or committed|cancelled the statement running on the server .* and waited for it to stop)/,
    );

    const left = await client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()",
    );
    expect(left.rows[0].n).toBe(0);
    const rows = await client.query('SELECT id, title, embedding::text AS e FROM docs ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, title: 'mine', e: '[1,2,3]' },
      { id: 2, title: 'also mine', e: '[4,5,6]' },
    ]);
  }, 120_000);
});
