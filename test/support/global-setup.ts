import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGLITE_TEMPLATE } from './paths.ts';

/**
 * A cold in-memory PGlite takes ~5 s to initialise; loading a dumped data directory ~1 s.
 * Build the template (with the vector extension created) once per machine.
 */
export default async function setup(): Promise<void> {
  const exists = await stat(PGLITE_TEMPLATE).then(
    () => true,
    () => false,
  );
  if (exists) return;
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite-pgvector');
  const db = await PGlite.create({ extensions: { vector } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
  const dump = await db.dumpDataDir('gzip');
  await db.close();
  await mkdir(dirname(PGLITE_TEMPLATE), { recursive: true });
  const tmp = `${PGLITE_TEMPLATE}.${process.pid}.tmp`;
  await writeFile(tmp, new Uint8Array(await dump.arrayBuffer()));
  const { rename } = await import('node:fs/promises');
  await rename(tmp, PGLITE_TEMPLATE);
}
