/**
 * Certified exact search on both databases: the schema (generated columns kept in sync on insert and
 * update, storage EXTERNAL / MAIN), search({ exact: 'certified' }) against the exact search with filters,
 * maxDistance and the vector column read back, the fallbacks, and the errors.
 */
import { beforeAll, expect, it } from 'vitest';
import { Vector, addCertifiedColumnsSql, dropCertifiedColumnsSql, isVecpgError, search } from 'vecpg';
import { certifiedColumnDefinitions, certifiedStorageSql, type CertifiedDistance } from 'vecpg/sql';
import { describeEachTarget } from '../support/db.ts';

const DIMS = 16;
const DISTANCES: CertifiedDistance[] = ['l2', 'ip', 'cosine', 'l1'];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const rnd = prng(7);
const ROWS = Array.from({ length: 300 }, () => Array.from({ length: DIMS }, () => rnd() * 2 - 1));
const QUERY = Array.from({ length: DIMS }, () => rnd() * 2 - 1);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isVecpgError(e) ? e.code : `not a VecpgError: ${String(e)}`;
  }
  return 'no error';
}

it('writes the DDL by hand-checked text', () => {
  expect(certifiedColumnDefinitions('embedding', 3, ['l2', 'ip'])).toEqual([
    '"embedding_half" halfvec(3) GENERATED ALWAYS AS (CASE WHEN vector_norm("embedding") <= 65504 THEN "embedding"::halfvec(3) END) STORED',
    '"embedding_half_l2err" double precision GENERATED ALWAYS AS (CASE WHEN vector_norm("embedding") <= 65504 THEN l2_distance("embedding", "embedding"::halfvec(3)::vector) END) STORED',
    '"embedding_norm" double precision GENERATED ALWAYS AS (vector_norm("embedding")) STORED',
  ]);
  expect(certifiedStorageSql(['s', 'items'], 'embedding', ['cosine'])).toBe(
    'ALTER TABLE "s"."items" ALTER COLUMN "embedding" SET STORAGE EXTERNAL, ALTER COLUMN "embedding_unit_half" SET STORAGE MAIN',
  );
  expect(certifiedColumnDefinitions('e', 5, ['l2'], { form: 'prefix', prefix: 2 })).toEqual([
    '"e_prefix" halfvec(2) GENERATED ALWAYS AS (CASE WHEN vector_norm("e") <= 65504 THEN subvector("e", 1, 2)::halfvec(2) END) STORED',
    '"e_prefix_l2err" double precision GENERATED ALWAYS AS (CASE WHEN vector_norm("e") <= 65504 THEN l2_distance(subvector("e", 1, 2), subvector("e", 1, 2)::halfvec(2)::vector) END) STORED',
    '"e_rest_norm" double precision GENERATED ALWAYS AS (CASE WHEN vector_norm("e") <= 65504 THEN vector_norm(subvector("e", 3, 3)) END) STORED',
  ]);
  expect(certifiedStorageSql('items', 'e', ['cosine'], { form: 'prefix', prefix: 2 })).toBe(
    'ALTER TABLE "items" ALTER COLUMN "e" SET STORAGE EXTERNAL, ALTER COLUMN "e_unit_prefix" SET STORAGE MAIN',
  );
});

const PREFIX = { form: 'prefix', prefix: 4 } as const;
const PREFIX_DISTANCES: CertifiedDistance[] = ['l2', 'cosine'];

describeEachTarget('certified exact search', (db) => {
  beforeAll(async () => {
    await db().query(`CREATE TABLE items (id int PRIMARY KEY, category text, embedding vector(${DIMS}))`);
    await db().query(
      'INSERT INTO items SELECT id, category, v::vector FROM unnest($1::int[], $2::text[], $3::text[]) AS u(id, category, v)',
      [ROWS.map((_, i) => i), ROWS.map((_, i) => (i % 3 === 0 ? 'a' : 'b')), ROWS.map((v) => new Vector(v).toSql())],
    );
    await db().query(addCertifiedColumnsSql('items', 'embedding', DIMS, DISTANCES, { ifNotExists: true }));
    // a re-run changes nothing
    await db().query(addCertifiedColumnsSql('items', 'embedding', DIMS, DISTANCES, { ifNotExists: true }));
    // and the prefix form next to the half form
    await db().query(addCertifiedColumnsSql('items', 'embedding', DIMS, PREFIX_DISTANCES, PREFIX));
  });

  it('creates the columns with the storage it needs, filled for existing rows and kept in sync on update', async () => {
    const storage = await db().query<{ attname: string; attstorage: string }>(
      "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0 ORDER BY attnum",
    );
    expect(Object.fromEntries(storage.map((r) => [r.attname, r.attstorage]))).toMatchObject({
      embedding: 'e',
      embedding_half: 'm',
      embedding_unit_half: 'm',
    });
    const check = async () =>
      db().query<{ same: boolean; err: number; expected: number }>(
        `SELECT embedding_half = embedding::halfvec(${DIMS}) AS same, embedding_half_l2err AS err,
                l2_distance(embedding, embedding::halfvec(${DIMS})::vector) AS expected FROM items WHERE id = 5`,
      );
    expect(await check()).toEqual([{ same: true, err: expect.any(Number), expected: expect.any(Number) }]);
    await db().query("UPDATE items SET embedding = '[1.0001,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]' WHERE id = 5");
    const [after] = await check();
    expect(after!.same).toBe(true);
    expect(after!.err).toBe(after!.expected);
    expect(after!.err).toBeGreaterThan(0); // 1.0001 is not a float16
  });

  it('stores the prefix, its float16 error and the norm of the rest', async () => {
    const [row] = await db().query<{ p: string; e: number; r: number; ur: number }>(
      'SELECT embedding_prefix::text AS p, embedding_prefix_l2err AS e, embedding_rest_norm AS r, embedding_unit_rest_norm AS ur FROM items WHERE id = 7',
    );
    const v = Float32Array.from(ROWS[7]!); // what the server stored
    const rest = Math.hypot(...v.slice(4));
    expect(row!.r).toBeCloseTo(rest, 5);
    expect(row!.ur).toBeCloseTo(rest / Math.hypot(...v), 5);
    const half = JSON.parse(row!.p) as number[];
    expect(half).toHaveLength(4);
    half.forEach((h, i) => expect(Math.abs(h - v[i]!)).toBeLessThanOrEqual(Math.abs(v[i]!) * 2 ** -11 + 2 ** -25));
    expect(row!.e).toBeCloseTo(Math.hypot(...half.map((h, i) => h - v[i]!)), 6);
  });

  it('prefix form: returns what the exact search returns, with filters and maxDistance', async () => {
    for (const distance of PREFIX_DISTANCES) {
      for (const options of [
        { k: 10 },
        { k: 3, where: { category: 'a' } },
        { k: 50, maxDistance: distance === 'cosine' ? 0.6 : 2.5 },
      ]) {
        const base = {
          table: 'items',
          column: 'embedding',
          query: QUERY,
          distance,
          select: ['id', 'embedding'],
          ...options,
        };
        const exact = await search(db(), base);
        for (const candidates of [options.k, 1000]) {
          const certified = await search(db(), { ...base, exact: 'certified', certified: { ...PREFIX, candidates } });
          expect(certified, `${distance} ${JSON.stringify(options)} N ${candidates}`).toEqual(exact);
          if (candidates === 1000) expect(certified.certificate.proven).toBe(true); // all 300 rows were candidates
        }
      }
    }
  });

  it('returns what the exact search returns, with filters, maxDistance and the vector read back', async () => {
    for (const distance of DISTANCES) {
      for (const options of [
        { k: 10 },
        { k: 3, where: { category: 'a' } },
        { k: 50, maxDistance: distance === 'ip' ? -0.5 : distance === 'cosine' ? 0.6 : 2.5 },
      ]) {
        const base = {
          table: 'items',
          column: 'embedding',
          query: QUERY,
          distance,
          select: ['id', 'embedding'],
          ...options,
        };
        const exact = await search(db(), base);
        const certified = await search(db(), { ...base, exact: 'certified' });
        expect(certified, `${distance} ${JSON.stringify(options)}`).toEqual(exact);
        expect(certified.certificate.fallback).toBeNull();
        expect(certified.certificate.proven).toBe(true);
      }
    }
  });

  it('falls back to the exact scan when the query cannot be bounded, and still answers exactly', async () => {
    const huge = QUERY.map((x, i) => (i === 0 ? 70000 : x));
    const base = { table: 'items', column: 'embedding', query: huge, distance: 'l2' as const, k: 5, select: ['id'] };
    const certified = await search(db(), { ...base, exact: 'certified' });
    expect(certified).toEqual(await search(db(), base));
    expect(certified.certificate).toMatchObject({ proven: false, fallback: 'exact-scan', tries: 0 });
  });

  it('makes rows beyond float16 candidates of every search (NULL compact), never missing them', async () => {
    await db().query(`INSERT INTO items (id, category, embedding) VALUES (1000, 'a', $1::vector)`, [
      new Vector(QUERY.map((x) => x * 1e5)).toSql(),
    ]);
    const [row] = await db().query<{ h: unknown; e: unknown }>(
      'SELECT embedding_half AS h, embedding_half_l2err AS e FROM items WHERE id = 1000',
    );
    expect(row).toEqual({ h: null, e: null });
    // prefix form: a row whose norm is beyond float16 (elements are not) has NULL prefix columns, and
    // a search finds it (it is the nearest: the query is that row)
    const big = QUERY.map((x) => x * 4e4);
    await db().query(`INSERT INTO items (id, category, embedding) VALUES (1001, 'a', $1::vector)`, [
      new Vector(big).toSql(),
    ]);
    const [p] = await db().query('SELECT embedding_prefix AS h, embedding_rest_norm AS r FROM items WHERE id = 1001');
    expect(p).toEqual({ h: null, r: null });
    const far = { table: 'items', column: 'embedding', query: big, distance: 'l2' as const, k: 2, select: ['id'] };
    const prefixed = await search(db(), { ...far, exact: 'certified', certified: { ...PREFIX, candidates: 2 } });
    expect(prefixed[0]!.id).toBe(1001);
    expect(prefixed).toEqual(await search(db(), far));
    await db().query('DELETE FROM items WHERE id = 1001');
    // the huge row is the nearest by inner product
    const base = { table: 'items', column: 'embedding', query: QUERY, distance: 'ip' as const, k: 3, select: ['id'] };
    const certified = await search(db(), { ...base, exact: 'certified' });
    expect(certified[0]!.id).toBe(1000);
    expect(certified).toEqual(await search(db(), base));
    await db().query('DELETE FROM items WHERE id = 1000');
  });

  it('refuses what it cannot do, with stable codes', async () => {
    await db().query(`CREATE TABLE plain_items (id int, embedding vector(${DIMS}))`);
    const base = { table: 'items', column: 'embedding', query: QUERY, distance: 'l2' as const };
    expect(await codeOf(search(db(), { ...base, table: 'plain_items', exact: 'certified' }))).toBe(
      'CERTIFIED_SCHEMA_MISSING',
    );
    expect(await codeOf(search(db(), { ...base, offset: 2, exact: 'certified' }))).toBe('INVALID_OPTION');
    expect(await codeOf(search(db(), { ...base, certified: { candidates: 80 } }))).toBe('INVALID_OPTION');
    expect(await codeOf(search(db(), { ...base, exact: 'certified', certified: { candidates: 0 } }))).toBe(
      'INVALID_OPTION',
    );
    expect(
      await codeOf(
        search(db(), { ...base, query: '1010', column: 'embedding', distance: 'hamming', exact: 'certified' }),
      ),
    ).toBe('UNSUPPORTED');
    // prefix form: no bound for ip/l1, a prefix of the wrong length or out of range, no prefix columns
    expect(await codeOf(search(db(), { ...base, distance: 'ip', exact: 'certified', certified: PREFIX }))).toBe(
      'UNSUPPORTED',
    );
    for (const prefix of [0, DIMS, 2.5])
      expect(await codeOf(search(db(), { ...base, exact: 'certified', certified: { form: 'prefix', prefix } }))).toBe(
        'INVALID_OPTION',
      );
    expect(await codeOf(search(db(), { ...base, exact: 'certified', certified: { form: 'prefix', prefix: 5 } }))).toBe(
      'INVALID_OPTION',
    );
    expect(await codeOf(search(db(), { ...base, table: 'plain_items', exact: 'certified', certified: PREFIX }))).toBe(
      'CERTIFIED_SCHEMA_MISSING',
    );
    expect(await codeOf(search(db(), { ...base, exact: 'certified', certified: { form: 'int8' as 'half' } }))).toBe(
      'INVALID_OPTION',
    );
  });

  it('dropCertifiedColumnsSql removes exactly the columns addCertifiedColumnsSql added, rows intact', async () => {
    const columns = async (table: string) =>
      (
        await db().query<{ attname: string }>(
          `SELECT attname::text FROM pg_attribute WHERE attrelid = '${table}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        )
      ).map((r) => r.attname);
    await db().query(`CREATE TABLE drop_items AS SELECT id, category, embedding FROM items`);
    const before = await db().query<{ n: number; s: string }>(
      "SELECT count(*)::int AS n, md5(string_agg(embedding::text, ',' ORDER BY id)) AS s FROM drop_items",
    );
    await db().query(addCertifiedColumnsSql('drop_items', 'embedding', DIMS, ['l2', 'ip']));
    await db().query(addCertifiedColumnsSql('drop_items', 'embedding', DIMS, ['cosine'], PREFIX));
    expect(await columns('drop_items')).toEqual([
      'id',
      'category',
      'embedding',
      'embedding_half',
      'embedding_half_l2err',
      'embedding_norm',
      'embedding_unit_prefix',
      'embedding_unit_prefix_l2err',
      'embedding_unit_rest_norm',
    ]);
    // the half form's down leaves the prefix form's columns, and is re-runnable
    for (let i = 0; i < 2; i++) await db().query(dropCertifiedColumnsSql('drop_items', 'embedding', ['l2', 'ip']));
    expect(await columns('drop_items')).toEqual([
      'id',
      'category',
      'embedding',
      'embedding_unit_prefix',
      'embedding_unit_prefix_l2err',
      'embedding_unit_rest_norm',
    ]);
    await db().query(dropCertifiedColumnsSql('drop_items', 'embedding', ['cosine'], PREFIX));
    expect(await columns('drop_items')).toEqual(['id', 'category', 'embedding']);
    const after = await db().query<{ n: number; s: string }>(
      "SELECT count(*)::int AS n, md5(string_agg(embedding::text, ',' ORDER BY id)) AS s FROM drop_items",
    );
    expect(after).toEqual(before);
    expect(before[0]!.n).toBe(ROWS.length);
    expect(() => dropCertifiedColumnsSql('drop_items', 'embedding', [])).toThrow(/at least one distance/);
  });
});
