/**
 * The README runs as written: its first TypeScript block (the walkthrough) is executed on embedded PGlite;
 * it stays a short front page that links to the guides in docs/ (whose blocks are checked against the
 * examples the suite executes) instead of copying them.
 */
import { execFile } from 'node:child_process';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from '../support/paths.ts';

const run = promisify(execFile);

it('README.md is a short front page whose relative links all resolve', async () => {
  const readme = await readFile(`${ROOT}README.md`, 'utf8');
  expect(readme.split('\n').length).toBeLessThanOrEqual(300);
  const links = [...readme.matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)].map((m) => m[1]!);
  expect(links.length).toBeGreaterThan(10);
  for (const link of links) {
    await expect(
      access(`${ROOT}${link}`).then(() => link),
      link,
    ).resolves.toBe(link);
  }
  // The guides are linked, not copied in.
  for (const guide of ['drizzle', 'kysely', 'prisma', 'typeorm', 'sequelize', 'knex', 'mikro-orm', 'cli', 'import']) {
    expect(readme).toContain(`(docs/${guide}.md)`);
  }
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
