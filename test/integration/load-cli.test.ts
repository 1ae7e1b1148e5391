import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importCommand } from '../../src/cli/commands/import.ts';
import { exportCommand } from '../../src/cli/commands/export.ts';
import { progressLine } from '../../src/cli/commands/import.ts';
import type { CliIO } from '../../src/cli/command.ts';
import { describeEachTarget } from '../support/db.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'vecpg-cli-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describeEachTarget('vecpg import / export', (db, target) => {
  const run = async (command: typeof importCommand, argv: string[], isTTY = false) => {
    const stdout = new Capture();
    const stderr = new Capture();
    const env = target === 'server' ? { DATABASE_URL: db().url } : { VECPG_HOME: join(home, 'pglite') };
    const io: CliIO = { stdout: stdout, stderr, env, cwd: home, isTTY };
    let code: number;
    try {
      code = await command.run(argv, io);
    } catch (error) {
      code = -1;
      stderr.text += String(error);
    }
    return { code, stdout: stdout.text, stderr: stderr.text };
  };

  it('--dry-run shows pgvector text next to the 0-based view, writes nothing', async () => {
    const r = await run(importCommand, [
      fixture('sparse-1based.svm'),
      '--table',
      'cli_docs',
      '--column',
      'features',
      '--create',
      '--dry-run',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('{1:1.5,3:2,5:3}/6');
    expect(r.stdout).toContain('{0: 1.5, 2: 2, 4: 3} (6 dimensions, 0-based)');
    expect(r.stdout).toContain('Dry run: would load 3 rows');
    expect(r.stdout).toContain('1-based indices');
  }, 120_000);

  it('imports with --create and --json, then export + re-import gives the same rows', async () => {
    const r = await run(importCommand, [
      fixture('sparse-1based.svm'),
      '--table',
      'cli_docs',
      '--column',
      'features',
      '--create',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { rows: number; created: boolean; type: string; dimensions: number };
    expect(result).toMatchObject({ rows: 3, created: true, type: 'sparsevec', dimensions: 6 });
    expect(r.stderr).toBe(''); // piped: no progress line
    const out = join(home, `docs-${target}.jsonl`);
    const e = await run(exportCommand, [
      '--table',
      'cli_docs',
      '--column',
      'features',
      '--format',
      'jsonl',
      '--out',
      out,
    ]);
    expect(e.code).toBe(0);
    expect(e.stdout).toContain('Exported 3 rows');
    const first = JSON.parse((await readFile(out, 'utf8')).split('\n')[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({
      label: 1,
      qid: 3,
      features: { indices: [0, 2, 4], values: [1.5, 2, 3], dimensions: 6 },
    });
    const again = await run(importCommand, [out, '--table', 'cli_docs_again', '--column', 'features', '--create']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Loaded 3 rows');
    const back = await run(exportCommand, ['--table', 'cli_docs_again', '--format', 'libsvm']);
    expect(back.stdout).toBe('1 1:1.5 3:2 5:3\n-1 2:0.25 6:-4\n0\n');
  }, 120_000);

  it('a bad file exits non-zero with file and line; --on-error skip writes rejects', async () => {
    const bad = await run(importCommand, [
      fixture('sparse-mixed.svm'),
      '--table',
      'cli_mixed',
      '--create',
      '--dimensions',
      '6',
    ]);
    expect(bad.code).toBe(-1);
    expect(bad.stderr).toContain('sparse-mixed.svm:2');
    const rejects = join(home, `rejects-${target}.jsonl`);
    const skip = await run(importCommand, [
      fixture('sparse-mixed.svm'),
      '--table',
      'cli_mixed',
      '--create',
      '--dimensions',
      '6',
      '--on-error',
      'skip',
      '--rejects',
      rejects,
    ]);
    expect(skip.code).toBe(0);
    expect(skip.stdout).toContain('Loaded 2 rows');
    expect(skip.stdout).toContain('2 rejected');
    expect((await readFile(rejects, 'utf8')).trim().split('\n')).toHaveLength(2);
  }, 120_000);
});

it('progress line: rows, rows/s, percentage and ETA', () => {
  expect(progressLine({ rows: 5000, rejected: 0, bytesRead: 250, totalBytes: 1000 }, 2000)).toBe(
    '[#####...............] 25%  5,000 rows  2,500 rows/s  ETA 0:06',
  );
  expect(progressLine({ rows: 10, rejected: 2, bytesRead: 0, totalBytes: undefined }, 1000)).toBe(
    '10 rows  10 rows/s  2 rejected',
  );
});
