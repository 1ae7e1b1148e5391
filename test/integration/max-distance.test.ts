/**
 * Django's pattern 3, `filter(distance__lt=…)`: a threshold without a count returns EVERY row under it.
 * 150 rows at l2 distances 1..150 from the origin; under 135.5 there are 135 (checked with SQL COUNT and
 * pgvector's own operator), and search() and every ORM helper must return all of them — not 10.
 */
import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { EntitySchema, MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import knexFactory, { type Knex } from 'knex';
import { Kysely, PostgresDialect } from 'kysely';
import { Model } from 'objection';
import pg from 'pg';
import { DataTypes, Sequelize } from 'sequelize';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { beforeAll, expect, it } from 'vitest';
import { search } from 'vecpg';
import { vectorSearch as drizzleNearest, vector as drizzleVector } from 'vecpg/drizzle';
import { applySimilarity, knexPglite, vectorSearch as knexSearch, withVectorTypes } from 'vecpg/knex';
import { PgliteDialect, PgvectorPlugin, vectorSearch as kyselyNearest } from 'vecpg/kysely';
import { mikroOrmPglite, vectorSearch as mikroSearch, vectorProperty } from 'vecpg/mikro-orm';
import { registerVectorTypes as registerTypes } from 'vecpg/pg';
import { VECTOR, vectorSearch as sequelizeSearch } from 'vecpg/sequelize';
import {
  VectorColumn,
  pgliteOptions,
  registerVectorTypes as registerVecpg,
  vectorSearch as typeormSearch,
} from 'vecpg/typeorm';
import { describeEachTarget } from '../support/db.ts';

const QUERY = [0, 0, 0, 0];
const THRESHOLD = 135.5;
const ALL = Array.from({ length: 135 }, (_, i) => i + 1);

@Entity('near')
class Near {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'text' }) title!: string;
  @VectorColumn(4) embedding!: number[];
}

const near = pgTable('near', {
  id: integer('id').primaryKey(),
  title: text('title').notNull(),
  embedding: drizzleVector('embedding', { dimensions: 4 }),
});

interface NearRow {
  id: number;
  title: string;
  embedding: number[];
}
const NearSchema = new EntitySchema<NearRow>({
  name: 'Near',
  tableName: 'near',
  properties: {
    id: { type: 'number', primary: true },
    title: { type: 'string' },
    embedding: vectorProperty('vector', 4),
  },
});

describeEachTarget('maxDistance without k returns every row under the threshold', (db, target) => {
  beforeAll(async () => {
    await db().query('CREATE TABLE near (id int PRIMARY KEY, title text NOT NULL, embedding vector(4))');
    await db().query(
      "INSERT INTO near SELECT i, 'row ' || i, ARRAY[i, 0, 0, 0]::vector FROM generate_series(1, 150) i",
    );
    const count = await db().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM near WHERE embedding <-> '[0,0,0,0]' < $1",
      [THRESHOLD],
    );
    expect(count[0]?.n).toBe(135);
  });

  const ids = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map((r) => Number(r.id));

  it('search()', async () => {
    const rows = await search(db(), {
      table: 'near',
      column: 'embedding',
      query: QUERY,
      distance: 'l2',
      maxDistance: THRESHOLD,
    });
    expect(ids(rows)).toEqual(ALL);
    const k = await search(db(), {
      table: 'near',
      column: 'embedding',
      query: QUERY,
      distance: 'l2',
      maxDistance: THRESHOLD,
      k: 20,
    });
    expect(ids(k)).toEqual(ALL.slice(0, 20));
    expect(await search(db(), { table: 'near', column: 'embedding', query: QUERY, distance: 'l2' })).toHaveLength(10);
    // approximate too: no LIMIT, so every row under the threshold
    const approx = await search(db(), {
      table: 'near',
      column: 'embedding',
      query: QUERY,
      distance: 'l2',
      maxDistance: THRESHOLD,
      approximate: {},
    });
    expect(ids(approx)).toEqual(ALL);
  });

  it('Drizzle nearest()', async () => {
    const { drizzle } =
      target === 'pglite' ? await import('drizzle-orm/pglite') : await import('drizzle-orm/node-postgres');
    const d = (drizzle as (c: { client: unknown }) => Parameters<typeof drizzleNearest>[0])({ client: db().raw });
    expect(
      ids(
        await drizzleNearest(d, {
          table: near,
          column: near.embedding,
          query: QUERY,
          distance: 'l2',
          maxDistance: THRESHOLD,
        }),
      ),
    ).toEqual(ALL);
    expect(await drizzleNearest(d, { table: near, column: near.embedding, query: QUERY, distance: 'l2' })).toHaveLength(
      10,
    );
  });

  it('Kysely nearest()', async () => {
    let pool: pg.Pool | undefined;
    interface Database {
      near: NearRow;
    }
    let k: Kysely<Database>;
    if (target === 'pglite')
      k = new Kysely<Database>({
        dialect: new PgliteDialect({ pglite: db().raw as PGlite }),
        plugins: [new PgvectorPlugin()],
      });
    else {
      pool = new pg.Pool({ connectionString: db().url, max: 2 });
      await registerTypes(pool);
      k = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new PgvectorPlugin()] });
    }
    try {
      expect(
        ids(
          await kyselyNearest(k, {
            table: 'near',
            column: 'embedding',
            query: QUERY,
            distance: 'l2',
            maxDistance: THRESHOLD,
          }),
        ),
      ).toEqual(ALL);
      expect(
        await kyselyNearest(k, {
          table: 'near',
          column: 'embedding',
          query: QUERY,
          distance: 'l2',
          maxDistance: THRESHOLD,
          k: 3,
        }),
      ).toHaveLength(3);
    } finally {
      if (pool) await k.destroy();
    }
  });

  it('Knex vectorSearch() and Objection through applySimilarity()', async () => {
    const knex: Knex =
      target === 'pglite'
        ? await knexPglite(db().raw as PGlite)
        : knexFactory(withVectorTypes({ client: 'pg', connection: db().url!, pool: { min: 0, max: 2 } }));
    try {
      expect(
        ids(
          await knexSearch(knex, {
            table: 'near',
            column: 'embedding',
            query: QUERY,
            distance: 'l2',
            maxDistance: THRESHOLD,
          }),
        ),
      ).toEqual(ALL);
      expect(await knexSearch(knex, { table: 'near', column: 'embedding', query: QUERY, distance: 'l2' })).toHaveLength(
        10,
      );
      class NearModel extends Model {
        static override tableName = 'near';
        declare id: number;
      }
      const q = NearModel.query(knex).select('id');
      const rows = (await applySimilarity(q, knex, {
        column: 'embedding',
        query: QUERY,
        distance: 'l2',
        maxDistance: THRESHOLD,
      })) as unknown as Array<Record<string, unknown>>;
      expect(ids(rows)).toEqual(ALL);
    } finally {
      if (target === 'server') await knex.destroy();
    }
  });

  it('TypeORM vectorSearch()', async () => {
    const base =
      target === 'server' ? { type: 'postgres' as const, url: db().url! } : pgliteOptions(db().raw as PGlite);
    const ds = registerVecpg(new DataSource({ ...base, entities: [Near] }));
    await ds.initialize();
    try {
      const hits = await typeormSearch(ds.getRepository(Near), {
        column: 'embedding',
        query: QUERY,
        distance: 'l2',
        maxDistance: THRESHOLD,
      });
      expect(hits.map((h) => h.entity.id)).toEqual(ALL);
      expect(
        await typeormSearch(ds.getRepository(Near), { column: 'embedding', query: QUERY, distance: 'l2' }),
      ).toHaveLength(10);
    } finally {
      if (target === 'server') await ds.destroy();
    }
  });

  it('MikroORM vectorSearch()', async () => {
    const conn =
      target === 'pglite'
        ? await mikroOrmPglite(db().raw as PGlite)
        : { driver: PostgreSqlDriver, clientUrl: db().url! };
    const orm = await MikroORM.init({
      ...conn,
      entities: [NearSchema],
      allowGlobalContext: false,
      debug: false,
    });
    try {
      const hits = await mikroSearch(orm.em.fork(), NearSchema, {
        column: 'embedding',
        query: QUERY,
        distance: 'l2',
        maxDistance: THRESHOLD,
      });
      expect(hits.map((h) => h.entity.id)).toEqual(ALL);
      expect(
        await mikroSearch(orm.em.fork(), NearSchema, { column: 'embedding', query: QUERY, distance: 'l2' }),
      ).toHaveLength(10);
    } finally {
      if (target === 'server') await orm.close();
    }
  });

  // Sequelize talks to PostgreSQL through pg only: the case exists on the server target, not as a skip on PGlite.
  if (target === 'server')
    it('Sequelize vectorSearch() (server only: Sequelize talks to PostgreSQL through pg)', async () => {
      const sequelize = new Sequelize(db().url!, { dialect: 'postgres', logging: false });
      try {
        const NearModel = sequelize.define(
          'Near',
          { title: DataTypes.TEXT, embedding: { type: VECTOR(4) } },
          { tableName: 'near', timestamps: false },
        );
        const hits = await sequelizeSearch(NearModel, {
          column: 'embedding',
          query: QUERY,
          distance: 'l2',
          maxDistance: THRESHOLD,
        });
        expect(hits.map((h) => Number(h.instance.get('id')))).toEqual(ALL);
        expect(await sequelizeSearch(NearModel, { column: 'embedding', query: QUERY, distance: 'l2' })).toHaveLength(
          10,
        );
      } finally {
        await sequelize.close();
      }
    });
});
