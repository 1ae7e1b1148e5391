/**
 * Every driver wrapper and integration starts from a database WITHOUT the vector extension, connects as
 * the docs show, creates the extension through its own migration helper, then creates a vector table,
 * inserts and searches. Wrapping a connection never requires the extension: the types are registered
 * as soon as it exists.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector as pgvectorPlugin } from '@electric-sql/pglite-pgvector';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparseVector, Vector, createExtensionSql, search, type VecpgDb } from 'vecpg';
import { wrapPg } from 'vecpg/pg';
import { wrapPglite } from 'vecpg/pglite';
import { wrapPostgres } from 'vecpg/postgres';
import { type ServerDatabase, createServerDatabase } from '../support/db.ts';

const SERVER = Boolean(process.env.DATABASE_URL);

/** A PGlite with the pgvector plugin loaded but no CREATE EXTENSION: what a user gets from PGlite.create. */
export async function freshPglite(): Promise<PGlite> {
  const pglite = await PGlite.create({ extensions: { vector: pgvectorPlugin } });
  const rows = await pglite.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'vector'",
  );
  expect(rows.rows[0]?.n).toBe(0);
  return pglite;
}

/** The walkthrough's first steps through a VecpgDb, on a database without the extension. */
async function walkthrough(db: VecpgDb): Promise<void> {
  expect(await db.query("SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'vector'")).toEqual([{ n: 0 }]);
  await db.query(createExtensionSql());
  await db.query('CREATE TABLE items (id int PRIMARY KEY, embedding vector(3), features sparsevec(5), tags int[])');
  // a plain array, a Float32Array and a Vector as parameters cast to vector; an int[] parameter stays an array
  await db.query('INSERT INTO items VALUES (1, $1::vector, $2::sparsevec, $3)', [
    [1, 0, 0],
    new SparseVector({ 0: 1 }, 5),
    [1, 2],
  ]);
  await db.query('INSERT INTO items VALUES (2, $1::vector, $2::sparsevec, $3::int[])', [
    new Float32Array([0, 1, 0]),
    [0, 0, 2, 0, 0],
    [3],
  ]);
  await db.query('INSERT INTO items VALUES (3, $1, NULL, NULL)', [new Vector([0.5, 0.5, 0])]);
  // rows come back parsed: the types were registered once the extension appeared
  expect(await db.query('SELECT id, embedding, features, tags FROM items ORDER BY id')).toEqual([
    { id: 1, embedding: [1, 0, 0], features: new SparseVector({ 0: 1 }, 5), tags: [1, 2] },
    { id: 2, embedding: [0, 1, 0], features: new SparseVector({ 2: 2 }, 5), tags: [3] },
    { id: 3, embedding: [0.5, 0.5, 0], features: null, tags: null },
  ]);
  const rows = await search(db, {
    table: 'items',
    column: 'embedding',
    query: [1, 0.1, 0],
    distance: 'l2',
    k: 2,
    select: ['id'],
  });
  expect(rows.map((r) => r.id)).toEqual([1, 3]);
  // An uncast number[] for a vector column: node-postgres cannot know it is a vector (it sends an array
  // literal), so the error says what to pass; postgres.js and PGlite learn the type from the server.
  const uncast = db.query('INSERT INTO items (id, embedding) VALUES (9, $1)', [[1, 2, 3]]);
  if (db.kind === 'pg') {
    await expect(uncast).rejects.toMatchObject({
      code: 'QUERY_FAILED',
      message: expect.stringContaining('$1::vector'),
    });
  } else {
    await uncast;
    expect(await db.query('SELECT embedding FROM items WHERE id = 9')).toEqual([{ embedding: [1, 2, 3] }]);
  }
}

describe('core drivers on a database without the extension', () => {
  it('PGlite: wrapPglite on a fresh instance', async () => {
    const pglite = await freshPglite();
    try {
      await walkthrough(await wrapPglite(pglite));
    } finally {
      await pglite.close();
    }
  });

  describe.runIf(SERVER)('server', () => {
    let server: ServerDatabase;
    beforeAll(async () => {
      server = await createServerDatabase({ extension: false });
    });
    afterAll(async () => {
      await server?.drop();
    });

    it('wrapPg(Pool)', async () => {
      const pool = new pg.Pool({ connectionString: server.url, max: 3 });
      try {
        await walkthrough(await wrapPg(pool));
        // the pool's other clients parse vectors too
        const { rows } = await pool.query('SELECT embedding FROM items WHERE id = 1');
        expect(rows).toEqual([{ embedding: [1, 0, 0] }]);
        await pool.query('DROP TABLE items; DROP EXTENSION vector');
      } finally {
        await pool.end();
      }
    });

    it('wrapPg(Client), the extension created inside a transaction', async () => {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const db = await wrapPg(client);
        await db.transaction(async (tx) => {
          await tx.query(createExtensionSql());
          await tx.query('CREATE TABLE t (v vector(2))');
          await tx.query('INSERT INTO t VALUES ($1::vector)', [[1, 2]]);
          expect(await tx.query('SELECT v FROM t')).toEqual([{ v: [1, 2] }]);
        });
        expect(await db.query('SELECT v FROM t')).toEqual([{ v: [1, 2] }]);
        await db.query('DROP TABLE t; DROP EXTENSION vector');
      } finally {
        await client.end();
      }
    });

    it('wrapPostgres', async () => {
      const sql = postgres(server.url, { max: 2, onnotice: () => undefined });
      try {
        await walkthrough(await wrapPostgres(sql));
        await sql.unsafe('DROP TABLE items; DROP EXTENSION vector');
      } finally {
        await sql.end();
      }
    });
  });
});

// ---- Knex (issue 17): withVectorTypes' afterCreate once needed the extension, so the first
// connection of a fresh database failed with EXTENSION_MISSING, and with it createVectorExtension(knex)
// and knex.migrate.latest(). The guide's order, verbatim: connect, migrate, use.
describe('Knex on a database without the extension', () => {
  async function knexLane(knex: import('knex').Knex): Promise<void> {
    const { createVectorExtension, formatVectorRow, setVectorStorage, vectorColumn, vectorSearch } =
      await import('vecpg/knex');
    // the first connection of a fresh database works
    expect((await knex.raw("SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'vector'")).rows).toEqual([
      { n: 0 },
    ]);
    // knex.migrate.latest() through a migrationSource, as docs/knex.md shows: 0001 creates the extension
    const migrations: Array<[string, import('knex').Knex.Migration]> = [
      ['0001_enable_vector', { up: (k) => createVectorExtension(k), down: async () => undefined }],
      [
        '0002_items',
        {
          async up(k) {
            await k.schema.createTable('items', (t) => {
              t.increments('id');
              vectorColumn(t, 'embedding', 'vector', 3);
              vectorColumn(t, 'features', 'sparsevec', 5);
            });
            await setVectorStorage(k, 'items', 'embedding');
          },
          down: (k) => k.schema.dropTable('items'),
        },
      ],
    ];
    await knex.migrate.latest({
      migrationSource: {
        getMigrations: async () => migrations,
        getMigrationName: ([name]: [string, unknown]) => name,
        getMigration: async ([, migration]: [string, import('knex').Knex.Migration]) => migration,
      },
    });
    await knex('items').insert([
      formatVectorRow(
        { embedding: [0.5, 0.2, 0.9], features: new SparseVector({ 4: 1 }, 5) },
        { embedding: { type: 'vector', dimensions: 3 } },
      ),
      formatVectorRow(
        { embedding: [1, 0, 0], features: new SparseVector({ 0: 2 }, 5) },
        { embedding: { type: 'vector', dimensions: 3 } },
      ),
    ]);
    const top = await vectorSearch<{ features: SparseVector }>(knex, {
      table: 'items',
      column: 'features',
      query: new SparseVector({ 0: 1 }, 5),
      distance: 'l2',
      k: 1,
    });
    expect(top[0]!.features).toBeInstanceOf(SparseVector); // parsed: registered once the migration created it
    expect(top[0]!.features.toObject()).toEqual({ 0: 2 });
    const [doc] = await knex('items').select('embedding').orderBy('id').limit(1);
    expect(doc).toEqual({ embedding: [0.5, Math.fround(0.2), Math.fround(0.9)] });
  }

  it('PGlite: knexPglite on a fresh instance', async () => {
    const { knexPglite } = await import('vecpg/knex');
    const pglite = await freshPglite();
    const knex = await knexPglite(pglite);
    try {
      await knexLane(knex);
    } finally {
      await knex.destroy();
      await pglite.close();
    }
  });

  it.runIf(SERVER)('server: knex(withVectorTypes(...)), pool of 2', async () => {
    const { default: knexFactory } = await import('knex');
    const { withVectorTypes } = await import('vecpg/knex');
    const server = await createServerDatabase({ extension: false });
    const knex = knexFactory(withVectorTypes({ client: 'pg', connection: server.url, pool: { min: 0, max: 2 } }));
    try {
      await knexLane(knex);
    } finally {
      await knex.destroy();
      await server.drop();
    }
  });
});

// ---- The other adapters whose connection setup used to register the types up front.
describe('MikroORM and TypeORM on a database without the extension', () => {
  const targets = SERVER ? (['pglite', 'server'] as const) : (['pglite'] as const);
  for (const target of targets) {
    it(`MikroORM [${target}]: init as the guide shows, the walkthrough's migrations create the extension`, async () => {
      const { MikroORM, PostgreSqlDriver } = await import('@mikro-orm/postgresql');
      const { mikroOrmPglite } = await import('vecpg/mikro-orm');
      const { EntitySchema } = await import('@mikro-orm/core');
      const { Migration, Migrator } = await import('@mikro-orm/migrations');
      const { createVectorExtension, setVectorStorage, vectorProperty, vectorSearch } = await import('vecpg/mikro-orm');
      // The shape of docs/mikro-orm.md: the extension and the table in migrationsList, run by orm.migrator.up().
      const Item = new EntitySchema<{ id: number; name: string; features: SparseVector }>({
        name: 'Item',
        tableName: 'items',
        properties: {
          id: { type: 'number', primary: true, autoincrement: true },
          name: { type: 'string' },
          features: vectorProperty('sparsevec', 5),
        },
      });
      class EnableVector extends Migration {
        override async up(): Promise<void> {
          createVectorExtension(this);
        }
      }
      class CreateItems extends Migration {
        override async up(): Promise<void> {
          this.addSql(
            'create table "items" ("id" serial primary key, "name" varchar(255) not null, "features" sparsevec(5) not null);',
          );
          setVectorStorage(this, 'items', 'features');
        }
      }
      const options = {
        entities: [Item],
        extensions: [Migrator],
        migrations: {
          migrationsList: [
            { name: '0001', class: EnableVector },
            { name: '0002', class: CreateItems },
          ],
          silent: true,
        },
      };
      const walkthrough = async (o: import('@mikro-orm/postgresql').MikroORM) => {
        await o.migrator.up();
        const em = o.em.fork();
        em.create(Item, { name: 'Sample B', features: new SparseVector({ 0: 1 }, 5) });
        em.create(Item, { name: 'Sample A', features: new SparseVector({ 0: 2, 4: 1 }, 5) });
        em.create(Item, { name: 'Sample C', features: new SparseVector({ 3: 1 }, 5) });
        await em.flush();
        em.clear();
        const found = await vectorSearch(em, Item, {
          column: 'features',
          query: new SparseVector({ 0: 2, 4: 1 }, 5),
          distance: 'l2',
          k: 3,
        });
        expect(found[0]!.entity.features.toObject()).toEqual({ 0: 2, 4: 1 });
        return { annotatedItems: found.map((x) => x.entity) };
      };
      const pglite = target === 'pglite' ? await freshPglite() : undefined;
      const server = target === 'server' ? await createServerDatabase({ extension: false }) : undefined;
      const orm = await MikroORM.init({
        ...options,
        ...(pglite ? await mikroOrmPglite(pglite) : { driver: PostgreSqlDriver, clientUrl: server!.url }),
      });
      try {
        const r = await walkthrough(orm);
        expect(r.annotatedItems.map((x) => x.name)).toEqual(['Sample A', 'Sample B', 'Sample C']);
      } finally {
        await orm.close();
        await pglite?.close();
        await server?.drop();
      }
    });

    it(`TypeORM [${target}]: initialize, runMigrations (creates the extension), walkthrough`, async () => {
      const { pgliteOptions, registerVectorTypes, vectorSearch } = await import('vecpg/typeorm');
      const { DataSource } = await import('typeorm');
      const { FreshItem1, FreshMigrations } = await import('../fixtures/typeorm-fresh.ts');
      const pglite = target === 'pglite' ? await freshPglite() : undefined;
      const server = target === 'server' ? await createServerDatabase({ extension: false }) : undefined;
      const ds = registerVectorTypes(
        new DataSource({
          ...(pglite ? pgliteOptions(pglite) : { type: 'postgres' as const, url: server!.url }),
          entities: [FreshItem1],
          migrations: FreshMigrations,
        }),
      );
      await ds.initialize();
      try {
        await ds.runMigrations();
        const repo = ds.getRepository(FreshItem1);
        await repo.save([
          { name: 'Sample B', features: new SparseVector({ 0: 1 }, 5) },
          { name: 'Sample A', features: new SparseVector({ 0: 2, 4: 1 }, 5) },
          { name: 'Sample C', features: new SparseVector({ 3: 1 }, 5) },
        ]);
        const found = await vectorSearch(repo, {
          column: 'features',
          query: new SparseVector({ 0: 2, 4: 1 }, 5),
          distance: 'l2',
          k: 3,
        });
        expect(found[0]!.entity.features.toObject()).toEqual({ 0: 2, 4: 1 });
        const r = { annotatedItems: found };
        expect(r.annotatedItems.map(({ entity }) => entity.name)).toEqual(['Sample A', 'Sample B', 'Sample C']);
      } finally {
        await ds.destroy();
        await pglite?.close();
        await server?.drop();
      }
    });
  }
});
