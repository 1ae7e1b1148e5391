/**
 * Running the `vecpg` CLI in-process against a real database, once per target:
 * - server: a fresh database on DATABASE_URL, passed to the CLI as DATABASE_URL;
 * - pglite: the CLI's own embedded default database in a temporary VECPG_HOME, prepared from
 *   the test template. PGlite is one process, one instance per directory: `sql()` opens it,
 *   runs the statements and closes it again before the CLI opens it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Row } from '../../src/sql/executor.ts';
import { TARGETS, openTestDb, type TargetName, type TestDb } from '../support/db.ts';
import { PGLITE_TEMPLATE } from '../support/paths.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliTarget {
  readonly name: TargetName;
  /** Environment for the CLI (DATABASE_URL or VECPG_HOME). */
  readonly env: Record<string, string>;
  /** Run statements in order and return the rows of the last one. */
  sql(statements: string | readonly (string | [string, unknown[]])[]): Promise<Row[]>;
  /** Run `vecpg <argv>` in-process with captured streams. */
  run(argv: string[], options?: { isTTY?: boolean; cwd?: string }): Promise<CliResult>;
  close(): Promise<void>;
}

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Run the CLI in-process with captured stdout/stderr. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  options: { isTTY?: boolean; cwd?: string } = {},
): Promise<CliResult> {
  const out = collect();
  const err = collect();
  const code = await main(argv, {
    stdout: out.stream,
    stderr: err.stream,
    env,
    cwd: options.cwd ?? process.cwd(),
    isTTY: options.isTTY ?? false,
  });
  await new Promise((r) => setImmediate(r));
  return { code, stdout: out.text(), stderr: err.text() };
}

async function runStatements(
  db: { query(text: string, params?: readonly unknown[]): Promise<Row[]> },
  statements: string | readonly (string | [string, unknown[]])[],
): Promise<Row[]> {
  let last: Row[] = [];
  for (const s of typeof statements === 'string' ? [statements] : statements) {
    last = typeof s === 'string' ? await db.query(s) : await db.query(s[0], s[1]);
  }
  return last;
}

/** Open a CLI target with a database of its own. */
export async function openCliTarget(target: TargetName): Promise<CliTarget & { db?: TestDb }> {
  if (target === 'server') {
    const db = await openTestDb('server');
    const env = { DATABASE_URL: db.url ?? '' };
    return {
      name: target,
      env,
      db,
      sql: (statements) => runStatements(db, statements),
      run: (argv, options) => runCli(argv, env, options),
      close: () => db.close(),
    };
  }
  const home = await mkdtemp(join(tmpdir(), 'vecpg-cli-'));
  const { openPglite } = await import('../../src/drivers/pglite.ts');
  const first = await openPglite({
    dataDir: join(home, 'default'),
    loadDataDir: new Blob([await readFile(PGLITE_TEMPLATE)]),
  });
  await first.pglite.close();
  const env = { VECPG_HOME: home };
  return {
    name: target,
    env,
    async sql(statements) {
      const db = await openPglite({ dataDir: join(home, 'default') });
      try {
        return await runStatements(db, statements);
      } finally {
        await db.pglite.close();
      }
    },
    run: (argv, options) => runCli(argv, env, options),
    close: () => rm(home, { recursive: true, force: true }),
  };
}

/** `describe` once per target with a CLI target of its own. */
export function describeEachCliTarget(name: string, body: (t: () => CliTarget, target: TargetName) => void): void {
  for (const target of TARGETS) {
    describe(`${name} [${target}]`, () => {
      let t: CliTarget | undefined;
      beforeAll(async () => {
        t = await openCliTarget(target);
      });
      afterAll(async () => {
        await t?.close();
      });
      body(() => {
        if (!t) throw new Error('CLI target not open yet');
        return t;
      }, target);
    });
  }
}
