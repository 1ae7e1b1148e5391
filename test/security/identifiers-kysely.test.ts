/**
 * Hostile identifiers through vecpg/kysely, on both databases (./hostile-names.ts): a schema, a
 * table, a vector column and an index named after each name go through the migration helpers
 * (`createVectorExtension` in a schema, `createVectorIndex` / `vectorIndexMigration` /
 * `dropVectorIndex`, `setVectorStorage`), the column type in Kysely's schema builder, the distance
 * helpers in select / where / orderBy, and `nearest` (exact and approximate). The canary table
 * survives every test; decoys under the case-folded name and in `public` hold other rows.
 *
 * Two conventions, both Kysely's, decide how a name is read:
 * - vecpg's helpers that take *names* (`table`, `column`, index `name`) quote each one as a whole
 *   with vecpg's quoter: a string is one identifier, `[schema, table]` names a schema.
 * - helpers that take Kysely *references* keep Kysely's reading of strings: the distance helpers'
 *   column (`'t.col'`, `'s.t.col'`) and `nearest`'s `table` (a key of your `Database`,
 *   `'schema.table'`). A name containing a dot cannot be written as such a string — Kysely splits
 *   it (asserted below) — so pass `sql.id(name)` to a distance helper; `nearest` quotes its
 *   `column` whole (it is a column name, never split).
 */
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { quoteIdent, quoteQualified } from 'vecpg';
import { vectorParam } from 'vecpg/sql';
import {
  PgliteDialect,
  PgvectorPlugin,
  createVectorExtension,
  createVectorIndex,
  dropVectorIndex,
  l2Distance,
  vectorSearch,
  vectorExtensionMigration,
  setVectorStorage,
  vectorDataType,
  vectorIndexMigration,
  vectorIndexName,
} from 'vecpg/kysely';
import { registerVectorTypes } from 'vecpg/pg';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import {
  CANARY,
  HOSTILE_NAMES,
  HOSTILE_VALUE,
  QUERY,
  ROWS,
  TOO_LONG_NAMES,
  naiveFold,
  variantOf,
} from './hostile-names.ts';

/** A filter column with a hostile name of its own (no dot: Kysely's string references must reach it). */
const FILTER = 'f"; DELETE FROM canary; --';
const shift = (n: number) => ROWS.map(([id, v, f]): [number, number[], string] => [id + n, v, f]);

// The database is dynamic (hostile names): Kysely's typed builder has no static interface for it.
type Db = Kysely<any>;

/** The table through Kysely's schema builder when Kysely can name it (no dot), else through `sql.id`. */
async function createTable(
  db: Db,
  t: TestDb,
  schema: string,
  table: string,
  column: string,
  rows: typeof ROWS,
): Promise<void> {
  if (table.includes('.')) {
    await sql`CREATE TABLE ${sql.id(schema, table)} (id int PRIMARY KEY, ${sql.id(column)} ${vectorDataType('vector', 3)}, ${sql.id(FILTER)} text)`.execute(
      db,
    );
  } else {
    await db.schema
      .withSchema(schema)
      .createTable(table)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn(column, vectorDataType('vector', 3))
      .addColumn(FILTER, 'text')
      .execute();
  }
  for (const [id, v, f] of rows) {
    await t.query(`INSERT INTO ${quoteQualified([schema, table])} VALUES ($1, $2, $3)`, [
      id,
      vectorParam(v, 'vector'),
      f,
    ]);
  }
}

describeEachTarget('security: hostile identifiers through Kysely', (tdb) => {
  let db: Db;
  beforeAll(async () => {
    const t = tdb();
    if (t.target === 'pglite') {
      db = new Kysely({ dialect: new PgliteDialect({ pglite: t.raw as PGlite }), plugins: [new PgvectorPlugin()] });
    } else {
      const pool = new pg.Pool({ connectionString: t.url, max: 3 });
      await registerVectorTypes(pool);
      db = new Kysely({ dialect: new PostgresDialect({ pool }), plugins: [new PgvectorPlugin()] });
    }
    await t.query(`CREATE TABLE ${CANARY} (id int)`);
    await t.query(`INSERT INTO ${CANARY} VALUES (1)`);
  });
  afterAll(async () => {
    await db?.destroy();
  });
  afterEach(async () => {
    expect(await tdb().query(`SELECT count(*)::int AS n FROM ${CANARY}`), 'the canary table survived').toEqual([
      { n: 1 },
    ]);
  });

  for (const name of HOSTILE_NAMES) {
    it(`schema, table, column and index named ${JSON.stringify(name)}`, async () => {
      const t = tdb();
      await db.schema.createSchema(name).execute();
      await createTable(db, t, name, name, name, ROWS);
      if (naiveFold(name) !== name) await createTable(db, t, name, naiveFold(name), name, shift(90));
      await createTable(db, t, 'public', name, name, shift(80));
      const table = [name, name];

      // Storage MAIN on the right column of the right table (the decoy in public keeps EXTERNAL).
      await setVectorStorage(db, table, name);
      const storage = (q: string[]) =>
        t.query('SELECT attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2', [
          quoteQualified(q),
          name,
        ]);
      expect(await storage(table)).toEqual([{ attstorage: 'm' }]);
      expect(await storage(['public', name])).toEqual([{ attstorage: 'e' }]);

      // Distances in select / where / orderBy, the column as one identifier (sql.id never splits).
      const scoped = db.withSchema(name);
      const col = sql.id(name);
      const from = () =>
        name.includes('.') ? db.selectFrom(sql`${sql.id(name, name)}`.as('x')) : scoped.selectFrom(name);
      const rows = await from()
        .select(['id', l2Distance(col, QUERY).as('d')])
        .where(l2Distance(col, QUERY), '<', 1.4)
        .where(FILTER, '!=', 'b')
        .orderBy(l2Distance(col, QUERY))
        .execute();
      expect(rows.map((r) => r.id)).toEqual([1, 3]);
      expect(rows[0]!.d).toBeCloseTo(Math.hypot(Math.fround(0.9) - 1, Math.fround(0.1)), 6);
      if (!name.includes('.')) {
        // A plain string reference reaches the same column when it has no dot.
        const viaString = await from().select('id').orderBy(l2Distance(name, QUERY)).limit(1).execute();
        expect(viaString).toEqual([{ id: 1 }]);
      } else {
        // Kysely reads 'dots.in.name' as schema.table.column: the string form cannot reach this column.
        expect(db.selectFrom('t').select('id').orderBy(l2Distance(name, QUERY)).compile().sql).toContain(
          '"dots"."in"."name"',
        );
      }

      // nearest: exact and approximate, with a filter on the hostile filter column.
      if (!name.includes('.')) {
        const exact = await vectorSearch(scoped, { table: name, column: name, query: QUERY, distance: 'l2', k: 2 });
        expect(exact.map((r) => [r.id, r[FILTER]])).toEqual([
          [1, 'a'],
          [2, 'b'],
        ]);
        const filtered = await vectorSearch(scoped, {
          table: name,
          column: name,
          query: QUERY,
          distance: 'l2',
          where: (eb) => eb(FILTER, '=', HOSTILE_VALUE),
        });
        expect(filtered.map((r) => r.id)).toEqual([3]);
      }

      // Indexes: created under the expected name on the right table, used by approximate search, dropped.
      const options = { table, column: name, type: 'vector', distance: 'l2' } as const;
      const indexName = await createVectorIndex(db, options);
      expect(indexName).toBe(vectorIndexName(options));
      const indexes = () =>
        t.query(
          "SELECT schemaname, tablename, indexname FROM pg_indexes WHERE indexdef LIKE '%USING hnsw%' ORDER BY indexname",
        );
      expect(await indexes()).toEqual([{ schemaname: name, tablename: name, indexname: indexName }]);
      if (!name.includes('.')) {
        const approx = await vectorSearch(scoped, {
          table: name,
          column: name,
          query: QUERY,
          distance: 'l2',
          k: 3,
          approximate: { efSearch: 10 },
        });
        expect(approx.map((r) => r.id)).toEqual([1, 2, 3]);
      }
      await dropVectorIndex(db, [name, indexName]);
      expect(await indexes()).toEqual([]);

      // The same through a migration, under an explicit hostile index name.
      const explicit = variantOf('ix', name); // an index cannot share its table's name
      const migration = vectorIndexMigration({ ...options, method: 'ivfflat', lists: 1, name: explicit });
      await migration.up(db);
      const byName = () => t.query('SELECT schemaname, tablename FROM pg_indexes WHERE indexname = $1', [explicit]);
      expect(await byName()).toEqual([{ schemaname: name, tablename: name }]);
      await migration.down?.(db);
      expect(await byName()).toEqual([]);
    });
  }

  it('nearest reads a dotted column name as one column (it is a name, not a Kysely reference)', async () => {
    const t = tdb();
    await t.query(`CREATE TABLE plain (id int PRIMARY KEY, ${quoteIdent('a.b')} vector(3), b vector(3))`);
    await t.query(`CREATE SCHEMA plain_schema`); // a split 'plain.a.b' would mean schema plain, table a, column b
    for (const [id, v] of [
      [1, [1, 0, 0]],
      [2, [0, 1, 0]],
    ] as const) {
      // Column b (the decoy a split would reach) holds the opposite order.
      await t.query('INSERT INTO plain VALUES ($1, $2, $3)', [
        id,
        vectorParam([...v], 'vector'),
        vectorParam(id === 1 ? [0, 1, 0] : [1, 0, 0], 'vector'),
      ]);
    }
    const rows = await vectorSearch(db, { table: 'plain', column: 'a.b', query: QUERY, distance: 'l2', k: 2 });
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
    expect(rows[0]!.distance).toBeCloseTo(Math.hypot(Math.fround(0.9) - 1, Math.fround(0.1)), 6);
  });

  for (const name of TOO_LONG_NAMES) {
    it(`a ${new TextEncoder().encode(name).length}-byte name ${JSON.stringify(name.slice(0, 8))}… is refused by every name-taking helper`, async () => {
      const refused = expect.objectContaining({ code: 'INVALID_IDENTIFIER' });
      await expect(createVectorExtension(db, { schema: name })).rejects.toThrow(refused);
      await expect(createVectorIndex(db, { table: name, column: 'v', type: 'vector', distance: 'l2' })).rejects.toThrow(
        refused,
      );
      await expect(createVectorIndex(db, { table: 't', column: name, type: 'vector', distance: 'l2' })).rejects.toThrow(
        refused,
      );
      expect(() => vectorIndexMigration({ table: 't', column: 'v', type: 'vector', distance: 'l2', name })).toThrow(
        refused,
      );
      await expect(dropVectorIndex(db, ['public', name])).rejects.toThrow(refused);
      await expect(setVectorStorage(db, 't', name)).rejects.toThrow(refused);
      await expect(vectorSearch(db, { table: 't', column: name, query: QUERY, distance: 'l2' })).rejects.toThrow(
        refused,
      );
      await expect(
        vectorSearch(db, { table: name as 'plain', column: 'v', query: QUERY, distance: 'l2' }),
      ).rejects.toThrow(refused);
      await expect(
        vectorSearch(db, { table: `public.${name}` as 'plain', column: 'v', query: QUERY, distance: 'l2' }),
      ).rejects.toThrow(refused);
    });
  }

  // Last: it drops and re-creates the extension (new type OIDs).
  it('createVectorExtension and vectorExtensionMigration install pgvector in a hostile schema', async () => {
    for (const schema of HOSTILE_NAMES.slice(0, 4)) {
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
      await tdb().query('DROP EXTENSION vector CASCADE'); // the earlier tests' vector columns go with it
      const migration = vectorExtensionMigration({ schema });
      await (schema === HOSTILE_NAMES[0] ? createVectorExtension(db, { schema }) : migration.up(db));
      const rows = await tdb().query(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'",
      );
      expect(rows).toEqual([{ nspname: schema }]);
      await migration.down?.(db);
      expect(await tdb().query("SELECT 1 FROM pg_extension WHERE extname = 'vector'")).toHaveLength(0);
      await tdb().query('CREATE EXTENSION vector');
    }
  });
});
