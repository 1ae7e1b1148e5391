import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Template data directory of an embedded PGlite with the vector extension already created. */
export const PGLITE_TEMPLATE = `${ROOT}.cache/pglite-template-0.5.14.tar.gz`;
