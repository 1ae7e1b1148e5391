/**
 * `vecpg/pglite` — embedded PostgreSQL + pgvector (PGlite), no server needed.
 *
 * @example
 * import { openPglite } from 'vecpg/pglite';
 * const db = await openPglite({ dataDir: './data' });
 */
export {
  openPglite,
  wrapPglite,
  registerVectorTypes,
  openDefaultDatabase,
  defaultDataDir,
  type PgliteDb,
  type OpenPgliteOptions,
  type DefaultDatabaseOptions,
  type VectorTypeOids,
  type VectorTypeOptions,
} from './drivers/pglite.ts';
export { Vector, HalfVector, SparseVector, Bit, VecpgError } from './index.ts';
