/**
 * `vecpg/postgres` — postgres.js support.
 *
 * @example
 * import postgres from 'postgres';
 * import { wrapPostgres } from 'vecpg/postgres';
 * const db = await wrapPostgres(postgres(process.env.DATABASE_URL!));
 */
export {
  registerVectorTypes,
  vectorTypes,
  wrapPostgres,
  type PostgresSql,
  type VectorPostgresTypes,
  type VectorTypeOids,
  type VectorTypeOptions,
} from './drivers/postgres.ts';
export { Vector, HalfVector, SparseVector, Bit, VecpgError } from './index.ts';
