/**
 * Load on a real server (DATABASE_URL): 64 concurrent similarity queries through a fresh pg.Pool of
 * 8 with `registerTypes`, so connections are opened while the burst is running. Every row is parsed
 * (no vector comes back as a string from a connection that missed registration), and approximate
 * settings never leak: queries with `SET LOCAL hnsw.ef_search = n` are interleaved with queries
 * without, and each reads `current_setting('hnsw.ef_search')` in its own statement.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparseVector, type VecpgDb, createIndexSql, search, withSearchSettings } from 'vecpg';
import { vectorParam } from 'vecpg/sql';
import { registerVectorTypes, wrapPg } from 'vecpg/pg';
import { type ServerDatabase, createServerDatabase } from '../support/db.ts';

// Registered (and reported as skipped) without a server, so the file is never empty.
describe.runIf(Boolean(process.env.DATABASE_URL))('on a server (DATABASE_URL)', () => {
  describe('load: 64 concurrent queries through a pool of 8', () => {
    let server: ServerDatabase;
    let pool: pg.Pool;
    let db: VecpgDb;

    beforeAll(async () => {
      server = await createServerDatabase();
      const setup = new pg.Client({ connectionString: server.url });
      await setup.connect();
      await setup.query(
        'CREATE TABLE items (id int PRIMARY KEY, embedding vector(3), half halfvec(3), sparse sparsevec(5), bits bit(3))',
      );
      await setup.query(
        "INSERT INTO items SELECT g, ARRAY[g, g % 7, 1]::vector(3), ARRAY[g % 5, 1, 2]::halfvec(3), ('{' || (g % 5 + 1) || ':' || g || '}/5')::sparsevec, (g % 8)::bit(3) FROM generate_series(1, 200) g",
      );
      await setup.query(createIndexSql({ table: 'items', column: 'embedding', type: 'vector', distance: 'l2' }));
      await setup.end();
      pool = new pg.Pool({ connectionString: server.url, max: 8 });
      db = await wrapPg(pool); // registerTypes on the pool: every client it hands out, now and later
    });

    afterAll(async () => {
      await pool?.end();
      await server?.drop();
    });

    it('every row parsed, every query sees only its own ef_search', async () => {
      type Row = { id: number; ef: string | null; embedding: unknown; half: unknown; sparse: unknown; bits: unknown };
      const text =
        "SELECT id, current_setting('hnsw.ef_search', true) AS ef, embedding, half, sparse, bits FROM items ORDER BY embedding <-> $1::vector LIMIT 5";
      const jobs = Array.from({ length: 64 }, async (_, i) => {
        const q = vectorParam([i, i % 7, 1], 'vector');
        if (i % 2 === 0) {
          const ef = String(10 + i);
          const rows = await withSearchSettings(db, { efSearch: 10 + i }, (tx) => tx.query<Row>(text, [q]));
          return { i, want: ef, rows };
        }
        const rows =
          i % 4 === 1 ? await db.query<Row>(text, [q]) : await pool.query<Row>(text, [q]).then((r) => r.rows);
        return { i, want: null, rows };
      });
      const results = await Promise.all(jobs);
      expect(pool.totalCount).toBeLessThanOrEqual(8);
      for (const { i, want, rows } of results) {
        expect(rows.length, `query ${i}`).toBe(5);
        for (const r of rows) {
          // Without settings the session's value is the default (or unset: pgvector not loaded yet).
          if (want === null) expect([null, '40'], `query ${i} saw ef_search ${r.ef}`).toContain(r.ef);
          else expect(r.ef, `query ${i}`).toBe(want);
          expect(
            Array.isArray(r.embedding) && (r.embedding as unknown[]).every((x) => typeof x === 'number'),
            `query ${i}: embedding ${String(r.embedding)}`,
          ).toBe(true);
          expect(r.embedding).toEqual([r.id, r.id % 7, 1]);
          expect(r.half).toEqual([r.id % 5, 1, 2]);
          expect(r.sparse).toBeInstanceOf(SparseVector);
          expect((r.sparse as SparseVector).toObject()).toEqual({ [r.id % 5]: r.id });
          expect(typeof r.bits).toBe('string');
        }
      }
    });

    it('64 concurrent exact and approximate searches through search(): parsed rows, right neighbours', async () => {
      const jobs = Array.from({ length: 64 }, (_, i) =>
        search<{ id: number; embedding: number[] }>(db, {
          table: 'items',
          column: 'embedding',
          query: [i + 1, (i + 1) % 7, 1],
          distance: 'l2',
          k: 1,
          select: ['id', 'embedding'],
          ...(i % 3 === 0 ? { approximate: { efSearch: 40 + i } } : {}),
        }),
      );
      const results = await Promise.all(jobs);
      results.forEach((rows, i) => {
        expect(rows).toEqual([{ id: i + 1, embedding: [i + 1, (i + 1) % 7, 1], distance: 0 }]);
      });
      // A fresh pool where registration happens while the burst is already running.
      const late = new pg.Pool({ connectionString: server.url, max: 8 });
      try {
        const registering = registerVectorTypes(late);
        const burst = Array.from({ length: 64 }, () =>
          registering.then(() => late.query<{ embedding: unknown }>('SELECT embedding FROM items WHERE id = 7')),
        );
        for (const r of await Promise.all(burst)) expect(r.rows[0]!.embedding).toEqual([7, 0, 1]);
      } finally {
        await late.end();
      }
    });
  });
});
