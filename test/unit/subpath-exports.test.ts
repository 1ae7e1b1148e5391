/**
 * Every integration and driver subpath re-exports the value types and the error class (issue 17), so a
 * guide imports `SparseVector` from the same place as the helpers, and it is the core's own class (one
 * brand, one `instanceof`).
 */
import { expect, it } from 'vitest';
import * as core from 'vecpg';

const SUBPATHS = {
  drizzle: () => import('vecpg/drizzle'),
  kysely: () => import('vecpg/kysely'),
  prisma: () => import('vecpg/prisma'),
  typeorm: () => import('vecpg/typeorm'),
  sequelize: () => import('vecpg/sequelize'),
  knex: () => import('vecpg/knex'),
  'mikro-orm': () => import('vecpg/mikro-orm'),
  pg: () => import('vecpg/pg'),
  postgres: () => import('vecpg/postgres'),
  pglite: () => import('vecpg/pglite'),
};

it.each(Object.entries(SUBPATHS))(
  'vecpg/%s re-exports Vector, HalfVector, SparseVector, Bit and VecpgError',
  async (_name, load) => {
    const m = await load();
    expect([m.Vector, m.HalfVector, m.SparseVector, m.Bit, m.VecpgError]).toEqual([
      core.Vector,
      core.HalfVector,
      core.SparseVector,
      core.Bit,
      core.VecpgError,
    ]);
    expect(m.SparseVector).toBe(core.SparseVector);
  },
);
