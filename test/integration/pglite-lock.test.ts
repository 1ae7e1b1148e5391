/**
 * The embedded database is locked while a process has it open (issue: two `vecpg import`s on one
 * $VECPG_HOME corrupted it with `could not create file "base/5/…": File exists`). A second process gets
 * DATABASE_BUSY naming the holder; a killed holder's lock is recovered; the data survives both.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDefaultDatabase, defaultDataDir } from 'vecpg/pglite';
import { acquireDataDirLock, lockPathOf } from '../../src/drivers/data-dir-lock.ts';
import { runCli } from '../cli/harness.ts';
import { ROOT } from '../support/paths.ts';
import { codeOf } from '../support/errors.ts';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'vecpg-lock-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function startHolder(rows: number): Promise<{ child: ChildProcessWithoutNullStreams; pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/scripts/hold-default-db.ts', String(rows)], {
    cwd: ROOT,
    env: { ...process.env, VECPG_HOME: home },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve({ child, pid: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`holder exited with ${code} before it was ready: ${err}`)));
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('one process at a time on the embedded database', () => {
  it('a second process gets DATABASE_BUSY naming the holder, through the library and the CLI', async () => {
    const { child, pid } = await startHolder(50);
    try {
      const error = await openDefaultDatabase({ home }).then(
        (db) => db.pglite.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(codeOf(error)).toBe('DATABASE_BUSY');
      expect(String((error as Error).message)).toContain(`process ${pid}`);

      const cli = await runCli(['doctor', '--table', 'lock_probe'], { VECPG_HOME: home });
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toContain('DATABASE_BUSY');
      expect(cli.stderr).toContain(`process ${pid}`);
    } finally {
      child.stdin.write('close\n');
      await exited(child);
    }
    // Released on close: the next open works and sees every row the holder wrote.
    expect(existsSync(lockPathOf(defaultDataDir({ home })))).toBe(false);
    const db = await openDefaultDatabase({ home });
    try {
      const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM lock_probe');
      expect(row?.n).toBe(50);
    } finally {
      await db.pglite.close();
    }
  });

  it("a killed holder's lock is taken over and the data is intact", async () => {
    const { child, pid } = await startHolder(80);
    child.kill('SIGKILL');
    await exited(child);
    expect(existsSync(lockPathOf(defaultDataDir({ home })))).toBe(true); // left behind by the kill
    const db = await openDefaultDatabase({ home });
    try {
      const [row] = await db.query<{ n: number; s: number }>(
        'SELECT count(*)::int AS n, sum(id)::int AS s FROM lock_probe',
      );
      expect(row).toEqual({ n: 80, s: (80 * 81) / 2 });
      // The lock is ours now, not the dead process's.
      const again = await openDefaultDatabase({ home }).then(
        (d) => d.pglite.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(codeOf(again)).toBe('DATABASE_BUSY');
      expect(String((again as Error).message)).not.toContain(`process ${pid}`);
    } finally {
      await db.pglite.close();
    }
  });

  it('a lock held on another host, or unreadable, is never taken over', async () => {
    const dir = join(home, 'other');
    await writeFile(
      lockPathOf(dir),
      JSON.stringify({ pid: 1, host: 'elsewhere.example', command: 'vecpg import', since: 'x' }),
    );
    expect(codeOf(() => acquireDataDirLock(dir))).toBe('DATABASE_BUSY');
    await writeFile(lockPathOf(dir), 'not json');
    expect(codeOf(() => acquireDataDirLock(dir))).toBe('DATABASE_BUSY');
    await writeFile(lockPathOf(dir), ''); // a crash between create and write: stale
    const lock = acquireDataDirLock(dir);
    expect(existsSync(lock.path)).toBe(true);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });
});
