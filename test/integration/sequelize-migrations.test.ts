/**
 * The migrations docs/sequelize.md shows (the guide itself runs in test/guides), run down as well as up:
 * idempotent, reversible, and the version check fails clearly once pgvector is gone.
 */
import { DataTypes, type QueryInterface, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVecpgError } from 'vecpg';
import {
  BIT,
  SPARSEVEC,
  VECTOR,
  addVectorIndex,
  createVectorExtension,
  dropVectorExtension,
  removeVectorIndex,
  requirePgvector,
  setVectorStorage,
} from 'vecpg/sequelize';
import { TARGETS, type TestDb, openTestDb } from '../support/db.ts';

const enableVector = {
  up: (qi: QueryInterface) => createVectorExtension(qi),
  down: (qi: QueryInterface) => dropVectorExtension(qi),
};
const createTables = {
  async up(qi: QueryInterface) {
    await qi.createTable('documents', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      embedding: { type: VECTOR(4), allowNull: false },
      bits: { type: BIT(8) },
    });
    await qi.createTable('science_data', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      features: { type: SPARSEVEC(10000), allowNull: false },
    });
    await setVectorStorage(qi, 'documents', 'embedding');
    await setVectorStorage(qi, 'science_data', 'features');
    await addVectorIndex(qi, {
      table: 'science_data',
      column: 'features',
      type: 'sparsevec',
      distance: 'cosine',
      method: 'hnsw',
      m: 16,
      efConstruction: 64,
    });
  },
  async down(qi: QueryInterface) {
    await removeVectorIndex(qi, 'science_data_features_hnsw_cosine_idx');
    await qi.dropTable('science_data');
    await qi.dropTable('documents');
  },
};

// Sequelize talks to PostgreSQL through `pg` only: the server target (DATABASE_URL).
describe.runIf(TARGETS.includes('server'))('sequelize migrations (docs/sequelize.md) [server]', () => {
  let db: TestDb;
  let sequelize: Sequelize;
  const extension = async () =>
    (await db.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`))[0]?.v;
  beforeAll(async () => {
    db = await openTestDb('server');
    await db.query('DROP EXTENSION vector'); // start from a database without pgvector
    sequelize = new Sequelize(db.url!, { dialect: 'postgres', logging: false });
  });
  afterAll(async () => {
    await sequelize?.close();
    await db?.close();
  });

  it('the migrations enable pgvector and create the tables, storage MAIN and the HNSW index', async () => {
    const qi = sequelize.getQueryInterface();
    expect(await extension()).toBeUndefined();
    await enableVector.up(qi);
    await enableVector.up(qi); // idempotent
    expect(await extension()).toMatch(/^0\.\d+\.\d+$/);
    await createTables.up(qi);
    const types = await db.query<{ name: string; type: string; storage: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attstorage AS storage FROM pg_attribute a
         WHERE a.attrelid IN ('documents'::regclass, 'science_data'::regclass) AND a.attname IN ('embedding', 'bits', 'features') ORDER BY 1`,
    );
    expect(types).toEqual([
      { name: 'bits', type: 'bit(8)', storage: 'x' },
      { name: 'embedding', type: 'vector(4)', storage: 'm' },
      { name: 'features', type: 'sparsevec(10000)', storage: 'm' },
    ]);
    const index = await db.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'science_data_features_hnsw_cosine_idx'`,
    );
    expect(index[0]?.indexdef).toContain(
      "USING hnsw (features sparsevec_cosine_ops) WITH (m='16', ef_construction='64')",
    );
  });

  it('the migrations are reversible and the version check fails clearly without pgvector', async () => {
    const qi = sequelize.getQueryInterface();
    await createTables.down(qi);
    await enableVector.down(qi);
    await enableVector.down(qi); // idempotent
    expect(await extension()).toBeUndefined();
    const error = await requirePgvector(sequelize, 'sparsevec').catch((e: unknown) => e);
    expect(isVecpgError(error) && error.code).toBe('EXTENSION_MISSING');
    await enableVector.up(qi);
    expect((await requirePgvector(qi, 'iterativeScan')).version).toBe(await extension());
  });
});
