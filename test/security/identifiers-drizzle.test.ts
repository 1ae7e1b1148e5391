/**
 * Hostile identifiers through vecpg/drizzle, on both databases (./hostile-names.ts). For each name,
 * a Drizzle table declared the Drizzle way — `pgSchema(name).table(name, { vec: vector(name, …),
 * tag: text(FILTER) }, (t) => [hnswIndex(…), ivfflatIndex(…, { name })])` — goes through the index
 * helpers (name, opclass and options, then the `CREATE INDEX` drizzle-kit writes from them),
 * `vectorStorageMigration`, the distance helpers in select / where / orderBy with `exact()`, and
 * `nearest` (exact, filtered, approximate); `createVectorExtension` / `vectorExtensionMigration` install the
 * extension in a hostile schema. The canary table survives every test; decoys under the
 * case-folded name and in `public` hold other rows.
 *
 * drizzle-kit 0.31's limitations (not vecpg's; drizzle-orm's runtime quotes every name correctly),
 * asserted at the end: its generated DDL writes names as `"${name}"` without doubling a `"` inside
 * (`CREATE SCHEMA "x"; DROP TABLE canary; --"` — SQL injection through a migration file), and its
 * snapshot format joins an index's parts with `;` and `--`, so an index on a column whose name holds
 * either is mis-generated or refused. For those names the tables and indexes are created here with
 * vecpg's own SQL layer, from the same index definitions; everything else goes through drizzle-kit.
 */
import type { PGlite } from '@electric-sql/pglite';
import { and, eq, lt, ne, sql } from 'drizzle-orm';
import {
  type PgDatabase,
  type PgQueryResultHKT,
  getTableConfig,
  integer,
  pgSchema,
  pgTable,
  text,
} from 'drizzle-orm/pg-core';
import type { Pool } from 'pg';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { createIndexSql, quoteIdent, quoteQualified } from 'vecpg';
import { defaultIndexName, vectorParam } from 'vecpg/sql';
import {
  STATEMENT_BREAKPOINT,
  createVectorExtension,
  exact,
  hnswIndex,
  ivfflatIndex,
  l2Distance,
  vectorSearch,
  vectorExtensionMigration,
  vectorStorageMigration,
  vector,
} from 'vecpg/drizzle';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import {
  CANARY,
  HOSTILE_NAMES,
  HOSTILE_VALUE,
  QUERY,
  ROWS,
  TOO_LONG_NAMES,
  indexOn,
  naiveFold,
  variantOf,
} from './hostile-names.ts';

type Db = PgDatabase<PgQueryResultHKT>;
const kit = await import('drizzle-kit/api');

const FILTER = 'f"; DELETE FROM canary; --';
/** Names drizzle-kit writes correct index DDL for (see above). */
const kitSafe = (name: string) => !/["';]|--/.test(name);

/** The table of `name`, declared with Drizzle's own naming, with vecpg's index helpers or without. */
function tableFor(name: string, indexes = true) {
  const schema = pgSchema(name);
  const columns = { id: integer('id').primaryKey(), vec: vector(name, { dimensions: 3 }), tag: text(FILTER) };
  const table = indexes
    ? schema.table(name, columns, (t) => [
        hnswIndex(t.vec, 'l2'),
        ivfflatIndex(t.vec, 'l2', { name: variantOf('iv', name), lists: 1 }),
      ])
    : schema.table(name, columns);
  return { schema, table };
}

async function drizzleFor(t: TestDb): Promise<Db> {
  if (t.target === 'pglite') return (await import('drizzle-orm/pglite')).drizzle({ client: t.raw as PGlite });
  return (await import('drizzle-orm/node-postgres')).drizzle({ client: t.raw as Pool });
}

async function createTable(t: TestDb, table: string[], offset: number): Promise<void> {
  const column = quoteIdent(table[1]!);
  await t.query(
    `CREATE TABLE ${quoteQualified(table)} (id int PRIMARY KEY, ${column} vector(3), ${quoteIdent(FILTER)} text)`,
  );
  for (const [id, v, f] of ROWS)
    await t.query(`INSERT INTO ${quoteQualified(table)} VALUES ($1, $2, $3)`, [
      id + offset,
      vectorParam(v, 'vector'),
      f,
    ]);
}

describeEachTarget('security: hostile identifiers through Drizzle', (tdb) => {
  let db: Db;
  beforeAll(async () => {
    db = await drizzleFor(tdb());
    await tdb().query(`CREATE TABLE ${CANARY} (id int)`);
    await tdb().query(`INSERT INTO ${CANARY} VALUES (1)`);
  });
  afterEach(async () => {
    expect(await tdb().query(`SELECT count(*)::int AS n FROM ${CANARY}`), 'the canary table survived').toEqual([
      { n: 1 },
    ]);
  });

  for (const name of HOSTILE_NAMES) {
    it(`pgSchema, table, vector column and indexes named ${JSON.stringify(name)}`, async () => {
      const t = tdb();
      await t.query(`CREATE SCHEMA ${quoteIdent(name)}`);
      await createTable(t, [name, name], 0);
      if (naiveFold(name) !== name) await createTable(t, [name, naiveFold(name)], 90);
      await createTable(t, ['public', name], 80);
      const { schema, table } = tableFor(name);

      // The index helpers: SQL-layer default name (63 bytes at most), the opclass, the options.
      const hnswName = defaultIndexName(name, name, 'hnsw', 'l2');
      const configs = getTableConfig(table).indexes.map((i) => ({
        name: i.config.name,
        method: i.config.method,
        column: (i.config.columns[0] as { name: string }).name,
        opclass: (i.config.columns[0] as { indexConfig: { opClass: string } }).indexConfig.opClass,
        with: i.config.with,
      }));
      expect(configs).toEqual([
        { name: hnswName, method: 'hnsw', column: name, opclass: 'vector_l2_ops', with: undefined },
        {
          name: variantOf('iv', name),
          method: 'ivfflat',
          column: name,
          opclass: 'vector_l2_ops',
          with: { lists: '1' },
        },
      ]);
      let statements: string[];
      if (kitSafe(name)) {
        // What drizzle-kit generates from those definitions (the diff that only adds the two indexes).
        const before = kit.generateDrizzleJson({ schema, table: tableFor(name, false).table });
        statements = await kit.generateMigration(before, kit.generateDrizzleJson({ schema, table }));
      } else {
        statements = configs.map((c) =>
          createIndexSql({
            table: [name, name],
            column: c.column,
            type: 'vector',
            distance: 'l2',
            method: c.method as 'hnsw',
            name: c.name!,
            ...(c.with ? { lists: 1 } : {}),
          }),
        );
      }
      expect(statements).toHaveLength(2);
      for (const statement of statements) await db.execute(sql.raw(statement));
      expect(await indexOn(t, hnswName)).toEqual([
        { schema: name, table: name, column: name, method: 'hnsw', opclass: 'vector_l2_ops' },
      ]);
      expect(await indexOn(t, variantOf('iv', name))).toEqual([
        { schema: name, table: name, column: name, method: 'ivfflat', opclass: 'vector_l2_ops' },
      ]);

      // vectorStorageMigration: MAIN on this column of this table (the decoy in public keeps EXTERNAL).
      const storage = vectorStorageMigration(table);
      expect(storage).toBe(
        `ALTER TABLE ${quoteQualified([name, name])} ALTER COLUMN ${quoteIdent(name)} SET STORAGE MAIN;\n`,
      );
      for (const statement of storage.split(STATEMENT_BREAKPOINT)) await db.execute(sql.raw(statement));
      const attstorage = (q: string[]) =>
        t.query('SELECT attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2', [
          quoteQualified(q),
          name,
        ]);
      expect(await attstorage([name, name])).toEqual([{ attstorage: 'm' }]);
      expect(await attstorage(['public', name])).toEqual([{ attstorage: 'e' }]);

      // Distances in select / where / orderBy, exact ordering.
      const d = () => l2Distance(table.vec, QUERY);
      const rows = await db
        .select({ id: table.id, d: d() })
        .from(table)
        .where(and(lt(d(), 1.4), ne(table.tag, 'b')))
        .orderBy(exact(d()));
      expect(rows.map((r) => r.id)).toEqual([1, 3]);
      expect(rows[0]!.d).toBeCloseTo(Math.hypot(Math.fround(0.9) - 1, Math.fround(0.1)), 6);

      // nearest: exact, filtered on the hostile text column (a bound value), approximate through the indexes.
      const top = await vectorSearch(db, { table, column: table.vec, query: QUERY, distance: 'l2', k: 2 });
      expect(top.map((r) => r.id)).toEqual([1, 2]);
      const filtered = await vectorSearch(db, {
        table,
        column: table.vec,
        query: QUERY,
        distance: 'l2',
        where: eq(table.tag, HOSTILE_VALUE),
      });
      expect(filtered.map((r) => [r.id, r.tag])).toEqual([[3, HOSTILE_VALUE]]);
      const approx = await vectorSearch(db, {
        table,
        column: table.vec,
        query: QUERY,
        distance: 'l2',
        k: 3,
        approximate: { efSearch: 10 },
      });
      expect(approx.map((r) => r.id)).toEqual([1, 2, 3]);
    });
  }

  for (const name of TOO_LONG_NAMES) {
    it(`a ${new TextEncoder().encode(name).length}-byte name ${JSON.stringify(name.slice(0, 8))}… is refused by the name-taking helpers`, async () => {
      const refused = expect.objectContaining({ code: 'INVALID_IDENTIFIER' });
      const on = (column: string, index: (c: never) => unknown) => () =>
        getTableConfig(pgTable('t', { v: vector(column, { dimensions: 3 }) }, (t) => [index(t.v as never) as never]));
      expect(on(name, (c) => hnswIndex(c, 'l2'))).toThrow(refused);
      expect(on('v', (c) => ivfflatIndex(c, 'l2', { name }))).toThrow(refused);
      expect(() => vectorStorageMigration(pgTable(name, { v: vector('v', { dimensions: 3 }) }))).toThrow(refused);
      expect(() => vectorExtensionMigration({ schema: name })).toThrow(refused);
      await expect(createVectorExtension(db, { schema: name })).rejects.toThrow(refused);
    });
  }

  it("drizzle-kit's own limitations with quotes, `;` and `--` in names (see above)", async () => {
    const json = (name: string, indexes: boolean) => kit.generateDrizzleJson(tableFor(name, indexes));
    const created = await kit.generateMigration(kit.generateDrizzleJson({}), json(HOSTILE_NAMES[0]!, false));
    expect(created[0]).toBe(`CREATE SCHEMA "${HOSTILE_NAMES[0]}";\n`); // not doubled: never executed here
    await expect(
      kit.generateMigration(json(HOSTILE_NAMES[1]!, false), json(HOSTILE_NAMES[1]!, true)),
    ).rejects.toThrow();
    const comment = await kit.generateMigration(json('/* c */ --', false), json('/* c */ --', true));
    expect(comment[0]).not.toContain('vector_l2_ops'); // the column and its opclass were cut at `--`
  });

  // Last: it drops and re-creates the extension (new type OIDs).
  it('createVectorExtension and vectorExtensionMigration install pgvector in a hostile schema', async () => {
    for (const [i, schema] of HOSTILE_NAMES.slice(0, 4).entries()) {
      await tdb().query('DROP EXTENSION vector CASCADE'); // the earlier tests' vector columns go with it
      await tdb().query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      if (i % 2 === 0) await createVectorExtension(db, { schema });
      else await db.execute(sql.raw(vectorExtensionMigration({ schema })));
      const rows = await tdb().query(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'",
      );
      expect(rows).toEqual([{ nspname: schema }]);
    }
  });
});
