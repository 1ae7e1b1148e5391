/**
 * `vecpg/pg` — node-postgres support.
 *
 * @example
 * import pg from 'pg';
 * import { wrapPg } from 'vecpg/pg';
 * const db = await wrapPg(new pg.Pool({ connectionString: process.env.DATABASE_URL }));
 */
export {
  registerVectorTypes,
  wrapPg,
  type PgClientOrPool,
  type VectorTypeOids,
  type VectorTypeOptions,
} from './drivers/pg.ts';
export { Vector, HalfVector, SparseVector, Bit, VecpgError } from './index.ts';
