#!/usr/bin/env node
/**
 * The `vecpg` executable: runs `main` with the real process streams and exits with its code.
 *
 * @example
 * // $ vecpg search --table items --column embedding --query '[1,2,3]' -k 5
 */
import { main } from './cli/main.ts';

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
});
process.exitCode = code;
