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
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted || handlers.size === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
    interrupted = true;
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
process.exitCode = code;
