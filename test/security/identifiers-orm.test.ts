/**
 * Hostile identifiers through ORM integrations whose host rewrites the SQL text vecpg hands it:
 * Knex (`?` placeholders; vecpg's `$n` are rewritten to them) and Sequelize (`$name` bind
 * parameters). A name containing `?`, `$1` or `$word` must still be one quoted identifier — the
 * rewriting must not reach inside it — and the canary table must survive.
 */
import type { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import { DataTypes, Sequelize } from 'sequelize';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent, quoteQualified, search } from 'vecpg';
import { vectorParam } from 'vecpg/sql';
import {
  createVectorIndex,
  dropVectorIndex,
  wrapKnex,
  knexPglite,
  setVectorStorage,
  withVectorTypes,
} from 'vecpg/knex';
import { VECTOR, registerVectorTypes, vectorSearch } from 'vecpg/sequelize';
import { TARGETS, type TestDb, describeEachTarget, openTestDb } from '../support/db.ts';
import { CANARY, HOSTILE_VALUE, QUERY, indexOn, variantOf } from './hostile-names.ts';

/** Names that collide with the hosts' placeholder syntaxes, plus the classic injection. */
const NAMES = ['$1', 'a?b', 'a\\?b', '$2 ? $1', 'price$usd', `x"; DROP TABLE ${CANARY}; --`];

async function createTable(run: (sql: string, params?: unknown[]) => Promise<unknown>, name: string): Promise<void> {
  const t = quoteQualified(name);
  await run(`CREATE TABLE ${t} (id int PRIMARY KEY, ${quoteIdent(name)} vector(3), tag text)`);
  for (const [id, v, tag] of [
    [1, [1, 0, 0], 'a'],
    [2, [0, 1, 0], 'b'],
    [3, [0, 0, 1], HOSTILE_VALUE],
  ] as const) {
    await run(`INSERT INTO ${t} (id, ${quoteIdent(name)}, tag) VALUES ($1, $2, $3)`, [
      id,
      vectorParam([...v], 'vector'),
      tag,
    ]);
  }
}

describeEachTarget('security: hostile identifiers through Knex', (db) => {
  let knex: Knex;
  beforeAll(async () => {
    const t: TestDb = db();
    knex =
      t.target === 'pglite'
        ? await knexPglite(t.raw as PGlite)
        : knexFactory(withVectorTypes({ client: 'pg', connection: t.url!, pool: { min: 0, max: 2 } }));
    await db().query(`CREATE TABLE ${CANARY} (id int)`);
    await db().query(`INSERT INTO ${CANARY} VALUES (1)`);
  });
  afterAll(async () => {
    if (db().target === 'server') await knex.destroy();
  });
  afterEach(async () => {
    expect(await db().query(`SELECT count(*)::int AS n FROM ${CANARY}`)).toEqual([{ n: 1 }]);
  });

  for (const name of NAMES) {
    it(`search through wrapKnex on a table and column named ${JSON.stringify(name)}`, async () => {
      await createTable((sql, params) => db().query(sql, params), name);
      const kdb = wrapKnex(knex);
      const rows = await search(kdb, { table: name, column: name, query: QUERY, distance: 'l2', k: 2, select: ['id'] });
      expect(rows.map((r) => r.id)).toEqual([1, 2]);
      const filtered = await search(kdb, {
        table: name,
        column: name,
        query: QUERY,
        distance: 'l2',
        where: { tag: HOSTILE_VALUE },
        select: ['id'],
      });
      expect(filtered.map((r) => r.id)).toEqual([3]);
      const approx = await search(kdb, {
        table: name,
        column: name,
        query: QUERY,
        distance: 'l2',
        k: 1,
        select: ['id'],
        approximate: { efSearch: 5 },
      });
      expect(approx.map((r) => r.id)).toEqual([1]);
      // The migration helpers (knex.raw without bindings) reach the same column.
      await setVectorStorage(knex, name, name);
      expect(
        await db().query('SELECT attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2', [
          quoteIdent(name),
          name,
        ]),
      ).toEqual([{ attstorage: 'm' }]);
      const index = variantOf('ix', name);
      await createVectorIndex(knex, { table: name, column: name, type: 'vector', distance: 'l2', name: index });
      expect(await indexOn(db(), index)).toEqual([
        { schema: 'public', table: name, column: name, method: 'hnsw', opclass: 'vector_l2_ops' },
      ]);
      await dropVectorIndex(knex, index);
      expect(await indexOn(db(), index)).toEqual([]);
    });
  }
});

if (TARGETS.includes('server')) {
  describe('security: hostile identifiers through Sequelize [server]', () => {
    let t: TestDb;
    let sequelize: Sequelize;
    beforeAll(async () => {
      t = await openTestDb('server');
      sequelize = new Sequelize(t.url!, { dialect: 'postgres', logging: false });
      await registerVectorTypes(sequelize);
      await t.query(`CREATE TABLE ${CANARY} (id int)`);
      await t.query(`INSERT INTO ${CANARY} VALUES (1)`);
    });
    afterAll(async () => {
      await sequelize?.close();
      await t?.close();
    });
    afterEach(async () => {
      expect(await t.query(`SELECT count(*)::int AS n FROM ${CANARY}`)).toEqual([{ n: 1 }]);
    });

    // Sequelize quotes table and column names itself and strips `"` from them (its own quoting), and
    // scans the whole statement for `$name` bind markers: a name with `"`, or a column named `$1`,
    // cannot be addressed through Sequelize at all (it fails; nothing is injected). vecpg's part —
    // the vector column in the distance — is quoted by vecpg; these names exercise it.
    const COLUMNS = ['a?b', 'price$usd', 'x; DROP TABLE canary; --', 'MixedCase', 'dots.in.name'];
    for (const [i, name] of COLUMNS.entries()) {
      it(`vectorSearch on a model whose vector column is named ${JSON.stringify(name)}`, async () => {
        const table = `seq_items_${i}`;
        await t.query(`CREATE TABLE ${table} (id int PRIMARY KEY, ${quoteIdent(name)} vector(3), tag text)`);
        for (const [id, v, tag] of [
          [1, [1, 0, 0], 'a'],
          [2, [0, 1, 0], 'b'],
          [3, [0, 0, 1], HOSTILE_VALUE],
        ] as const) {
          await t.query(`INSERT INTO ${table} VALUES ($1, $2, $3)`, [id, vectorParam([...v], 'vector'), tag]);
        }
        const Model = sequelize.define(
          `M${i}`,
          {
            id: { type: DataTypes.INTEGER, primaryKey: true },
            vec: { type: VECTOR(3), field: name },
            tag: DataTypes.TEXT,
          },
          { tableName: table, timestamps: false },
        );
        const hits = await vectorSearch(Model, { column: 'vec', query: QUERY, distance: 'l2', k: 2 });
        expect(hits.map((h) => h.instance.get('id'))).toEqual([1, 2]);
        const filtered = await vectorSearch(Model, {
          column: 'vec',
          query: QUERY,
          distance: 'l2',
          where: { tag: HOSTILE_VALUE },
        });
        expect(filtered.map((h) => h.instance.get('id'))).toEqual([3]);
      });
    }
  });
}
