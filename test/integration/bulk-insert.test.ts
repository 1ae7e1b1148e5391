/**
 * bulkInsert: rows from memory written with binary COPY in one transaction, on PGlite, node-postgres and
 * postgres.js. The expected table is written independently, with plain INSERT statements of pgvector's
 * text literals built in the test, and the two are compared by the server (EXCEPT both ways).
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bit, SparseVector } from 'vecpg';
import { bulkInsert, type BulkRow, type LoadTarget } from 'vecpg/load';
import { createServerDatabase, describeEachTarget, type ServerDatabase, type TestDb } from '../support/db.ts';
import { codeOf } from '../support/errors.ts';
import { seededRandom } from '../support/random.ts';

const COLUMNS = `id int PRIMARY KEY, embedding vector(3), h halfvec(3), s sparsevec(6), b bit(4), label text,
  price numeric(8,2), created timestamptz, meta jsonb, note text DEFAULT 'none'`;

interface Source {
  id: number;
  e: number[];
  s: Record<number, number>;
  b: string;
  price: string | null;
  created: Date;
}

/** A number as pgvector's text prints it, for the values used here (String() would print -0 as 0). */
const lit = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));
const vectorLit = (xs: readonly number[]): string => `[${xs.map(lit).join(',')}]`;

/** Values exactly representable in float16 (multiples of 1/8), so their text is unambiguous. */
function sources(n: number): Source[] {
  const rand = seededRandom(5);
  const eighth = () => Math.round((rand() * 2 - 1) * 80) / 8;
  return Array.from({ length: n }, (_, id) => ({
    id,
    e: [eighth(), eighth(), eighth()],
    s: id % 4 === 0 ? {} : { [id % 6]: eighth() || 1, 5: 0.5 },
    b: (id % 16).toString(2).padStart(4, '0'),
    price: id % 10 === 0 ? null : (id * 1.25).toFixed(2),
    created: new Date(Date.UTC(2026, 0, 1 + (id % 28), id % 24)),
  }));
}

function rowOf(x: Source, shape: number): BulkRow {
  // Vectors in every accepted shape: arrays, typed arrays, vecpg values.
  return {
    id: x.id,
    embedding: shape === 0 ? x.e : new Float32Array(x.e),
    h: shape === 2 ? new Float64Array(x.e) : x.e,
    s: new SparseVector(x.s, 6),
    b: shape === 1 ? new Bit(x.b) : x.b,
    label: `row ${x.id} "quoted", comma\ttab`,
    price: x.price,
    created: x.created,
    meta: { id: x.id, tags: ['a', 'b'] },
  };
}

/** The same rows through INSERT with text literals (1-based sparse indices, as pgvector's text format). */
async function insertExpected(db: TestDb, table: string, xs: Source[]): Promise<void> {
  for (const x of xs) {
    const sparse = `{${Object.entries(x.s)
      .map(([i, v]) => `${Number(i) + 1}:${lit(v)}`)
      .join(',')}}/6`;
    await db.query(
      `INSERT INTO ${table} (id, embedding, h, s, b, label, price, created, meta)
       VALUES ($1, $2::vector, $2::halfvec, $3::sparsevec, $4::bit(4), $5, $6::numeric, $7::timestamptz, $8::jsonb)`,
      [
        x.id,
        vectorLit(x.e),
        sparse,
        x.b,
        `row ${x.id} "quoted", comma\ttab`,
        x.price,
        x.created.toISOString(),
        JSON.stringify({ id: x.id, tags: ['a', 'b'] }),
      ],
    );
  }
}

async function sameTables(db: TestDb, a: string, b: string): Promise<void> {
  const cols = 'id, embedding::text, h::text, s::text, b::text, label, price, created, meta, note';
  const diff = await db.query(
    `(SELECT ${cols} FROM ${a} EXCEPT ALL SELECT ${cols} FROM ${b}) UNION ALL (SELECT ${cols} FROM ${b} EXCEPT ALL SELECT ${cols} FROM ${a})`,
  );
  expect(diff).toEqual([]);
}

async function count(db: TestDb, table: string): Promise<number> {
  return Number((await db.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
}

function targetOf(db: TestDb): LoadTarget {
  return db.raw as LoadTarget;
}

describeEachTarget('bulkInsert', (db) => {
  const xs = sources(1000);

  beforeAll(async () => {
    await db().query(`CREATE TABLE bulk_expected (${COLUMNS})`);
    await insertExpected(db(), 'bulk_expected', xs);
  });

  it('writes arrays, typed arrays and vecpg values; text-cast columns go through a staging table', async () => {
    await db().query(`CREATE TABLE bulk_a (${COLUMNS})`);
    const seen: number[] = [];
    const result = await bulkInsert(
      targetOf(db()),
      'bulk_a',
      xs.map((x, i) => rowOf(x, i % 3)),
      {
        chunkBytes: 16 * 1024,
        onProgress: (n) => seen.push(n),
      },
    );
    expect(result).toEqual({ rows: 1000, path: 'staged' });
    expect(seen.at(-1)).toBe(1000);
    expect(seen.length).toBeGreaterThan(3);
    await sameTables(db(), 'bulk_a', 'bulk_expected');
  });

  it('an async iterable streams in; only binary-encodable columns take the direct path', async () => {
    await db().query(`CREATE TABLE bulk_b (id int PRIMARY KEY, embedding vector(3), label text)`);
    async function* rows(): AsyncGenerator<BulkRow> {
      for (const x of xs) yield { id: x.id, embedding: x.e, label: `r${x.id}` };
    }
    expect(await bulkInsert(targetOf(db()), 'bulk_b', rows())).toEqual({ rows: 1000, path: 'direct' });
    const diff = await db().query(
      `SELECT b.id FROM bulk_b b JOIN bulk_expected e USING (id) WHERE b.embedding::text <> e.embedding::text OR b.label <> 'r' || e.id`,
    );
    expect(diff).toEqual([]);
    expect(await count(db(), 'bulk_b')).toBe(1000);
  });

  it('a bad value in an array fails before anything is sent, naming the row and column', async () => {
    await db().query(`CREATE TABLE bulk_c (${COLUMNS})`);
    const rows = xs.map((x, i) => rowOf(x, i % 3));
    rows[500] = { ...rows[500], embedding: [1, 2] };
    const error = await bulkInsert(targetOf(db()), 'bulk_c', rows).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('DIMENSION_MISMATCH');
    expect((error as Error).message).toContain('row 500, column embedding');
    expect(await count(db(), 'bulk_c')).toBe(0);
    rows[500] = { ...rows[700], id: 'seven hundred' };
    const scalar = await bulkInsert(targetOf(db()), 'bulk_c', rows).catch((e: unknown) => e);
    expect(codeOf(scalar)).toBe('INVALID_VALUE');
    expect((scalar as Error).message).toContain('row 500: column id');
    expect(await count(db(), 'bulk_c')).toBe(0);
  });

  it('a bad value deep in an async iterable rolls everything back', async () => {
    await db().query(`CREATE TABLE bulk_d (id int PRIMARY KEY, embedding vector(3))`);
    async function* rows(): AsyncGenerator<BulkRow> {
      for (let i = 0; i < 5000; i++) yield { id: i, embedding: i === 4000 ? [1, NaN, 3] : [i, 1, 2] };
    }
    const error = await bulkInsert(targetOf(db()), 'bulk_d', rows(), { chunkBytes: 1024 }).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('NOT_FINITE');
    expect((error as Error).message).toContain('row 4000');
    expect(await count(db(), 'bulk_d')).toBe(0);
  });

  it('a duplicate key refused by the server leaves nothing written', async () => {
    await db().query(`CREATE TABLE bulk_e (id int PRIMARY KEY, embedding vector(3))`);
    const rows = [0, 1, 2, 1].map((id) => ({ id, embedding: [id, 0, 0] }));
    await expect(bulkInsert(targetOf(db()), 'bulk_e', rows)).rejects.toMatchObject({ code: 'QUERY_FAILED' });
    expect(await count(db(), 'bulk_e')).toBe(0);
  });

  it('unknown columns, generated columns and a missing table are named', async () => {
    await db().query(
      `CREATE TABLE bulk_f (id int, embedding vector(3), norm float8 GENERATED ALWAYS AS (vector_norm(embedding)) STORED)`,
    );
    const unknown = await bulkInsert(targetOf(db()), 'bulk_f', [{ id: 1, embeding: [1, 2, 3] }]).catch(
      (e: unknown) => e,
    );
    expect(codeOf(unknown)).toBe('INVALID_OPTION');
    expect((unknown as Error).message).toContain('"embeding"');
    const generated = await bulkInsert(targetOf(db()), 'bulk_f', [{ id: 1, norm: 3 }]).catch((e: unknown) => e);
    expect((generated as Error).message).toContain('generated');
    const missing = await bulkInsert(targetOf(db()), 'no_such_table', [{ id: 1 }]).catch((e: unknown) => e);
    expect((missing as Error).message).toContain('no_such_table');
    expect(await bulkInsert(targetOf(db()), 'bulk_f', [])).toEqual({ rows: 0, path: 'direct' });
  });
});

describe.runIf(process.env.DATABASE_URL)('bulkInsert on postgres.js (server)', () => {
  let server: ServerDatabase;
  let sql: postgres.Sql;
  beforeAll(async () => {
    server = await createServerDatabase();
    sql = postgres(server.url, { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql.end();
    await server.drop();
  });

  it('writes the same rows as INSERT, and rolls back on a bad row', async () => {
    await sql.unsafe(`CREATE TABLE pj_a (id int PRIMARY KEY, embedding vector(3), created timestamptz)`);
    const rows = Array.from({ length: 300 }, (_, id) => ({
      id,
      embedding: [id / 8, -id, 0.5],
      created: new Date(Date.UTC(2026, 1, 1, 0, id)),
    }));
    expect(await bulkInsert(sql, 'pj_a', rows, { chunkBytes: 512 })).toEqual({ rows: 300, path: 'staged' });
    const got = await sql.unsafe<{ id: number; e: string; c: Date }[]>(
      `SELECT id, embedding::text AS e, created AS c FROM pj_a ORDER BY id`,
    );
    expect(got.map((r) => [r.id, r.e, r.c.toISOString()])).toEqual(
      rows.map((r) => [r.id, vectorLit(r.embedding), r.created.toISOString()]),
    );
    await sql.unsafe(`CREATE TABLE pj_b (id int PRIMARY KEY, embedding vector(3))`);
    const error = await bulkInsert(sql, 'pj_b', [
      { id: 1, embedding: [1, 2, 3] },
      { id: 1, embedding: [1, 2, 3] },
    ]).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('QUERY_FAILED');
    expect((await sql.unsafe(`SELECT count(*)::int AS n FROM pj_b`))[0]).toEqual({ n: 0 });
  });
});
