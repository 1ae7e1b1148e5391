/**
 * `vecpg` command dispatcher: `vecpg <command> [flags]`. Runs in-process with injected streams
 * (tests call `main(argv, io)`); `src/cli.ts` wires it to the real process.
 */
import { isVecpgError } from '../errors.ts';
import { CliUsageError } from './args.ts';
import { cliMessage } from './messages.ts';
import type { CliCommand, CliIO } from './command.ts';
import { doctorCommand } from './commands/doctor.ts';
import { exportCommand } from './commands/export.ts';
import { importCommand } from './commands/import.ts';
import { indexCommand } from './commands/index.ts';
import { initCommand } from './commands/init.ts';
import { recallCommand } from './commands/recall.ts';
import { searchCommand } from './commands/search.ts';

/** Every registered command, in the order `vecpg --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  initCommand,
  importCommand,
  exportCommand,
  searchCommand,
  indexCommand,
  recallCommand,
  doctorCommand,
];

const VERSION = '0.1.0';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: vecpg <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Connection: --database-url URL or DATABASE_URL; otherwise the embedded database in $VECPG_HOME.',
    'Run `vecpg <command> --help` for a command’s options.',
    '',
  ].join('\n');
}

/**
 * Run the CLI with `argv` (without `node` and the script) and return the exit code:
 * 0 success, 1 failure, 2 bad usage.
 *
 * @example
 * const code = await main(['search', '--table', 'items', '--column', 'embedding', '--query', '[1,2,3]'], {
 *   stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), isTTY: false,
 * });
 */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`vecpg: unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, command, io);
  }
}

function reportError(error: unknown, command: CliCommand, io: CliIO): number {
  if (error instanceof CliUsageError) {
    io.stderr.write(`vecpg ${command.name}: ${error.message}\n\n${command.usage.trimEnd()}\n`);
    return 2;
  }
  if (isVecpgError(error) && error.code === 'CANCELLED') {
    io.stderr.write(`vecpg ${command.name}: ${error.message}\n`);
    return 130;
  }
  if (isVecpgError(error)) {
    io.stderr.write(`vecpg ${command.name}: error [${error.code}]: ${cliMessage(error)}\n`);
    if (error.code === 'EXTENSION_MISSING') {
      io.stderr.write(
        `  fix: vecpg init${command.name === 'init' ? '' : ' (same connection flags)'} creates the vector extension\n`,
      );
    }
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`vecpg ${command.name}: error: ${message}\n`);
  return 1;
}
