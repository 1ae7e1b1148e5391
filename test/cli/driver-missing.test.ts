/**
 * A missing optional dependency is a DRIVER_MISSING VecpgError with the install line, for the CLI and
 * for the subpaths that load one at run time. The packages are hidden from Node's resolver by a loader
 * hook in a child process (test/support/hide-packages.mjs), exactly as if they were not installed.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.ts';

function run(
  args: string[],
  hide: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './test/support/hide-packages.mjs', ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          VECPG_HIDE_PACKAGES: hide.join(','),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the CLI without an optional dependency', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'vecpg-missing-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('DATABASE_URL set but pg not installed: DRIVER_MISSING with "npm install pg"', async () => {
    // Nothing listens on port 1: the error must come before any connection attempt.
    const r = await run(['src/cli.ts', 'index', 'list'], ['pg'], {
      DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/x',
      VECPG_HOME: home,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[DRIVER_MISSING]');
    expect(r.stderr).toContain('npm install pg');
    expect(r.stderr).not.toContain('secret');
  });

  it('the same with --database-url', async () => {
    const r = await run(
      [
        'src/cli.ts',
        'search',
        '--table',
        't',
        '--column',
        'e',
        '--query',
        '[1]',
        '--database-url',
        'postgres://127.0.0.1:1/x',
      ],
      ['pg'],
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[DRIVER_MISSING]');
  });

  it('no DATABASE_URL and no PGlite: DRIVER_MISSING naming both PGlite packages', async () => {
    const r = await run(['src/cli.ts', 'index', 'list'], ['@electric-sql/pglite'], { VECPG_HOME: home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[DRIVER_MISSING]');
    expect(r.stderr).toContain('npm install @electric-sql/pglite @electric-sql/pglite-pgvector');
  });

  it('the hook hides only what it is told to: with pg present the same command reaches the connection', async () => {
    const r = await run(['src/cli.ts', 'index', 'list'], ['knex'], { DATABASE_URL: 'postgres://127.0.0.1:1/x' });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('DRIVER_MISSING');
  });
});

describe('subpaths that load an optional dependency at run time', () => {
  it.each([
    ['openPglite', '@electric-sql/pglite-pgvector', 'npm install @electric-sql/pglite @electric-sql/pglite-pgvector'],
    ['knexPglite', 'knex', 'npm install knex'],
    ['mikroOrmPglite', '@mikro-orm/postgresql', 'npm install @mikro-orm/postgresql'],
  ])('%s without %s', async (what, hide, install) => {
    const r = await run(['test/fixtures/optional-deps.ts', what], [hide]);
    const out = JSON.parse(r.stdout.trim()) as { code?: string; message?: string };
    expect(out.code).toBe('DRIVER_MISSING');
    expect(out.message).toContain(install);
  });
});
