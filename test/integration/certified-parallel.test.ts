/**
 * Certified search and parallel workers (`certified.parallel`): the prefix form's tries run with
 * max_parallel_workers_per_gather = 0 unless the user set the setting; the half form, the fallback and
 * PGlite keep the plan as it is; the setting is the user's again after the search. What the statement saw
 * is read inside it, by a filter on current_setting(): a wrong value filters every row out.
 */
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vector, addCertifiedColumnsSql, isVecpgError, search, sqlFilter } from 'vecpg';
import type { VecpgDb } from 'vecpg';
import { wrapPg } from 'vecpg/pg';
import { wrapPostgres } from 'vecpg/postgres';
import { openPglite } from 'vecpg/pglite';
import { type ServerDatabase, createServerDatabase, pgliteTemplate } from '../support/db.ts';

const DIMS = 12;
const PREFIX = { form: 'prefix', prefix: 4 } as const;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const rnd = prng(18);
const ROWS = Array.from({ length: 200 }, () => Array.from({ length: DIMS }, () => rnd() * 2 - 1));
const QUERY = Array.from({ length: DIMS }, () => rnd() * 2 - 1);

async function setUp(db: VecpgDb): Promise<void> {
  await db.query(`CREATE TABLE items (id int PRIMARY KEY, embedding vector(${DIMS}))`);
  await db.query('INSERT INTO items SELECT id, v::vector FROM unnest($1::int[], $2::text[]) AS u(id, v)', [
    ROWS.map((_, i) => i),
    ROWS.map((v) => new Vector(v).toSql()),
  ]);
  await db.query(addCertifiedColumnsSql('items', 'embedding', DIMS, ['l2']));
  await db.query(addCertifiedColumnsSql('items', 'embedding', DIMS, ['l2'], PREFIX));
}

const base = { table: 'items', column: 'embedding', query: QUERY, distance: 'l2', k: 5, select: ['id'] } as const;
/** Keeps every row while the statement runs with `value`, none otherwise. */
const seen = (value: string) => sqlFilter("current_setting('max_parallel_workers_per_gather') = $1", [value]);
const show = async (db: VecpgDb) =>
  String((await db.query('SHOW max_parallel_workers_per_gather'))[0]!['max_parallel_workers_per_gather']);

/** The certified search with the filter `seen(value)`: the exact rows when the tries ran with `value`. */
async function certifiedSeeing(db: VecpgDb, value: string, certified: object = PREFIX) {
  return search(db, { ...base, exact: 'certified', certified: { ...certified, candidates: 40 }, where: seen(value) });
}

describe.runIf(process.env.DATABASE_URL)('certified search and parallel workers (server)', () => {
  let server: ServerDatabase;
  let client: pg.Client;
  let sql: postgres.Sql;
  const drivers: Array<[string, () => VecpgDb]> = [];
  let viaPg: VecpgDb;
  let viaPostgres: VecpgDb;
  let expected: unknown[];
  beforeAll(async () => {
    server = await createServerDatabase();
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
    viaPg = await wrapPg(client);
    // one connection, so that a session SET is seen by the next search
    sql = postgres(server.url, { max: 1, onnotice: () => undefined });
    viaPostgres = await wrapPostgres(sql);
    drivers.push(['pg', () => viaPg], ['postgres.js', () => viaPostgres]);
    await setUp(viaPg);
    // the expected rows: brute force in the test, ids of the 5 smallest L2 distances
    const d = ROWS.map((v, id) => ({ id, d: Math.hypot(...v.map((x, j) => Math.fround(x) - Math.fround(QUERY[j]!))) }));
    expected = d
      .sort((a, b) => a.d - b.d)
      .slice(0, 5)
      .map((r) => r.id);
  });
  afterAll(async () => {
    await client?.end();
    await sql?.end();
    await server?.drop();
  });
  const ids = (rows: Array<Record<string, unknown>>) => rows.map((r) => r['id']);

  it('runs the prefix form without parallel workers when the setting is the server default, and puts it back', async () => {
    for (const [name, db] of drivers) {
      const before = await show(db());
      expect(before, name).toBe('2'); // PostgreSQL's default: nobody set it
      const rows = await certifiedSeeing(db(), '0');
      expect(ids(rows), name).toEqual(expected);
      expect(rows.certificate.proven, name).toBe(true);
      expect(await show(db()), name).toBe(before);
      // the plan is the server's with 'server', and for the half form by default
      expect(ids(await certifiedSeeing(db(), '0', { ...PREFIX, parallel: 'server' })), name).toEqual([]);
      expect(ids(await certifiedSeeing(db(), before, { ...PREFIX, parallel: 'server' })), name).toEqual(expected);
      expect(ids(await certifiedSeeing(db(), before, {})), name).toEqual(expected);
      // 'serial' applies to the half form too
      expect(ids(await certifiedSeeing(db(), '0', { parallel: 'serial' })), name).toEqual(expected);
      expect(await show(db()), name).toBe(before);
    }
  });

  it("keeps the user's own setting, unless certified.parallel is 'serial', and restores it after", async () => {
    for (const [name, db] of drivers) {
      await db().query('SET max_parallel_workers_per_gather = 1');
      try {
        expect(ids(await certifiedSeeing(db(), '1')), name).toEqual(expected);
        expect(await show(db()), name).toBe('1');
        expect(ids(await certifiedSeeing(db(), '0', { ...PREFIX, parallel: 'serial' })), name).toEqual(expected);
        expect(await show(db()), name).toBe('1');
      } finally {
        await db().query('RESET max_parallel_workers_per_gather');
      }
    }
  });

  it('restores the setting inside a transaction that is still open after the search', async () => {
    // A VecpgDb whose transaction() runs on the caller's open transaction (as the ORM executors do
    // inside an interactive transaction): the SET LOCAL would otherwise last until that one ends.
    await client.query('BEGIN');
    try {
      const inner: VecpgDb = {
        kind: 'pg',
        query: async (text, params) => (await client.query(text, params as unknown[])).rows,
        transaction: (fn) => fn(inner),
      };
      expect(ids(await certifiedSeeing(inner, '0')), 'inner').toEqual(expected);
      expect(await show(inner)).toBe('2');
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('runs the fallback exact scan with the server plan', async () => {
    // No try (maxTries 0): the exact scan answers, outside the serial transaction.
    const rows = await search(viaPg, {
      ...base,
      exact: 'certified',
      certified: { ...PREFIX, maxTries: 0 },
      where: seen('2'),
    });
    expect(ids(rows)).toEqual(expected);
    expect(rows.certificate.fallback).toBe('exact-scan');
  });

  it('sizes the second try by the first try’s k-th distance, not N × growth', async () => {
    // N = k = 5 cannot prove itself. With N × growth the second try would take all 200 rows and prove with
    // the bound of the largest key; sized by the first try's 5th distance d, it takes the rows up to the
    // smallest key whose bound reaches d, so its bound is d (to float8 precision).
    const options = { ...base, exact: 'certified', certified: { candidates: 5, growth: 100 } } as const;
    const first = await search(viaPg, { ...options, certified: { ...options.certified, maxTries: 1 } });
    expect(first.certificate).toMatchObject({ proven: false, tries: 1, fallback: 'exact-scan' });
    const d = first.certificate.threshold!;
    const rows = await search(viaPg, { ...options, certified: { ...options.certified, maxTries: 2 } });
    expect(ids(rows)).toEqual(expected);
    expect(rows.certificate).toMatchObject({ proven: true, firstTry: false, tries: 2 });
    expect(rows.certificate.bound).toBeGreaterThanOrEqual(d);
    expect(rows.certificate.bound! - d).toBeLessThan(1e-9 * d);
  });

  it('rejects an unknown certified.parallel, naming it', async () => {
    let error: unknown;
    try {
      await search(viaPg, { ...base, exact: 'certified', certified: { parallel: 'off' as 'server' } });
    } catch (e) {
      error = e;
    }
    expect(isVecpgError(error) && error.code).toBe('INVALID_OPTION');
    expect((error as Error).message).toMatch(/certified\.parallel.*"off"/);
  });
});

describe('certified search and parallel workers (PGlite)', () => {
  let db: Awaited<ReturnType<typeof openPglite>>;
  beforeAll(async () => {
    db = await openPglite({ loadDataDir: await pgliteTemplate() });
    await setUp(db);
  });
  afterAll(async () => {
    await db?.pglite.close();
  });

  it('leaves the setting alone (no parallel workers there), even with serial', async () => {
    const before = await show(db);
    const exact = await search(db, base);
    expect(exact).toHaveLength(5);
    for (const parallel of ['auto', 'serial'] as const) {
      const rows = await certifiedSeeing(db, before, { ...PREFIX, parallel });
      expect(rows.map((r) => r['id'])).toEqual(exact.map((r) => r['id']));
    }
    expect(await show(db)).toBe(before);
  });
});
