/**
 * Hostile identifiers through vecpg/mikro-orm, on both databases (./hostile-names.ts plus names
 * with `?`, which MikroORM and Knex read as placeholders). For each name, a vector column of that
 * name goes through `vectorIndex` in the entity's `indexes` (schema generator, then no diff), the
 * distance fragments in `em.find` where / orderBy and in a QueryBuilder select (`.as(name)`),
 * `vectorSearch` (exact, filtered, approximate), and the migration helpers run by MikroORM's
 * Migrator (`setVectorStorage`, `addVectorIndex`, `dropVectorIndex`, `createVectorExtension` in a
 * schema). The canary table survives every test; a decoy vector column (`vec`) holds the rows in
 * the opposite order, and decoy tables sit in `public` and under the case-folded name.
 *
 * vecpg writes a name containing `?` as a Unicode-escaped identifier (`U&"a\003Fb"`): MikroORM
 * rewrites `?` in raw fragments once or twice (its own pass, then Knex's) and not at all in
 * migrations, so any backslash escape reached the wrong column on one path or another.
 *
 * MikroORM 6.6's limitations (not vecpg's): its own SQL — schema generator, inserts, selects,
 * schema diffs — quotes names as `"${name}"` without doubling a `"` inside (SQL injection through
 * MikroORM), splits them at the first dot, and formats a `?` in them as a placeholder; and its
 * entity mapper is JavaScript it generates with each column name in a string literal
 * (`result['${name}']`, EntityComparator), so a `'`, a backslash or a line break in a mapped
 * column's name breaks or silently mis-maps it (and is code injection). Names with any of those
 * characters therefore live here as unmapped vector columns of a plainly named table, which only
 * vecpg's SQL names; the others are MikroORM's schema, table and mapped column.
 */
import { EntitySchema } from '@mikro-orm/core';
import { Migration, Migrator } from '@mikro-orm/migrations';
import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { quoteIdent, quoteQualified } from 'vecpg';
import { vectorParam } from 'vecpg/sql';
import {
  createVectorExtension,
  createVectorIndex,
  dropVectorIndex,
  l2Distance,
  mikroOrmPglite,
  vectorSearch,
  setVectorStorage,
  vectorIndex,
  vectorProperty,
} from 'vecpg/mikro-orm';
import { quoteIdentWithoutQuestionMarks, withoutQuestionMarksInIdentifiers } from '../../src/sql/identifiers.ts';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { CANARY, HOSTILE_NAMES, HOSTILE_VALUE, QUERY, ROWS, indexOn, naiveFold, variantOf } from './hostile-names.ts';

const NAMES = [...HOSTILE_NAMES, 'a?b', 'a??b', 'a\\?b', '$1 ?'];
/** A hostile text column name MikroORM can map (see above for the characters it cannot). */
const FILTER = 'f; DELETE FROM canary; -- /*';
/** The decoy column `vec` holds the rows in the opposite order. */
const DECOY: Record<number, number[]> = { 1: [0, 0, 1], 2: [0, 1, 0], 3: [1, 0, 0] };

interface Item {
  id: number;
  vec: number[];
  tag: string;
}

/** Names MikroORM can carry (see above): its schema, table and mapped column. */
const managed = (name: string) => !/["?.'\\\n]/.test(name);
const tableOf = (name: string, i: number): [string, string] => (managed(name) ? [name, name] : ['public', `t_${i}`]);

function entityFor(name: string, i: number): EntitySchema<Item> {
  const [schema, table] = tableOf(name, i);
  return new EntitySchema<Item>({
    name: `Item${i}`,
    tableName: table,
    ...(schema === 'public' ? {} : { schema }),
    properties: {
      id: { type: 'number', primary: true },
      vec: { ...vectorProperty('vector', 3), fieldName: managed(name) ? name : 'vec' },
      tag: { type: 'string', fieldName: FILTER },
    },
    indexes: [
      vectorIndex({
        table: [schema, table],
        column: managed(name) ? name : 'vec',
        type: 'vector',
        distance: 'l2',
        name: variantOf('ix', name),
      }),
    ],
  });
}

/** Per name: storage MAIN and an IVFFlat index on the name's column, dropped again on down. */
function migrationFor(name: string, i: number) {
  const table = tableOf(name, i);
  return class extends Migration {
    override async up(): Promise<void> {
      setVectorStorage(this, table, name);
      createVectorIndex(this, {
        table,
        column: name,
        type: 'vector',
        distance: 'l2',
        method: 'ivfflat',
        lists: 1,
        name: variantOf('iv', name),
      });
    }
    override async down(): Promise<void> {
      dropVectorIndex(this, [table[0], variantOf('iv', name)]);
      setVectorStorage(this, table, name, 'external');
    }
  };
}

/** The extension in a hostile schema, through a migration. */
class ExtensionInSchema extends Migration {
  override async up(): Promise<void> {
    this.addSql('DROP EXTENSION vector CASCADE');
    createVectorExtension(this, { schema: HOSTILE_NAMES[0]! });
  }
}

const ENTITIES = NAMES.map((name, i) => entityFor(name, i));

async function createDecoy(t: TestDb, table: string[], offset: number): Promise<void> {
  await t.query(`CREATE TABLE ${quoteQualified(table)} (id int PRIMARY KEY, ${quoteIdent(table[1]!)} vector(3))`);
  for (const [id, v] of ROWS)
    await t.query(`INSERT INTO ${quoteQualified(table)} VALUES ($1, $2)`, [id + offset, vectorParam(v, 'vector')]);
}

describeEachTarget('security: hostile identifiers through MikroORM', (tdb) => {
  let orm: MikroORM;
  let diff = '';
  beforeAll(async () => {
    const t = tdb();
    await t.query(`CREATE TABLE ${CANARY} (id int)`);
    await t.query(`INSERT INTO ${CANARY} VALUES (1)`);
    for (const name of NAMES.filter(managed)) await t.query(`CREATE SCHEMA ${quoteIdent(name)}`);
    const target =
      t.target === 'pglite' ? await mikroOrmPglite(t.raw as PGlite) : { driver: PostgreSqlDriver, clientUrl: t.url! };
    const migrationsList = [
      ...NAMES.map((name, i) => ({ name: `m${String(i).padStart(2, '0')}`, class: migrationFor(name, i) })),
      { name: 'm99_extension', class: ExtensionInSchema },
    ];
    orm = await MikroORM.init({
      ...target,
      entities: ENTITIES,
      allowGlobalContext: false,
      extensions: [Migrator],
      migrations: { migrationsList },
    });
    await orm.schema.createSchema();
    diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    // Unmapped columns after the diff (MikroORM would offer to drop them): the names it cannot carry.
    for (const [i, name] of NAMES.entries())
      if (!managed(name))
        await t.query(`ALTER TABLE ${quoteQualified(tableOf(name, i))} ADD COLUMN ${quoteIdent(name)} vector(3)`);
    const em = orm.em.fork();
    for (const [i, name] of NAMES.entries()) {
      for (const [id, v, tag] of ROWS) em.create(ENTITIES[i]!, { id, vec: managed(name) ? v : DECOY[id]!, tag });
    }
    await em.flush();
    for (const [i, name] of NAMES.entries()) {
      if (managed(name)) continue;
      for (const [id, v] of ROWS)
        await t.query(`UPDATE ${quoteQualified(tableOf(name, i))} SET ${quoteIdent(name)} = $1 WHERE id = $2`, [
          vectorParam(v, 'vector'),
          id,
        ]);
    }
  });
  afterAll(async () => {
    await orm?.close();
  });
  afterEach(async () => {
    expect(await tdb().query(`SELECT count(*)::int AS n FROM ${CANARY}`), 'the canary table survived').toEqual([
      { n: 1 },
    ]);
  });

  it('a name with `?` is written as a Unicode-escaped identifier, which PostgreSQL reads as the name', async () => {
    expect(quoteIdentWithoutQuestionMarks('items')).toBe('"items"');
    expect(quoteIdentWithoutQuestionMarks('a?b')).toBe('U&"a\\003Fb"');
    expect(quoteIdentWithoutQuestionMarks('a\\?"b')).toBe('U&"a\\\\\\003F""b"');
    expect(withoutQuestionMarksInIdentifiers('ALTER TABLE "t" ALTER COLUMN "a?""b" SET STORAGE MAIN')).toBe(
      'ALTER TABLE "t" ALTER COLUMN U&"a\\003F""b" SET STORAGE MAIN',
    );
    expect(() => quoteIdentWithoutQuestionMarks(`${'a'.repeat(63)}?`)).toThrow(
      expect.objectContaining({ code: 'INVALID_IDENTIFIER' }),
    );
    for (const name of NAMES) {
      const rows = await tdb().query(`SELECT 1 AS ${quoteIdentWithoutQuestionMarks(name)}`);
      expect(Object.keys(rows[0]!)).toEqual([name]);
    }
  });

  it('the schema generator created every vectorIndex on its table, and then has nothing to change', async () => {
    expect(diff.trim()).toBe(`drop table if exists "${CANARY}" cascade;`); // the only table it does not know
    for (const [i, name] of NAMES.entries()) {
      const [schema, table] = tableOf(name, i);
      const column = managed(name) ? name : 'vec';
      expect(await indexOn(tdb(), variantOf('ix', name))).toEqual([
        { schema, table, column, method: 'hnsw', opclass: 'vector_l2_ops' },
      ]);
    }
  });

  for (const [i, name] of NAMES.entries()) {
    it(`vector column named ${JSON.stringify(name)}${managed(name) ? ', in a schema and table of that name' : ''}`, async () => {
      const t = tdb();
      const [schema, table] = tableOf(name, i);
      if (managed(name)) {
        if (naiveFold(name) !== name) await createDecoy(t, [schema, naiveFold(name)], 90);
        await createDecoy(t, ['public', name], 80);
      }
      const Item = ENTITIES[i]!;
      const em = orm.em.fork();

      // Distance fragments in where and orderBy (em.find), and in a select list under a hostile alias.
      const found = await em.find(
        Item,
        { [l2Distance(name, QUERY)]: { $lt: 1.4 }, tag: { $ne: 'b' } },
        { orderBy: { [l2Distance(name, QUERY)]: 'asc' } },
      );
      expect(found.map((r) => r.id)).toEqual([1, 3]);
      const alias = variantOf('d', name);
      const selected = await em
        .createQueryBuilder(Item)
        .select(['id', l2Distance(name, QUERY).as(alias)])
        .orderBy({ id: 'asc' })
        .execute<Array<Record<string, unknown>>>('all', false);
      expect(selected.map((r) => [r.id, Number(r[alias]).toFixed(4)])).toEqual([
        [1, Math.hypot(Math.fround(0.9) - 1, Math.fround(0.1)).toFixed(4)],
        [2, Math.hypot(Math.fround(0.9), Math.fround(0.1) - 1).toFixed(4)],
        [3, Math.hypot(Math.fround(0.9), Math.fround(0.1), 1).toFixed(4)],
      ]);

      // vectorSearch: exact, filtered on the hostile text column (a bound value), approximate.
      const exact = await vectorSearch(em, Item, { column: name, query: QUERY, distance: 'l2', k: 2 });
      expect(exact.map((h) => h.entity.id)).toEqual([1, 2]);
      const filtered = await vectorSearch(em, Item, {
        column: name,
        query: QUERY,
        distance: 'l2',
        where: { tag: HOSTILE_VALUE },
        maxDistance: 2,
      });
      expect(filtered.map((h) => [h.entity.id, h.entity.tag])).toEqual([[3, HOSTILE_VALUE]]);
      const approx = await vectorSearch(em, Item, {
        column: name,
        query: QUERY,
        distance: 'l2',
        k: 3,
        approximate: { efSearch: 10 },
      });
      expect(approx.map((h) => h.entity.id)).toEqual([1, 2, 3]);

      // Migration helpers through MikroORM's Migrator: storage and an index on this column of this table, then down.
      const storage = () =>
        t.query('SELECT attname, attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attstorage = $2', [
          quoteQualified([schema, table]),
          'm',
        ]);
      const ivf = () => indexOn(t, variantOf('iv', name));
      const migration = `m${String(i).padStart(2, '0')}`;
      expect((await orm.migrator.up({ migrations: [migration] })).map((m) => m.name)).toEqual([migration]);
      expect(await storage()).toEqual([{ attname: name, attstorage: 'm' }]);
      expect(await ivf()).toEqual([{ schema, table, column: name, method: 'ivfflat', opclass: 'vector_l2_ops' }]);
      await orm.migrator.down({ migrations: [migration] });
      expect(await storage()).toEqual([]);
      expect(await ivf()).toEqual([]);
    });
  }

  // Last: it drops and re-creates the extension (and the vector columns with it).
  it('createVectorExtension installs pgvector in a hostile schema through the Migrator', async () => {
    await tdb().query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(HOSTILE_NAMES[0]!)}`);
    expect((await orm.migrator.up({ migrations: ['m99_extension'] })).map((m) => m.name)).toEqual(['m99_extension']);
    const rows = await tdb().query(
      "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'",
    );
    expect(rows).toEqual([{ nspname: HOSTILE_NAMES[0] }]);
  });
});
