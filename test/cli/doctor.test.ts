import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { ROOT } from '../support/paths.ts';
import { describeEachCliTarget } from './harness.ts';

function spawnCli(
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/cli.ts', ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describeEachCliTarget('vecpg doctor', (t) => {
  it('reports fixture problems with their fixes', async () => {
    await t().sql([
      'CREATE TABLE items (id int PRIMARY KEY, flag bit, embedding vector(3))',
      "INSERT INTO items VALUES (1, '1', '[1,2,3]')",
      'CREATE INDEX items_l2 ON items USING hnsw (embedding vector_l2_ops)',
    ]);
    const r = await t().run(['doctor', '--distance', 'items.embedding=cosine']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0); // warnings only
    expect(r.stdout).toMatch(/^WARN  BARE_BIT_COLUMN: items\.flag is bit\(1\)/m);
    expect(r.stdout).toMatch(/^WARN  OPCLASS_MISMATCH: index items_l2 on items\.embedding serves l2/m);
    expect(r.stdout).toMatch(
      /^ {6}fix: vecpg index create --table items --column embedding --distance cosine --method hnsw/m,
    );
    expect(r.stdout).toMatch(/^info  EXTENSION_VERSION: pgvector 0\.8\.\d+ is installed/m);
    expect(r.stdout).toContain('0 errors, 2 warnings');
  });

  it('exits 1 on an error finding, 2 on a bad flag', async () => {
    const dense = Array.from({ length: 1001 }, (_, i) => `${i + 1}:1`).join(',');
    await t().sql([
      'CREATE TABLE sp (id int, f sparsevec(2000))',
      ['INSERT INTO sp VALUES (1, $1::sparsevec)', [`{${dense}}/2000`]],
    ]);
    await expect(t().sql('CREATE INDEX CONCURRENTLY sp_idx ON sp USING hnsw (f sparsevec_l2_ops)')).rejects.toThrow(
      /1000 non-zero/,
    );
    const r = await t().run(['doctor', '--table', 'sp', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { findings: Array<{ code: string; severity: string }> };
    // The 1,001-element sparse value (~8 kB) is really stored out of line in this default-storage table.
    expect(out.findings.map((f) => f.code)).toEqual([
      'INDEX_INVALID',
      'SPARSE_OVER_HNSW_LIMIT',
      'EXTENSION_VERSION',
      'TOAST_STORAGE',
    ]);
    const bad = await t().run(['doctor', '--distance', 'cosinus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--distance must be one of l2, ip, cosine, l1, hamming, jaccard, got "cosinus"');
  });

  it('the built entry runs as a process: npx tsx src/cli.ts', async () => {
    const help = await spawnCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}doctor {2}check the database/m);
    const r = await spawnCli(['index', 'list', '--json'], t().env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Array<{ name: string; valid: boolean }>).map((i) => [i.name, i.valid])).toEqual([
      ['items_l2', true],
      ['sp_idx', false],
    ]);
    const unknown = await spawnCli(['serch'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('vecpg: unknown command "serch"');
  }, 120_000);
});
