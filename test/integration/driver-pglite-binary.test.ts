/**
 * vecpg/pglite's binary result columns (`queryBinaryColumns`): vecpg speaks PostgreSQL's extended
 * protocol itself so that vector columns arrive as raw send-format bytes. Everything else must be
 * exactly what `pglite.query` returns; errors, transactions and concurrent callers must behave as
 * with `query`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HalfVector, SparseVector, Vector, isVecpgError, search, type SqlExecutor } from 'vecpg';
import { type PgliteDb, openPglite } from 'vecpg/pglite';
import { pgliteTemplate } from '../support/db.ts';

const MANY_TYPES = `
  SELECT id, n, big, f4, f8, num, flag, label, at, day, tags, doc, raw, embedding, half, sparse, b
  FROM kinds ORDER BY id`;

describe('vecpg/pglite: binary result columns', () => {
  let db: PgliteDb;
  let binary: NonNullable<SqlExecutor['queryBinaryColumns']>;
  beforeAll(async () => {
    db = await openPglite({ loadDataDir: await pgliteTemplate() });
    binary = db.queryBinaryColumns!;
    await db.query(`CREATE TABLE kinds (
      id int PRIMARY KEY, n smallint, big bigint, f4 real, f8 double precision, num numeric, flag boolean,
      label text, at timestamptz, day date, tags text[], doc jsonb, raw bytea,
      embedding vector(3), half halfvec(2), sparse sparsevec(10000), b bit(3))`);
    await db.query(
      `INSERT INTO kinds VALUES
        (1, 7, 9007199254740993, 0.1, 0.1, 12.50, true, 'a "quoted" ünïcødé', '2026-11-25 10:00:00+00', '2026-11-25',
         '{x,"y z"}', '{"k": [1, 2]}', '\\x00ff', '[0.1,-2,3e-40]', '[1.5,-0]', '{1:5.5,43:1.2}/10000', B'101'),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    );
  });
  afterAll(async () => {
    await db.pglite.close();
  });

  it('is offered on the database and inside transactions', async () => {
    expect(typeof db.queryBinaryColumns).toBe('function');
    expect(await db.transaction(async (tx) => typeof tx.queryBinaryColumns)).toBe('function');
  });

  it('with no binary columns, returns exactly what query() returns, every type and NULL included', async () => {
    expect(await binary(MANY_TYPES, [], [])).toEqual(await db.query(MANY_TYPES));
  });

  it('binary columns are the bytes of the type send function; the others stay parsed as query() parses them', async () => {
    const [row] = await binary<Record<string, unknown>>(MANY_TYPES + ' LIMIT 1', [], [13, 14, 15]);
    const [sent] = await db.query<{ e: Uint8Array; h: Uint8Array; s: Uint8Array }>(
      'SELECT vector_send(embedding) AS e, halfvec_send(half) AS h, sparsevec_send(sparse) AS s FROM kinds WHERE id = 1',
    );
    expect(row!.embedding).toEqual(sent!.e);
    expect(row!.half).toEqual(sent!.h);
    expect(row!.sparse).toEqual(sent!.s);
    expect(Vector.fromBinary(row!.embedding as Uint8Array).toSql()).toBe('[0.1,-2,3e-40]');
    expect(HalfVector.fromBinary(row!.half as Uint8Array).toSql()).toBe('[1.5,-0]');
    expect(SparseVector.fromBinary(row!.sparse as Uint8Array).toSql()).toBe('{1:5.5,43:1.2}/10000');
    const [textRow] = await db.query<Record<string, unknown>>(MANY_TYPES + ' LIMIT 1');
    for (const key of ['id', 'n', 'big', 'f4', 'f8', 'num', 'flag', 'label', 'at', 'day', 'tags', 'doc', 'raw', 'b']) {
      expect([key, row![key]]).toEqual([key, textRow![key]]);
    }
  });

  it('binds parameters as query() does: text values, NULL, dates, and vectors as binary bytes', async () => {
    const sql =
      'SELECT id, $2::text AS echo, $3::timestamptz AS at, $4::int AS nothing FROM kinds WHERE embedding = $1::vector';
    const params = [
      new Vector([0.1, -2, 3e-40]).toBinary(),
      "'; DROP TABLE kinds; --",
      new Date('2026-01-02T03:04:05Z'),
      null,
    ];
    expect(await binary(sql, params, [])).toEqual(await db.query(sql, params));
    expect(await binary(sql, params, [])).toEqual([
      { id: 1, echo: "'; DROP TABLE kinds; --", at: new Date('2026-01-02T03:04:05Z'), nothing: null },
    ]);
  });

  it('a failing statement is QUERY_FAILED with its SQLSTATE, at parse and at execution; the instance keeps working', async () => {
    for (const [sql, sqlstate] of [
      ['SELECT nope FROM kinds', '42703'],
      ['SELECT 1 / (id - 1) FROM kinds', '22012'],
      ["SELECT '[1,2]'::vector(3)", '22000'],
    ] as const) {
      const error = await binary(sql, [], [0]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isVecpgError(error) ? [error.code, error.details?.sqlstate] : error).toEqual(['QUERY_FAILED', sqlstate]);
      expect(await db.query('SELECT count(*)::int AS n FROM kinds')).toEqual([{ n: 2 }]);
    }
  });

  it('inside a transaction it sees the transaction, and an error rolls the transaction back', async () => {
    const seen = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO kinds (id, label) VALUES (3, 'tx')");
      await tx.query("SELECT set_config('hnsw.ef_search', '123', true)");
      return tx.queryBinaryColumns!(
        "SELECT label, current_setting('hnsw.ef_search') AS ef FROM kinds WHERE id = 3",
        [],
        [],
      );
    });
    expect(seen).toEqual([{ label: 'tx', ef: '123' }]);
    const failed = await db
      .transaction(async (tx) => {
        await tx.query("INSERT INTO kinds (id, label) VALUES (4, 'gone')");
        await tx.queryBinaryColumns!('SELECT nope', [], []);
      })
      .then(
        () => 'committed',
        (e: unknown) => (isVecpgError(e) ? e.code : String(e)),
      );
    expect(failed).toBe('QUERY_FAILED');
    expect(await db.query('SELECT id FROM kinds ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(await db.query("SELECT current_setting('hnsw.ef_search') AS ef")).toEqual([{ ef: '40' }]);
  });

  it("leaves PGlite's protocol entry points as it found them: execProtocol() afterwards still gets its reply", async () => {
    await binary('SELECT embedding FROM kinds', [], [0]);
    const sql = new TextEncoder().encode("SELECT 'still here' AS x\0");
    const query = new Uint8Array(5 + sql.length);
    query[0] = 0x51; // 'Q', a simple query
    new DataView(query.buffer).setInt32(1, 4 + sql.length);
    query.set(sql, 5);
    const { data } = await db.pglite.execProtocol(query);
    expect(new TextDecoder().decode(data)).toContain('still here');
  });

  it('search() falls back to vector_send when a transaction executor lacks binary columns', async () => {
    const log: string[] = [];
    const handMade = {
      ...db,
      transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
        db.transaction((tx) => fn({ query: (text, params) => (log.push(text), tx.query(text, params)) })),
    };
    const options = {
      table: 'kinds',
      column: 'embedding',
      query: [0, 0, 0],
      distance: 'l2',
      k: 1,
      select: ['id', 'embedding'],
    } as const;
    const viaTx = await search(handMade, { ...options, approximate: { efSearch: 40 } });
    expect(log.some((text) => text.includes('vector_send("embedding") AS "embedding"'))).toBe(true);
    expect(viaTx).toEqual(await search(db, options));
    expect(viaTx[0]!.embedding).toEqual([Math.fround(0.1), -2, Math.fround(3e-40)]);
  });

  it('concurrent searches and a transaction on one instance do not interleave', async () => {
    await db.query('CREATE TABLE many (id int PRIMARY KEY, embedding vector(3))');
    await db.query('INSERT INTO many SELECT i, ARRAY[i, 0, 0]::real[]::vector FROM generate_series(1, 200) i');
    const searches = Array.from({ length: 12 }, (_, i) =>
      search(db, {
        table: 'many',
        column: 'embedding',
        query: [i * 10, 0, 0],
        distance: 'l2',
        k: 2,
        select: ['id', 'embedding'],
      }),
    );
    const tx = db.transaction(async (t) => {
      await t.query('INSERT INTO many VALUES (1000, $1)', [new Vector([0, 0, 0]).toBinary()]);
      return t.queryBinaryColumns!('SELECT count(*)::int AS n FROM many', [], []);
    });
    const [txRows, ...results] = await Promise.all([tx, ...searches]);
    expect(txRows).toEqual([{ n: 201 }]);
    results.forEach((rows, i) => {
      // Query i*10: nearest ids i*10 (or 1 and the 0 vector's 1000 for i = 0, depending on whether the transaction committed first).
      if (i === 0) expect(rows[0]!.embedding).toEqual(rows[0]!.id === 1000 ? [0, 0, 0] : [1, 0, 0]);
      else expect(rows.map((r) => [r.id, r.embedding])).toEqual([[i * 10, [i * 10, 0, 0]], expect.any(Array)]);
    });
  });
});
