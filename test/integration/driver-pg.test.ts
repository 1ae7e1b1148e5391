/**
 * vecpg/pg against the PostgreSQL server (node-postgres needs a server; the embedded target has
 * its own driver test). Runs when DATABASE_URL is set.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bit, HalfVector, SparseVector, Vector, isVecpgError } from 'vecpg';
import { registerVectorTypes, wrapPg } from 'vecpg/pg';
import { type ServerDatabase, createServerDatabase } from '../support/db.ts';
import { codeOfRejection as codeOf } from '../support/errors.ts';

const SELECT_ALL = `SELECT '[0.1,2,3]'::vector AS v, '[0.1,2]'::halfvec AS h, '{1:5.5,43:1.2}/10000'::sparsevec AS s,
  B'101' AS b, '1101'::varbit AS vb`;

describe.runIf(process.env.DATABASE_URL)('vecpg/pg (server)', () => {
  let server: ServerDatabase;
  beforeAll(async () => {
    server = await createServerDatabase();
  });
  afterAll(async () => {
    await server?.drop();
  });

  it('a Pool of 8: clients opened before and after registerTypes all parse, 64 queries at once', async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 8 });
    try {
      // Open 4 connections before registering: they sit idle in the pool.
      await Promise.all(Array.from({ length: 4 }, () => pool.query('SELECT pg_sleep(0.05)')));
      expect(pool.totalCount).toBe(4);
      await registerVectorTypes(pool);
      const results = await Promise.all(
        Array.from({ length: 64 }, (_, i) =>
          pool.query<{ v: unknown; s: unknown; i: number }>(
            'SELECT $1::vector AS v, $2::sparsevec AS s, $3::int AS i, pg_sleep(0.01)',
            [new Vector([i, 0.5]), new SparseVector({ [i]: 1 }, 100), i],
          ),
        ),
      );
      expect(pool.totalCount).toBe(8);
      for (const [i, r] of results.entries()) {
        expect(r.rows[0]!.v).toEqual([i, 0.5]);
        expect(r.rows[0]!.s).toBeInstanceOf(SparseVector);
        expect((r.rows[0]!.s as SparseVector).toObject()).toEqual({ [i]: 1 });
      }
    } finally {
      await pool.end();
    }
  });

  it('registers nothing globally: pg.types and other clients still return strings', async () => {
    const client = new pg.Client({ connectionString: server.url });
    const other = new pg.Client({ connectionString: server.url });
    await client.connect();
    await other.connect();
    try {
      const probe = await other.query<{ oid: number }>(`SELECT 'vector'::regtype::oid::int AS oid`);
      const oid = probe.rows[0]!.oid;
      const before = pg.types.getTypeParser(oid, 'text');
      const oids = await registerVectorTypes(client);
      expect(oids.vector).toBe(oid);
      expect(pg.types.getTypeParser(oid, 'text')).toBe(before);
      expect((await client.query(SELECT_ALL)).rows[0]!.v).toEqual([Math.fround(0.1), 2, 3]);
      expect((await other.query(SELECT_ALL)).rows[0]!.v).toBe('[0.1,2,3]');
    } finally {
      await client.end();
      await other.end();
    }
  });

  it('default shapes: number[] for vector and halfvec, SparseVector, bit as a 0/1 string', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await registerVectorTypes(client);
      const row = (await client.query(SELECT_ALL)).rows[0]!;
      expect(row.v).toEqual([Math.fround(0.1), 2, 3]);
      expect(row.h).toEqual([new HalfVector([0.1]).toArray()[0], 2]);
      expect(row.s).toBeInstanceOf(SparseVector);
      expect((row.s as SparseVector).toSql()).toBe('{1:5.5,43:1.2}/10000');
      expect(row.b).toBe('101');
      expect(row.vb).toBe('1101');
    } finally {
      await client.end();
    }
  });

  it("options: dense 'float32' and 'class', bit 'class'", async () => {
    const a = new pg.Client({ connectionString: server.url });
    const b = new pg.Client({ connectionString: server.url });
    await a.connect();
    await b.connect();
    try {
      await registerVectorTypes(a, { dense: 'float32' });
      await registerVectorTypes(b, { dense: 'class', bit: 'class' });
      const ra = (await a.query(SELECT_ALL)).rows[0]!;
      expect(ra.v).toBeInstanceOf(Float32Array);
      expect(Array.from(ra.v as Float32Array)).toEqual([Math.fround(0.1), 2, 3]);
      expect(ra.h).toBeInstanceOf(Float32Array);
      expect(Array.from(ra.h as Float32Array)).toEqual(new HalfVector([0.1, 2]).toArray());
      expect(ra.b).toBe('101');
      const rb = (await b.query(SELECT_ALL)).rows[0]!;
      expect(rb.v).toBeInstanceOf(Vector);
      expect((rb.v as Vector).toSql()).toBe('[0.1,2,3]');
      expect(rb.h).toBeInstanceOf(HalfVector);
      expect((rb.h as HalfVector).toSql()).toBe('[0.099975586,2]');
      expect(rb.b).toBeInstanceOf(Bit);
      expect((rb.b as Bit).toString()).toBe('101');
      expect((rb.vb as Bit).toString()).toBe('1101');
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('value types are query parameters as they are (toPostgres)', async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 2 });
    const db = await wrapPg(pool);
    const [row] = await db.query<Record<string, string>>(
      'SELECT $1::vector::text AS v, $2::halfvec::text AS h, $3::sparsevec::text AS s, $4::bit(3)::text AS b',
      [new Vector([1.5, -2]), new HalfVector([0.1]), new SparseVector({ 0: 1, 4: 3 }, 5), new Bit('011')],
    );
    expect(row).toEqual({ v: '[1.5,-2]', h: '[0.099975586]', s: '{1:1,5:3}/5', b: '011' });
    await pool.end();
  });

  it('wrapPg on a Pool: transaction commits, rolls back on error, always releases the client', async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 3 });
    try {
      const db = await wrapPg(pool);
      expect(db.kind).toBe('pg');
      await db.query('CREATE TABLE tx_pool (id int PRIMARY KEY, v vector(2))');
      const out = await db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_pool VALUES (1, $1)', [new Vector([1, 2])]);
        await tx.query("SET LOCAL statement_timeout = '5s'");
        return (await tx.query<{ s: string }>("SELECT current_setting('statement_timeout') AS s"))[0]!.s;
      });
      expect(out).toBe('5s');
      const boom = new Error('boom');
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO tx_pool VALUES (2, $1)', [new Vector([3, 4])]);
          throw boom;
        }),
      ).rejects.toBe(boom);
      const rows = await db.query<{ id: number; v: number[] }>('SELECT id, v FROM tx_pool ORDER BY id');
      expect(rows).toEqual([{ id: 1, v: [1, 2] }]);
      expect(pool.totalCount - pool.idleCount).toBe(0);
      // SET LOCAL ended with the transaction.
      const [t] = await db.query<{ s: string }>("SELECT current_setting('statement_timeout') AS s");
      expect(t!.s).toBe('0');
    } finally {
      await pool.end();
    }
  });

  it('wrapPg on a Client: transaction runs on that client', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const db = await wrapPg(client);
      await db.query('CREATE TABLE tx_client (id int PRIMARY KEY)');
      await db.transaction((tx) => tx.query('INSERT INTO tx_client VALUES (1)'));
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO tx_client VALUES (2)');
          await tx.query('INSERT INTO tx_client VALUES (1)'); // duplicate key
        }),
      ).rejects.toMatchObject({ code: 'QUERY_FAILED', details: { sqlstate: '23505' } });
      expect(await db.query('SELECT id FROM tx_client')).toEqual([{ id: 1 }]);
    } finally {
      await client.end();
    }
  });

  it('a failed statement is a VecpgError QUERY_FAILED with the SQLSTATE', async () => {
    const pool = new pg.Pool({ connectionString: server.url, max: 1 });
    const db = await wrapPg(pool);
    const error = await db.query("SELECT '[1,2'::vector").catch((e: unknown) => e);
    await pool.end();
    expect(isVecpgError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'QUERY_FAILED', details: { sqlstate: '22P02' } });
  });

  it('EXTENSION_MISSING in a database without the extension: registerTypes, and a statement naming the type through wrapPg', async () => {
    const bare = await createServerDatabase({ extension: false });
    const client = new pg.Client({ connectionString: bare.url });
    const pool = new pg.Pool({ connectionString: bare.url, max: 1 });
    await client.connect();
    try {
      expect(await codeOf(registerVectorTypes(client))).toBe('EXTENSION_MISSING');
      const db = await wrapPg(pool); // wrapping never requires the extension
      expect(await codeOf(db.query("SELECT '[1,2]'::vector AS v"))).toBe('EXTENSION_MISSING');
    } finally {
      await client.end();
      await pool.end();
      await bare.drop();
    }
  });

  it('the extension in another schema: types still found and parsed', async () => {
    const other = await createServerDatabase({ extension: false });
    const pool = new pg.Pool({ connectionString: other.url, max: 2 });
    try {
      await pool.query('CREATE SCHEMA extensions; CREATE EXTENSION vector SCHEMA extensions');
      // Another schema with a type of the same name must not be picked up.
      await pool.query('CREATE TYPE public.vector AS (x int)');
      const oids = await registerVectorTypes(pool);
      expect(oids.schema).toBe('extensions');
      const { rows } = await pool.query(
        `SELECT '[1,2]'::extensions.vector AS v, '{2:1}/3'::extensions.sparsevec AS s, '[1]'::extensions.halfvec AS h`,
      );
      expect(rows[0].v).toEqual([1, 2]);
      expect((rows[0].s as SparseVector).toObject()).toEqual({ 1: 1 });
      expect(rows[0].h).toEqual([1]);
    } finally {
      await pool.end();
      await other.drop();
    }
  });
});
