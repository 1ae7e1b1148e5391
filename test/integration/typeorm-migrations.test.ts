/**
 * The extension migration docs/typeorm.md shows (the guide itself runs in test/guides), run down as well
 * as up: reversible, and the version check fails clearly once pgvector is gone.
 */
import type { PGlite } from '@electric-sql/pglite';
import { DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isVecpgError } from 'vecpg';
import { VectorColumn, VectorExtension, pgliteOptions, registerVectorTypes, requirePgvector } from 'vecpg/typeorm';
import { describeEachTarget } from '../support/db.ts';

class EnableVector1700000000000 extends VectorExtension {}

@Entity()
class Item {
  @PrimaryGeneratedColumn() id!: number;
  @VectorColumn(3) embedding!: number[];
}

describeEachTarget('typeorm VectorExtension migration (docs/typeorm.md)', (db) => {
  let ds: DataSource;
  const extension = async () =>
    (await db().query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`))[0]?.v;
  beforeAll(async () => {
    const t = db();
    await t.query('DROP EXTENSION vector'); // start from a database without pgvector
    const connection =
      t.target === 'server' ? { type: 'postgres' as const, url: t.url! } : pgliteOptions(t.raw as PGlite);
    ds = registerVectorTypes(
      new DataSource({ ...connection, entities: [Item], migrations: [EnableVector1700000000000] }),
    );
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  it('runs, undoes, and the version check fails clearly without it', async () => {
    expect((await ds.runMigrations()).map((m) => m.name)).toEqual(['EnableVector1700000000000']);
    expect(await extension()).toMatch(/^0\.\d+\.\d+$/);
    await ds.undoLastMigration();
    expect(await extension()).toBeUndefined();
    const error = await requirePgvector(ds, 'sparsevec').catch((e: unknown) => e);
    expect(isVecpgError(error) && error.code).toBe('EXTENSION_MISSING');
    await ds.runMigrations();
    expect((await requirePgvector(ds, 'iterativeScan')).version).toBe(await extension());
  });
});
