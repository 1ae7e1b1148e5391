/**
 * vecpg/kysely with Kysely's Migrator: the extension migration (idempotent up, reversible down),
 * tables with vector columns and storage MAIN, an index migration for every operator class of
 * pgvector's table; migrating again leaves every index untouched; migrating down removes it all.
 * Also the PGlite dialect's transactions (commit, rollback, isolation from outside queries).
 */
import type { PGlite } from '@electric-sql/pglite';
import { type Generated, Kysely, type Migration, Migrator, NO_MIGRATIONS, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SparseVector } from 'vecpg';
import {
  PgliteDialect,
  PgvectorPlugin,
  type SparsevecColumn,
  type VectorColumn,
  vectorExtensionMigration as pgvectorMigration,
  setVectorStorage,
  vectorDataType,
  vectorIndexMigration,
} from 'vecpg/kysely';
import { registerVectorTypes as registerTypes } from 'vecpg/pg';
import { registerVectorTypes as registerPgliteTypes } from 'vecpg/pglite';
import { type TestDb, describeEachTarget } from '../support/db.ts';

interface Database {
  km_items: {
    id: Generated<number>;
    embedding: VectorColumn<null>;
    half: VectorColumn<null>;
    features: SparsevecColumn<null>;
    hash: string | null;
  };
}

/** Kysely as documented, plus `register()`: look the type OIDs up again after the extension is (re)created. */
async function kyselyFor(t: TestDb): Promise<{ db: Kysely<Database>; register: () => Promise<unknown> }> {
  if (t.target === 'pglite') {
    const pglite = t.raw as PGlite;
    const db = new Kysely<Database>({ dialect: new PgliteDialect({ pglite }), plugins: [new PgvectorPlugin()] });
    return { db, register: () => registerPgliteTypes(pglite) };
  }
  const pool = new pg.Pool({ connectionString: t.url, max: 3 });
  await registerTypes(pool);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new PgvectorPlugin()] });
  return { db, register: () => registerTypes(pool) };
}

const tables: Migration = {
  async up(db) {
    await db.schema
      .createTable('km_items')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('embedding', vectorDataType('vector', 3))
      .addColumn('half', vectorDataType('halfvec', 3))
      .addColumn('features', vectorDataType('sparsevec', 1000))
      .addColumn('hash', vectorDataType('bit', 8))
      .execute();
    for (const column of ['embedding', 'half', 'features', 'hash']) await setVectorStorage(db, 'km_items', column);
  },
  async down(db) {
    await db.schema.dropTable('km_items').execute();
  },
};

/** Every (type, method, distance) with an operator class in pgvector's table. */
const OPCLASSES = [
  ['embedding', 'vector', 'hnsw', ['l2', 'ip', 'cosine', 'l1']],
  ['embedding', 'vector', 'ivfflat', ['l2', 'ip', 'cosine']],
  ['half', 'halfvec', 'hnsw', ['l2', 'ip', 'cosine', 'l1']],
  ['half', 'halfvec', 'ivfflat', ['l2', 'ip', 'cosine']],
  ['features', 'sparsevec', 'hnsw', ['l2', 'ip', 'cosine', 'l1']],
  ['hash', 'bit', 'hnsw', ['hamming', 'jaccard']],
  ['hash', 'bit', 'ivfflat', ['hamming']],
] as const;

function migrations(): Record<string, Migration> {
  const out: Record<string, Migration> = { '0001_pgvector': pgvectorMigration(), '0002_tables': tables };
  let n = 3;
  for (const [column, type, method, distances] of OPCLASSES) {
    for (const distance of distances) {
      const options = method === 'hnsw' ? { m: 8, efConstruction: 32 } : { lists: 4 };
      out[`${String(n++).padStart(4, '0')}_${column}_${method}_${distance}`] = vectorIndexMigration({
        table: 'km_items',
        column,
        type,
        distance,
        method,
        ...options,
      });
    }
  }
  return out;
}

describeEachTarget('kysely migrations', (tdb) => {
  let db: Kysely<Database>;
  let register: () => Promise<unknown>;
  beforeAll(async () => {
    ({ db, register } = await kyselyFor(tdb()));
  });
  afterAll(async () => {
    if (tdb().target === 'server') await db.destroy();
  });

  const indexes = () =>
    tdb().query<{ name: string; method: string; opclass: string; oid: number; options: string[] | null }>(
      `SELECT c.relname::text AS name, am.amname::text AS method, oc.opcname::text AS opclass, c.oid::int AS oid, c.reloptions AS options
       FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am am ON am.oid = c.relam
       JOIN pg_opclass oc ON oc.oid = x.indclass[0]
       WHERE x.indrelid = 'km_items'::regclass AND NOT x.indisprimary ORDER BY c.relname`,
    );

  it('migrates up with every opclass, again without touching anything, and down to nothing', async () => {
    await tdb().query('DROP EXTENSION IF EXISTS vector');
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations() } });
    const first = await migrator.migrateToLatest();
    expect(first.error).toBeUndefined();
    expect(first.results).toHaveLength(2 + 21); // the extension, the table, 21 opclass indexes

    const ext = await tdb().query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
    expect(ext).toHaveLength(1);
    const storage = await tdb().query<{ a: string; s: string }>(
      `SELECT attname::text AS a, attstorage::text AS s FROM pg_attribute WHERE attrelid = 'km_items'::regclass AND attnum > 1 ORDER BY attnum`,
    );
    expect(storage).toEqual(['embedding', 'half', 'features', 'hash'].map((a) => ({ a, s: 'm' })));

    const before = await indexes();
    const expected = OPCLASSES.flatMap(([column, type, method, distances]) =>
      distances.map((d) => ({ name: `km_items_${column}_${method}_${d}_idx`, method, opclass: `${type}_${d}_ops` })),
    ).sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(before.map(({ name, method, opclass }) => ({ name, method, opclass }))).toEqual(expected);
    expect(before.find((i) => i.name === 'km_items_embedding_hnsw_cosine_idx')!.options).toEqual([
      'm=8',
      'ef_construction=32',
    ]);
    expect(before.find((i) => i.name === 'km_items_hash_ivfflat_hamming_idx')!.options).toEqual(['lists=4']);

    const second = await migrator.migrateToLatest();
    expect(second.error).toBeUndefined();
    expect(second.results).toEqual([]);
    expect(await indexes()).toEqual(before);

    // The tables work through Kysely. The extension was created by the migration, after the
    // parsers were registered: register again so they know the new type OIDs.
    await register();
    await db
      .insertInto('km_items')
      .values({ embedding: [1, 2, 3], half: [1, 2, 3], features: new SparseVector({ 5: 1 }, 1000), hash: '10101010' })
      .execute();
    const row = await db.selectFrom('km_items').selectAll().executeTakeFirstOrThrow();
    expect(row.features?.toObject()).toEqual({ 5: 1 });

    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(await tdb().query(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`)).toHaveLength(0);
    expect(await tdb().query(`SELECT 1 FROM pg_class WHERE relname = 'km_items'`)).toHaveLength(0);
    // Up again, so the block's database is left with pgvector.
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
  });

  it('refuses bad index options when the migration is declared, not when it runs', () => {
    expect(() =>
      vectorIndexMigration({ table: 't', column: 'c', type: 'sparsevec', distance: 'l2', method: 'ivfflat' }),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() =>
      vectorIndexMigration({ table: 't', column: 'c', type: 'vector', distance: 'l2', m: 40, efConstruction: 64 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() =>
      vectorIndexMigration({ table: 't', column: 'c', type: 'vector', distance: 'l2', dimensions: 3072 }),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });
});

describeEachTarget('kysely transactions', (tdb) => {
  let db: Kysely<Database>;
  beforeAll(async () => {
    await tdb().query('CREATE TABLE kt (id int PRIMARY KEY)');
    ({ db } = await kyselyFor(tdb()));
  });
  afterAll(async () => {
    if (tdb().target === 'server') await db.destroy();
  });

  it('commits, rolls back, and keeps outside queries out of an open transaction', async () => {
    const kt = db as unknown as Kysely<{ kt: { id: number } }>;
    await kt.transaction().execute((trx) => trx.insertInto('kt').values({ id: 1 }).execute());
    let outside: Promise<number> | undefined;
    await expect(
      kt.transaction().execute(async (trx) => {
        await trx.insertInto('kt').values({ id: 2 }).execute();
        outside = kt
          .selectFrom('kt')
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
          .then((r) => r.n);
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // The outside count never saw the uncommitted row 2.
    expect(await outside).toBe(1);
    const ids = await kt.selectFrom('kt').select('id').execute();
    expect(ids).toEqual([{ id: 1 }]);
    await kt
      .transaction()
      .setIsolationLevel('serializable')
      .execute(async (trx) => {
        const r = await sql<{ l: string }>`SELECT current_setting('transaction_isolation') AS l`.execute(trx);
        expect(r.rows[0]!.l).toBe('serializable');
      });
  });
});
