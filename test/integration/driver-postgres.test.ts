/**
 * vecpg/postgres (postgres.js) against the PostgreSQL server: rows identical to vecpg/pg's,
 * per-instance registration, transactions. Runs when DATABASE_URL is set.
 */
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HalfVector, SparseVector, Vector, isVecpgError } from 'vecpg';
import { wrapPg } from 'vecpg/pg';
import { registerVectorTypes, vectorTypes, wrapPostgres } from 'vecpg/postgres';
import { type ServerDatabase, createServerDatabase } from '../support/db.ts';

const SELECT_ALL = `SELECT '[0.1,2,3]'::vector AS v, '[0.1,2]'::halfvec AS h, '{1:5.5,43:1.2}/10000'::sparsevec AS s,
  B'101' AS b, NULL::vector AS n, ARRAY['[1,2]'::vector, NULL] AS a`;

/** Plain data for deep comparison: SparseVector's fields are private, so compare its text. */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      v instanceof SparseVector || v instanceof Vector || v instanceof HalfVector
        ? `${v.constructor.name}:${v.toSql()}`
        : v instanceof Float32Array
          ? `Float32Array:${Array.from(v).join(',')}`
          : v,
    ]),
  );
}

describe.runIf(process.env.DATABASE_URL)('vecpg/postgres (server)', () => {
  let server: ServerDatabase;
  const opened: postgres.Sql[] = [];
  const open = (options: postgres.Options<Record<string, postgres.PostgresType>> = {}): postgres.Sql => {
    const sql = postgres(server.url, { max: 2, onnotice: () => undefined, ...options });
    opened.push(sql);
    return sql;
  };
  beforeAll(async () => {
    server = await createServerDatabase();
  });
  afterAll(async () => {
    for (const sql of opened) await sql.end();
    await server?.drop();
  });

  it('rows are identical to vecpg/pg rows, for every dense option', async () => {
    for (const dense of ['array', 'float32', 'class'] as const) {
      const pool = new pg.Pool({ connectionString: server.url, max: 1 });
      try {
        const viaPg = await wrapPg(pool, { dense });
        const viaPostgres = await wrapPostgres(open(), { dense });
        expect(viaPostgres.kind).toBe('postgres');
        const a = (await viaPg.query(SELECT_ALL)).map(plain);
        const b = (await viaPostgres.query(SELECT_ALL)).map(plain);
        expect(b).toEqual(a);
        expect(b[0]!.n).toBeNull();
        expect(b[0]!.a).toHaveLength(2);
      } finally {
        await pool.end();
      }
    }
    const [row] = await (await wrapPostgres(open())).query(SELECT_ALL);
    expect(row!.v).toEqual([Math.fround(0.1), 2, 3]);
    expect((row!.s as SparseVector).toSql()).toBe('{1:5.5,43:1.2}/10000');
  });

  it('registration is per sql instance; tagged templates parse too; params round-trip', async () => {
    const registered = open();
    const other = open();
    await registerVectorTypes(registered);
    const [r] =
      await registered`SELECT ${new Vector([1, 2]).toSql()}::vector AS v, ${new SparseVector({ 3: 2 }, 4).toSql()}::sparsevec AS s`;
    expect(r!.v).toEqual([1, 2]);
    expect((r!.s as SparseVector).toObject()).toEqual({ 3: 2 });
    const [o] = await other`SELECT '[1,2]'::vector AS v`;
    expect(o!.v).toBe('[1,2]');
  });

  it('vectorTypes(oids) for the types option: sql.typed.vector and plain arrays as parameters', async () => {
    const oids = await registerVectorTypes(open());
    const sql = open({ types: vectorTypes(oids) });
    const typed = sql.typed as unknown as Record<'vector' | 'halfvec', (v: unknown) => postgres.Parameter>;
    const [row] = await sql`SELECT ${typed.vector([1, 2, 3])} AS v, ${typed.halfvec([0.1])}::text AS h`;
    expect(row!.v).toEqual([1, 2, 3]);
    expect(row!.h).toBe('[0.099975586]');
  });

  it('64 concurrent queries through max 8 connections all come back parsed', async () => {
    const db = await wrapPostgres(open({ max: 8 }));
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) => db.query<{ v: number[] }>('SELECT $1::vector AS v', [new Vector([i, 1])])),
    );
    results.forEach((rows, i) => expect(rows[0]!.v).toEqual([i, 1]));
  });

  it('transaction commits, rolls back and rethrows', async () => {
    const db = await wrapPostgres(open());
    await db.query('CREATE TABLE pjs_tx (id int PRIMARY KEY, v vector(2))');
    const got = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO pjs_tx VALUES (1, $1)', [new Vector([1, 2])]);
      return tx.query<{ v: number[] }>('SELECT v FROM pjs_tx');
    });
    expect(got).toEqual([{ v: [1, 2] }]);
    const boom = new Error('boom');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO pjs_tx VALUES (2, $1)', [new Vector([3, 4])]);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await db.query('SELECT id FROM pjs_tx')).toEqual([{ id: 1 }]);
    const error = await db.query('SELECT nope').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'QUERY_FAILED', details: { sqlstate: '42703' } });
  });

  it('EXTENSION_MISSING without the extension; another schema works', async () => {
    const bare = await createServerDatabase({ extension: false });
    const sql = postgres(bare.url, { max: 1, onnotice: () => undefined });
    try {
      const error = await registerVectorTypes(sql).catch((e: unknown) => e);
      expect(isVecpgError(error) && error.code).toBe('EXTENSION_MISSING');
      await sql.unsafe('CREATE SCHEMA extensions');
      await sql.unsafe('CREATE EXTENSION vector SCHEMA extensions');
      const oids = await registerVectorTypes(sql);
      expect(oids.schema).toBe('extensions');
      const [row] = await sql`SELECT '[1,2]'::extensions.vector AS v`;
      expect(row!.v).toEqual([1, 2]);
    } finally {
      await sql.end();
      await bare.drop();
    }
  });
});
