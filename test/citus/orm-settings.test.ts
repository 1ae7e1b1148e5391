/**
 * Every ORM helper's approximate search reaches the shards (issue 15, point 1): each runs its settings
 * through the SQL layer's applySearchSettings in its own transaction. ef_search 1 on a table with
 * SHARDS shards returns one row per shard from a top-40; the default (40) returns 40.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import knexFactory from 'knex';
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DataTypes, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSearchSettings as drizzleWithSettings } from 'vecpg/drizzle';
import { vectorSearch as knexSearch, withVectorTypes } from 'vecpg/knex';
import { PgvectorPlugin, withSearchSettings as kyselyWithSettings } from 'vecpg/kysely';
import { VECTOR, registerVectorTypes as registerSequelize, vectorSearch as sequelizeSearch } from 'vecpg/sequelize';
import { CITUS_URL, NEEDS_CITUS, type Cluster, insertRows, openCluster, randomVectors } from './cluster.ts';

const SHARDS = 3;
const vectors = randomVectors(1500, 4, 7);
const query = randomVectors(1, 4, 8)[0]!;

describe.runIf(CITUS_URL)(`ORM helpers' settings reach the shards ${NEEDS_CITUS}`, () => {
  let c: Cluster;
  let table: string;
  const onWorkers = (t: string): string => `SELECT DISTINCT current_setting('hnsw.ef_search') AS v FROM ${t}`;

  beforeAll(async () => {
    c = await openCluster('orm');
    table = `${c.schema}.items`;
    await c.pool.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, tenant int NOT NULL, embedding vector(4))`);
    await c.pool.query(`SELECT create_distributed_table('${table}', 'id', shard_count => ${SHARDS})`);
    await insertRows(c.pool, table, vectors, 5);
    await c.pool.query(`CREATE INDEX ON ${table} USING hnsw (embedding vector_l2_ops)`);
  });
  afterAll(async () => {
    await c?.close();
  });

  it('Kysely withSearchSettings', async () => {
    const pool = new pg.Pool({ connectionString: CITUS_URL, max: 1 });
    const db = new Kysely<Record<string, never>>({
      dialect: new PostgresDialect({ pool }),
      plugins: [new PgvectorPlugin()],
    });
    try {
      const inside = await kyselyWithSettings(
        db,
        { efSearch: 3 },
        async (trx) => (await trx.executeQuery<{ v: string }>(CompiledQuery.raw(onWorkers(table)))).rows,
      );
      expect(inside).toEqual([{ v: '3' }]);
      expect((await db.executeQuery<{ v: string }>(CompiledQuery.raw(onWorkers(table)))).rows).toEqual([{ v: '40' }]);
    } finally {
      await db.destroy();
    }
  });

  it('Drizzle withSearchSettings', async () => {
    const pool = new pg.Pool({ connectionString: CITUS_URL, max: 1 });
    const db = drizzle({ client: pool });
    try {
      const inside = await drizzleWithSettings(
        db,
        { efSearch: 5 },
        async (tx) => (await tx.execute<{ v: string }>(sql.raw(onWorkers(table)))).rows,
      );
      expect(inside).toEqual([{ v: '5' }]);
      expect((await db.execute<{ v: string }>(sql.raw(onWorkers(table)))).rows).toEqual([{ v: '40' }]);
    } finally {
      await pool.end();
    }
  });

  it('Knex vectorSearch', async () => {
    const knex = knexFactory(withVectorTypes({ client: 'pg', connection: CITUS_URL!, pool: { min: 0, max: 1 } }));
    try {
      const opts = { table, column: 'embedding', query, distance: 'l2', k: 40 } as const;
      expect(await knexSearch(knex, { ...opts, approximate: { efSearch: 1 } })).toHaveLength(SHARDS);
      expect(await knexSearch(knex, { ...opts, exact: false })).toHaveLength(40);
      expect((await knex.raw<{ rows: Array<{ v: string }> }>(onWorkers(table))).rows).toEqual([{ v: '40' }]);
    } finally {
      await knex.destroy();
    }
  });

  it('Sequelize vectorSearch', async () => {
    const sequelize = new Sequelize(CITUS_URL!, { dialect: 'postgres', logging: false, pool: { max: 1 } });
    await registerSequelize(sequelize);
    const Item = sequelize.define(
      'Item',
      { id: { type: DataTypes.BIGINT, primaryKey: true }, tenant: DataTypes.INTEGER, embedding: VECTOR(4) },
      { tableName: 'items', schema: c.schema, timestamps: false },
    );
    try {
      const opts = { column: 'embedding', query, distance: 'l2', k: 40 } as const;
      expect(await sequelizeSearch(Item, { ...opts, approximate: { efSearch: 1 } })).toHaveLength(SHARDS);
      expect(await sequelizeSearch(Item, { ...opts, exact: false })).toHaveLength(40);
      const [rows] = await sequelize.query(onWorkers(table));
      expect(rows).toEqual([{ v: '40' }]);
    } finally {
      await sequelize.close();
    }
  });
});
