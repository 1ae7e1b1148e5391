#!/usr/bin/env node
/**
 * The `vecpg` executable: runs `main` with the real process streams and exits with its code.
 *
 * @example
 * // $ vecpg search --table items --column embedding --query '[1,2,3]' -k 5
 */
import { main } from './cli/main.ts';

// Ctrl-C / SIGTERM: a command working on a server cancels its statement there, waits for it to stop and
// exits non-zero; with nothing to cancel (or on a second signal) the process exits at once.
const handlers = new Set<() => Promise<void>>();
let interrupted: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted !== undefined || handlers.size === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
    interrupted = signal;
    process.stderr.write(`\nvecpg: ${signal}: cancelling the statement running on the server…\n`);
    for (const handler of handlers) void handler().catch(() => undefined);
  });
}

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
  onInterrupt: (handler) => {
    handlers.add(handler);
    return () => handlers.delete(handler);
  },
});
// After an interrupt, the command has stopped its work and said so: end the process the way an interrupted
// Unix program does, by the same signal with its default action (the shell sees 130 / 143). Not by
// process.exit: it waits for every I/O thread, and one blocked on a read (a pipe nobody closes) would hold it.
if (interrupted !== undefined) {
  process.removeAllListeners(interrupted);
  process.kill(process.pid, interrupted);
}
process.exitCode = code;
