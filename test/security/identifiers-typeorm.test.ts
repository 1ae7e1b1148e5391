/**
 * Hostile identifiers through vecpg/typeorm, on both databases (./hostile-names.ts). For each name,
 * an entity lives in a schema and a table of that name (`@Entity({ schema, name })`), its vector
 * column carries the name (`@VectorColumn(3, { name })`), a sparsevec column and an index carry
 * variants of it, and a text column has a hostile name of its own. Through them go TypeORM's
 * synchronize with `registerVectorTypes` (the sparsevec dimensions read back: no pending diff),
 * `syncVectorSchema` (storage MAIN and `@VectorIndex`), the migration helpers (`createVectorIndex`,
 * `dropVectorIndex`, `setVectorStorage`, `createVectorExtension` in a schema), the distance helpers
 * in a QueryBuilder, and `vectorSearch` (exact, filtered, approximate). The canary table survives
 * every test; decoys under the case-folded name and in `public` hold other rows.
 *
 * Limitations of TypeORM 1.1.1 itself, which vecpg cannot fix (its runtime query builder quotes
 * names correctly; its DDL and schema reader do not):
 * - DDL (`synchronize`, `QueryRunner.createTable`, the migration generator) writes names as
 *   `"${name}"` without doubling a `"` inside: a name with `"` breaks it, and a crafted one is SQL
 *   injection through TypeORM (`CREATE TABLE "x"; DROP TABLE canary; --"…`).
 * - The schema reader (`PostgresQueryRunner.loadTables`, run by synchronize) writes table and schema
 *   names into string literals without escaping `'`: same failure, same injection risk.
 * - A table path is one dotted string (`schema.table`), split on dots when quoted, so a table or
 *   schema whose name contains a dot cannot be addressed at all (`@Entity({ name: 'a.b' })` is
 *   table `b` of schema `a`).
 * So the tables of names with `"` or `'` are created here by SQL (vecpg's quoter) and never
 * synchronized (the test 'TypeORM's own DDL …' asserts the refusal), and the dotted name is the column
 * of a plainly named table. Everything vecpg does on those tables is tested like the others.
 */
import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { SparseVector, quoteIdent, quoteQualified } from 'vecpg';
import { vectorParam } from 'vecpg/sql';
import {
  SparsevecColumn,
  VectorColumn,
  VectorIndex,
  createVectorExtension,
  createVectorIndex,
  dropVectorIndex,
  getManyWithDistance,
  l2Distance,
  pgliteOptions,
  registerVectorTypes,
  setVectorStorage,
  syncVectorSchema,
  vectorSearch,
} from 'vecpg/typeorm';
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

/** A hostile text column name TypeORM's DDL can write (no `"`: see above). */
const FILTER = "f'); DELETE FROM canary; --";

interface Item {
  id: number;
  vec: number[];
  sparse: SparseVector | null;
  tag: string;
}
type ItemClass = new () => Item;

/** The table of each name: in its own schema, except that TypeORM cannot address a dotted table path. */
const tableOf = (name: string): [string, string] =>
  name.includes('.') ? ['public', `t_${HOSTILE_NAMES.indexOf(name)}`] : [name, name];
/** Names TypeORM's DDL and schema reader handle (no `"`, no `'`): synchronized; the others are created by SQL. */
const synchronizable = (name: string) => !/["']/.test(name);

/** An entity for `name`, declared with TypeORM's own decorators, applied by hand. */
function entityFor(name: string, [schema, table] = tableOf(name)): ItemClass {
  const Item = class {} as unknown as ItemClass;
  Object.defineProperty(Item, 'name', { value: `Item${HOSTILE_NAMES.indexOf(name)}` });
  PrimaryColumn({ type: 'int' })(Item.prototype, 'id');
  VectorColumn(3, { name })(Item.prototype, 'vec');
  VectorIndex({ name: variantOf('ix', name), distance: 'l2', method: 'hnsw' })(Item.prototype, 'vec');
  SparsevecColumn(5, { name: variantOf('s', name), nullable: true })(Item.prototype, 'sparse');
  Column({ type: 'text', name: FILTER })(Item.prototype, 'tag');
  Entity({ name: table, schema })(Item);
  return Item;
}

const ENTITIES = new Map(HOSTILE_NAMES.map((name) => [name, entityFor(name)]));

async function createDecoy(t: TestDb, table: string[], column: string, offset: number): Promise<void> {
  await t.query(
    `CREATE TABLE ${quoteQualified(table)} (id int PRIMARY KEY, ${quoteIdent(column)} vector(3), ${quoteIdent(FILTER)} text)`,
  );
  for (const [id, v, f] of ROWS) {
    await t.query(`INSERT INTO ${quoteQualified(table)} VALUES ($1, $2, $3)`, [
      id + offset,
      vectorParam(v, 'vector'),
      f,
    ]);
  }
}

describeEachTarget('security: hostile identifiers through TypeORM', (tdb) => {
  let ds: DataSource;
  let pending: string[] = [];
  beforeAll(async () => {
    const t = tdb();
    await t.query(`CREATE TABLE ${CANARY} (id int)`);
    await t.query(`INSERT INTO ${CANARY} VALUES (1)`);
    const base = t.target === 'server' ? { type: 'postgres' as const, url: t.url! } : pgliteOptions(t.raw as PGlite);
    // TypeORM's synchronize expects the schemas to exist.
    for (const [schema] of HOSTILE_NAMES.map(tableOf))
      if (schema !== 'public') await t.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    const synced = registerVectorTypes(
      new DataSource({ ...base, entities: [...ENTITIES].filter(([n]) => synchronizable(n)).map(([, e]) => e) }),
    );
    await synced.initialize();
    await synced.synchronize();
    // Read back with registerVectorTypes's sparsevec dimensions: nothing left to change.
    pending = (await synced.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
    await synced.destroy();
    for (const name of HOSTILE_NAMES.filter((n) => !synchronizable(n))) {
      const [schema, table] = tableOf(name);
      await t.query(
        `CREATE TABLE ${quoteQualified([schema, table])} (id int PRIMARY KEY, ${quoteIdent(name)} vector(3), ${quoteIdent(variantOf('s', name))} sparsevec(5), ${quoteIdent(FILTER)} text)`,
      );
    }
    ds = registerVectorTypes(new DataSource({ ...base, entities: [...ENTITIES.values()] }));
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
  });
  afterEach(async () => {
    expect(await tdb().query(`SELECT count(*)::int AS n FROM ${CANARY}`), 'the canary table survived').toEqual([
      { n: 1 },
    ]);
  });

  it('synchronize created every column under its name, and reads the schema back with nothing to change', async () => {
    expect(pending).toEqual([]);
    for (const name of HOSTILE_NAMES) {
      const types = await tdb().query(
        'SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
        [quoteQualified(tableOf(name))],
      );
      expect(types).toEqual([
        { attname: 'id', type: 'integer' },
        { attname: name, type: 'vector(3)' },
        { attname: variantOf('s', name), type: 'sparsevec(5)' },
        { attname: FILTER, type: 'text' },
      ]);
    }
  });

  for (const name of HOSTILE_NAMES) {
    it(`entity in schema, table and column named ${JSON.stringify(name)}`, async () => {
      const t = tdb();
      const [schema, table] = tableOf(name);
      const Item = ENTITIES.get(name)!;
      if (naiveFold(table) !== table) await createDecoy(t, [schema, naiveFold(table)], name, 90);
      if (schema !== 'public') await createDecoy(t, ['public', table], name, 80);
      const repo = ds.getRepository(Item);
      await repo.save(
        ROWS.map(([id, vec, tag]) => ({ id, vec, tag, sparse: id === 1 ? new SparseVector({ 4: 1 }, 5) : null })),
      );
      expect(
        await t.query(
          `SELECT id, ${quoteIdent(variantOf('s', name))}::text AS s FROM ${quoteQualified([schema, table])} ORDER BY id`,
        ),
      ).toEqual([
        { id: 1, s: '{5:1}/5' },
        { id: 2, s: null },
        { id: 3, s: null },
      ]);

      // syncVectorSchema: MAIN storage on both vector columns of this table only, the declared index, then nothing.
      const statements = await syncVectorSchema(ds, [Item]);
      expect(statements).toEqual([
        `ALTER TABLE ${quoteQualified([schema, table])} ALTER COLUMN ${quoteIdent(name)} SET STORAGE MAIN`,
        `ALTER TABLE ${quoteQualified([schema, table])} ALTER COLUMN ${quoteIdent(variantOf('s', name))} SET STORAGE MAIN`,
        `CREATE INDEX IF NOT EXISTS ${quoteIdent(variantOf('ix', name))} ON ${quoteQualified([schema, table])} USING hnsw (${quoteIdent(name)} vector_l2_ops)`,
      ]);
      const storage = (q: string[]) =>
        t.query('SELECT attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2', [
          quoteQualified(q),
          name,
        ]);
      expect(await storage([schema, table])).toEqual([{ attstorage: 'm' }]);
      if (schema !== 'public') expect(await storage(['public', table])).toEqual([{ attstorage: 'e' }]);
      expect(
        await t.query('SELECT schemaname, tablename FROM pg_indexes WHERE indexname = $1', [variantOf('ix', name)]),
      ).toEqual([{ schemaname: schema, tablename: table }]);
      expect(await syncVectorSchema(ds, [Item])).toEqual([]);

      // vectorSearch: exact, filtered on the hostile text column (a bound value), then through the index.
      const exact = await vectorSearch(repo, { column: 'vec', query: QUERY, distance: 'l2', k: 2 });
      expect(exact.map((h) => h.entity.id)).toEqual([1, 2]);
      expect(exact[0]!.distance).toBeCloseTo(Math.hypot(Math.fround(0.9) - 1, Math.fround(0.1)), 6);
      const filtered = await vectorSearch(repo, {
        column: 'vec',
        query: QUERY,
        distance: 'l2',
        where: { tag: HOSTILE_VALUE },
        maxDistance: 2,
      });
      expect(filtered.map((h) => [h.entity.id, h.entity.tag])).toEqual([[3, HOSTILE_VALUE]]);
      const approx = await vectorSearch(repo, {
        column: 'vec',
        query: QUERY,
        distance: 'l2',
        k: 3,
        approximate: { efSearch: 10 },
      });
      expect(approx.map((h) => h.entity.id)).toEqual([1, 2, 3]);

      // The distance helpers in a QueryBuilder: TypeORM maps the property path to the quoted column.
      const d = l2Distance('item.vec', QUERY, { param: 'q' });
      const qb = repo
        .createQueryBuilder('item')
        .addSelect(d.sql, 'distance')
        .where(`${d.sql} < :max`, { max: 1.3 })
        .orderBy(d.exactSql)
        .setParameters(d.parameters);
      expect(qb.getQuery()).toContain(`"item".${quoteIdent(name)} <-> CAST(:q AS vector)`);
      expect((await getManyWithDistance(qb)).map((h) => h.entity.id)).toEqual([1, 2]);

      // Migration helpers: an IVFFlat index under another hostile name on the right table, storage back, index dropped.
      const ivf = variantOf('iv', name);
      await createVectorIndex(ds, {
        table: [schema, table],
        column: name,
        type: 'vector',
        distance: 'l2',
        method: 'ivfflat',
        lists: 1,
        name: ivf,
      });
      expect(await t.query('SELECT schemaname, tablename FROM pg_indexes WHERE indexname = $1', [ivf])).toEqual([
        { schemaname: schema, tablename: table },
      ]);
      await dropVectorIndex(ds, [schema, ivf]);
      expect(await t.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [ivf])).toEqual([]);
      await setVectorStorage(ds, [schema, table], name, 'external');
      expect(await storage([schema, table])).toEqual([{ attstorage: 'e' }]);
    });
  }

  for (const name of TOO_LONG_NAMES) {
    it(`a ${new TextEncoder().encode(name).length}-byte name ${JSON.stringify(name.slice(0, 8))}… is refused by the name-taking helpers`, async () => {
      const refused = expect.objectContaining({ code: 'INVALID_IDENTIFIER' });
      await expect(createVectorExtension(ds, { schema: name })).rejects.toThrow(refused);
      await expect(createVectorIndex(ds, { table: name, column: 'v', type: 'vector', distance: 'l2' })).rejects.toThrow(
        refused,
      );
      await expect(
        createVectorIndex(ds, { table: 't', column: 'v', type: 'vector', distance: 'l2', name }),
      ).rejects.toThrow(refused);
      await expect(dropVectorIndex(ds, ['public', name])).rejects.toThrow(refused);
      await expect(setVectorStorage(ds, 't', name)).rejects.toThrow(refused);
    });
  }

  it("TypeORM's own DDL fails on a name with a quote (its limitation, above), and injects nothing", async () => {
    const t = tdb();
    const base = t.target === 'server' ? { type: 'postgres' as const, url: t.url! } : pgliteOptions(t.raw as PGlite);
    for (const name of [...HOSTILE_NAMES.filter((n) => n.includes('"')), "it's"]) {
      const fresh = variantOf('new', name);
      const other = registerVectorTypes(new DataSource({ ...base, entities: [entityFor(name, ['public', fresh])] }));
      await other.initialize();
      await expect(other.synchronize()).rejects.toThrow(/syntax error/);
      await other.destroy();
      expect(await t.query('SELECT 1 FROM pg_class WHERE relname = $1', [fresh])).toEqual([]);
    }
  });

  // Last: it drops and re-creates the extension (new type OIDs).
  it('createVectorExtension installs pgvector in a hostile schema', async () => {
    for (const schema of HOSTILE_NAMES.slice(0, 4)) {
      await tdb().query('DROP EXTENSION vector CASCADE'); // the earlier tests' vector columns go with it
      await tdb().query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await createVectorExtension(ds, { schema });
      const rows = await tdb().query(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'",
      );
      expect(rows).toEqual([{ nspname: schema }]);
    }
    await tdb().query('DROP EXTENSION vector');
    await tdb().query('CREATE EXTENSION vector');
  });
});
