/**
 * `prisma validate` on a schema text, offline: the CLI parses and validates with its bundled WebAssembly and
 * never runs the schema engine (a stub path keeps it from trying to download one). Resolves to its stdout;
 * rejects with Prisma's message when the schema is invalid.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './paths.ts';

export async function prismaValidate(schema: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vecpg-psl-'));
  try {
    await writeFile(join(dir, 'schema.prisma'), schema);
    await writeFile(join(dir, 'engine'), '#!/bin/sh\nexit 1\n'); // never run: validate needs no schema engine
    await chmod(join(dir, 'engine'), 0o755);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules/prisma/build/index.js'), 'validate', '--schema', join(dir, 'schema.prisma')],
      {
        env: {
          ...process.env,
          PRISMA_SCHEMA_ENGINE_BINARY: join(dir, 'engine'),
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
          CHECKPOINT_DISABLE: '1',
        },
      },
    );
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
