/**
 * The README runs as written: its first TypeScript block (the walkthrough) is executed on embedded PGlite,
 * and the ORM/CLI sections included from docs/*.md are up to date (docs/*.md blocks are in turn checked
 * against the examples the suite executes).
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from '../support/paths.ts';

const run = promisify(execFile);

it('README.md includes the current docs/*.md sections', async () => {
  const { stderr } = await run('node', ['scripts/build-readme.mjs', '--check'], { cwd: ROOT });
  expect(stderr).toBe('');
});

it("README's walkthrough block runs and prints what its comment says", async () => {
  const readme = await readFile(`${ROOT}README.md`, 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toContain("from 'vecpg/pglite'");
  const file = `${ROOT}examples/.readme-walkthrough.ts`;
  await writeFile(file, block!);
  try {
    const { stdout } = await run('npx', ['tsx', file], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } });
    expect(stdout.trim()).toBe("Sample A 1 [ '0.0002' ]");
  } finally {
    await rm(file, { force: true });
  }
}, 180_000);
