/**
 * The contract every `vecpg` sub-command implements. Commands never touch `process` directly:
 * they read arguments and environment from `io` and write to its streams, so tests run them
 * in-process with captured output.
 */

/** Where a command reads its environment and writes its output. */
export interface CliIO {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** True when stdout is a terminal: progress is redrawn in place only then. */
  isTTY: boolean;
  /**
   * Register what to do on Ctrl-C / SIGTERM (cancel the server statement); returns the unregister
   * function. Set by the `vecpg` executable; without it (tests, embedding) signals are not handled.
   */
  onInterrupt?: (handler: () => Promise<void>) => () => void;
}

/**
 * One sub-command of the `vecpg` tool.
 *
 * @example
 * const hello: CliCommand = {
 *   name: 'hello', summary: 'say hello', usage: 'vecpg hello',
 *   async run(_argv, io) { io.stdout.write('hello\n'); return 0; },
 * };
 */
export interface CliCommand {
  name: string;
  /** One line for `vecpg --help`. */
  summary: string;
  /** Full usage text for `vecpg <name> --help` and error hints. */
  usage: string;
  /** Run with the arguments after the command name; resolves to the process exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}
