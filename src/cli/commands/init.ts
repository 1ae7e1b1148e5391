/**
 * `vecpg init`: make the database ready for vecpg — create the vector extension when it is missing
 * (`CREATE EXTENSION IF NOT EXISTS vector`), update it on request (`--update`), and report the server's
 * and pgvector's versions, installed against available.
 */
import { VecpgError } from '../../errors.ts';
import type { SqlExecutor } from '../../sql/executor.ts';
import { compareVersions, extensionInfo } from '../../sql/version.ts';
import { parseCommandArgs } from '../args.ts';
import type { CliCommand } from '../command.ts';
import { withConnection } from '../connect.ts';
import { print, toJson } from '../output.ts';

const USAGE = `Usage: vecpg init [--update] [--json] [--database-url URL]

Creates the vector extension in the database when it is missing (CREATE EXTENSION IF NOT EXISTS vector)
and reports the PostgreSQL and pgvector versions: installed in this database, and available on the server.
pgvector itself must be installed on the server (scripts/setup-postgres.sh, or your provider's
"vector" extension); creating the extension needs a role allowed to do so.

Options:
  --update               also ALTER EXTENSION vector UPDATE when the server has a newer pgvector
                         than the database uses (without it, init only says so)
  --json                 print JSON
  --database-url URL     PostgreSQL server (default: DATABASE_URL, else the embedded database)`;

/** What `vecpg init` found and did (`--json` prints exactly this). */
export interface InitReport {
  target: string;
  /** PostgreSQL's `server_version`, e.g. `15.20`. */
  server: string;
  /** pgvector: the version this database uses (after init), and the server's default version. */
  extension: { installed: string | null; available: string | null; schema: string | null };
  /** `created`, `updated`, or `none` when there was nothing to do. */
  action: 'created' | 'updated' | 'none';
  /** The statements init ran. */
  statements: string[];
  /** An update is available and was not applied (run `vecpg init --update`). */
  updateAvailable: boolean;
}

async function available(db: SqlExecutor): Promise<string | null> {
  const rows = await db.query<{ v: string | null }>(
    "SELECT default_version AS v FROM pg_available_extensions WHERE name = 'vector'",
  );
  return rows[0]?.v ?? null;
}

async function run(db: SqlExecutor, statement: string): Promise<void> {
  try {
    await db.query(statement);
  } catch (error) {
    throw new VecpgError(
      'QUERY_FAILED',
      `${statement} failed: ${error instanceof Error ? error.message : String(error)} (it needs a role allowed to create extensions, e.g. the database owner on PostgreSQL 13+ for trusted extensions, or a superuser)`,
      { cause: error },
    );
  }
}

/**
 * The `init` command.
 *
 * @example
 * await main(['init', '--json'], io);
 */
export const initCommand: CliCommand = {
  name: 'init',
  summary: 'create (or --update) the vector extension and report PostgreSQL and pgvector versions',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, { update: { type: 'boolean' } });
    return withConnection(values, io, async ({ db, target }) => {
      const server = String(
        (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v"))[0]?.v ?? '?',
      );
      const availableVersion = await available(db);
      const before = await extensionInfo(db);
      const statements: string[] = [];
      let action: InitReport['action'] = 'none';
      if (!before.installed) {
        if (availableVersion === null) {
          throw new VecpgError(
            'EXTENSION_MISSING',
            `pgvector is not installed on the server at ${target} (PostgreSQL ${server} lists no "vector" extension): install it first (scripts/setup-postgres.sh for a local server; on a managed service, enable the "vector" extension)`,
          );
        }
        statements.push('CREATE EXTENSION IF NOT EXISTS vector');
        action = 'created';
      } else if (
        values.update === true &&
        availableVersion !== null &&
        before.version !== null &&
        compareVersions(availableVersion, before.version) > 0
      ) {
        statements.push('ALTER EXTENSION vector UPDATE');
        action = 'updated';
      }
      for (const statement of statements) await run(db, statement);
      const after = statements.length === 0 ? before : await extensionInfo(db);
      const updateAvailable =
        availableVersion !== null && after.version !== null && compareVersions(availableVersion, after.version) > 0;
      const report: InitReport = {
        target,
        server,
        extension: { installed: after.version, available: availableVersion, schema: after.schema },
        action,
        statements,
        updateAvailable,
      };
      if (values.json === true) {
        print(io, toJson(report));
        return 0;
      }
      for (const statement of statements) print(io, `${statement};\n`);
      const done =
        action === 'created'
          ? 'created the vector extension'
          : action === 'updated'
            ? 'updated the vector extension'
            : 'the vector extension was already installed';
      print(io, `vecpg init: ${target}: ${done}\n`);
      print(
        io,
        `PostgreSQL ${server}; pgvector ${after.version ?? 'not installed'} installed${after.schema ? ` in schema ${after.schema}` : ''}, ${availableVersion ?? '?'} available on the server\n`,
      );
      if (updateAvailable)
        print(
          io,
          `pgvector ${availableVersion} is available: run vecpg init --update (ALTER EXTENSION vector UPDATE)\n`,
        );
      return 0;
    });
  },
};
