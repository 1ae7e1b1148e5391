/**
 * Faults on a real PostgreSQL server (DATABASE_URL): a backend killed with pg_terminate_backend in
 * the middle of an exact search and of an index build, a statement_timeout during an exact search.
 * Each gives a clear VecpgError (QUERY_FAILED with the server's SQLSTATE and words), leaves no
 * partial state (no index, or an INVALID one that `doctor` reports), and the pool recovers: the
 * next query on it works. Faults during an import: test/integration/load-fault.test.ts.
 * The slow search is a search over a view that sleeps before returning its rows.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type VecpgDb, createIndexSql, search } from 'vecpg';
import { registerVectorTypes as registerTypes, wrapPg } from 'vecpg/pg';
import { queryFailed } from '../../src/drivers/query-error.ts';
import { doctor } from 'vecpg/tune';
import { type ServerDatabase, createServerDatabase } from '../support/db.ts';

const QUERY = [1, 0, 0];

/** Poll until `probe` returns a row (the victim is running), then terminate that backend. */
async function killWhen(admin: pg.Pool, probe: string): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await admin.query<{ pid: number }>(probe);
    if (rows[0]) {
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      return rows[0].pid;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nothing matched ${probe}`);
}

if (process.env.DATABASE_URL) {
  describe('faults on the server', () => {
    let server: ServerDatabase;
    let pool: pg.Pool;
    let admin: pg.Pool;
    let db: VecpgDb;
    const poolErrors: Error[] = [];

    beforeAll(async () => {
      server = await createServerDatabase();
      pool = new pg.Pool({ connectionString: server.url, max: 4 });
      pool.on('error', (e) => poolErrors.push(e)); // an idle client whose backend died: the pool drops it
      admin = new pg.Pool({ connectionString: server.url, max: 1 });
      db = await wrapPg(pool);
      await db.query('CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))');
      await db.query("INSERT INTO items VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0,0,1]')");
      await db.query('CREATE VIEW slow_items AS SELECT i.* FROM items i, LATERAL (SELECT pg_sleep(30)) s');
    });

    afterAll(async () => {
      await pool?.end();
      await admin?.end();
      await server?.drop();
    });

    async function poolWorks(): Promise<void> {
      const rows = await search(db, {
        table: 'items',
        column: 'embedding',
        query: QUERY,
        distance: 'l2',
        k: 2,
        select: ['id'],
      });
      expect(rows.map((r) => r.id)).toEqual([1, 2]);
    }

    it('a backend killed during an exact search: QUERY_FAILED naming the termination, and the pool recovers', async () => {
      const running = search(db, { table: 'slow_items', column: 'embedding', query: QUERY, distance: 'l2', k: 2 });
      const outcome = running.then(
        () => 'resolved',
        (e: unknown) => e,
      );
      await killWhen(
        admin,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%FROM \"slow_items\"%' AND state = 'active' AND pid <> pg_backend_pid()",
      );
      const error = await outcome;
      expect(error).toMatchObject({
        name: 'VecpgError',
        code: 'QUERY_FAILED',
        details: expect.objectContaining({ sqlstate: '57P01' }),
      });
      expect((error as Error).message).toMatch(/terminating connection due to administrator command/);
      await poolWorks();
      await poolWorks(); // twice: a dead client handed out again would fail here
    });

    it('an approximate search (SET LOCAL in a transaction) killed midway: the pool recovers, no setting leaks', async () => {
      const running = search(db, {
        table: 'slow_items',
        column: 'embedding',
        query: QUERY,
        distance: 'l2',
        k: 2,
        approximate: { efSearch: 7 },
      });
      const outcome = running.then(
        () => 'resolved',
        (e: unknown) => e,
      );
      await killWhen(
        admin,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%FROM \"slow_items\"%' AND state = 'active' AND pid <> pg_backend_pid()",
      );
      expect(await outcome).toMatchObject({ code: 'QUERY_FAILED' });
      for (let i = 0; i < 6; i++) {
        // null: pgvector not loaded in that session yet, so nothing was ever set there.
        const rows = await db.query<{ ef: string | null }>("SELECT current_setting('hnsw.ef_search', true) AS ef");
        expect([null, '40']).toContain(rows[0]!.ef);
      }
      await poolWorks();
    });

    it('a statement_timeout during an exact search: QUERY_FAILED naming the timeout', async () => {
      const timed = new pg.Pool({ connectionString: server.url, max: 2, options: '-c statement_timeout=300' });
      try {
        const tdb = await wrapPg(timed);
        const error = await search(tdb, {
          table: 'slow_items',
          column: 'embedding',
          query: QUERY,
          distance: 'l2',
        }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'QUERY_FAILED', details: expect.objectContaining({ sqlstate: '57014' }) });
        expect((error as Error).message).toMatch(/statement timeout/);
        const rows = await search(tdb, {
          table: 'items',
          column: 'embedding',
          query: QUERY,
          distance: 'l2',
          k: 1,
          select: ['id'],
        });
        expect(rows.map((r) => r.id)).toEqual([1]);
      } finally {
        await timed.end();
      }
    });

    describe('index builds', () => {
      beforeAll(async () => {
        // Enough rows that an HNSW build takes seconds: time to see it in pg_stat_progress_create_index.
        await db.query('CREATE TABLE big (id int PRIMARY KEY, embedding vector(64))');
        await db.query(
          'INSERT INTO big SELECT g, (SELECT array_agg(random()) FROM generate_series(1, 64) WHERE g > 0)::vector FROM generate_series(1, 30000) g',
        );
      }, 120_000);

      const probe =
        "SELECT a.pid FROM pg_stat_progress_create_index p JOIN pg_stat_activity a ON a.pid = p.pid WHERE a.datname = current_database() AND p.phase LIKE 'building%'";

      it('a backend killed during CREATE INDEX: QUERY_FAILED, no index left behind, the pool recovers', async () => {
        const sql = createIndexSql({
          table: 'big',
          column: 'embedding',
          type: 'vector',
          distance: 'l2',
          efConstruction: 200,
          name: 'big_killed_idx',
        });
        const outcome = db.query(sql).then(
          () => 'resolved',
          (e: unknown) => e,
        );
        await killWhen(admin, probe);
        expect(await outcome).toMatchObject({
          code: 'QUERY_FAILED',
          details: expect.objectContaining({ sqlstate: '57P01' }),
        });
        const left = await db.query("SELECT 1 FROM pg_class WHERE relname = 'big_killed_idx'");
        expect(left).toHaveLength(0);
        await poolWorks();
      }, 120_000);

      it('a backend killed during CREATE INDEX CONCURRENTLY: the INVALID index left behind is reported by doctor', async () => {
        const sql = createIndexSql({
          table: 'big',
          column: 'embedding',
          type: 'vector',
          distance: 'l2',
          efConstruction: 200,
          name: 'big_conc_idx',
          concurrently: true,
        });
        const outcome = db.query(sql).then(
          () => 'resolved',
          (e: unknown) => e,
        );
        await killWhen(admin, probe);
        expect(await outcome).toMatchObject({ code: 'QUERY_FAILED' });
        const left = await db.query<{ valid: boolean }>(
          "SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'big_conc_idx'",
        );
        expect(left).toEqual([{ valid: false }]);
        const findings = await doctor(db);
        expect(findings).toContainEqual(
          expect.objectContaining({ code: 'INDEX_INVALID', subject: 'public.big_conc_idx' }),
        );
        await poolWorks();
      }, 120_000);
    });
  });
}

describe('the extension missing', () => {
  it('PGlite without the extension: wrapping works, the explicit registration and a search say EXTENSION_MISSING', async () => {
    const { openPglite, wrapPglite, registerVectorTypes: registerPgliteTypes } = await import('vecpg/pglite');
    const { pgliteTemplate } = await import('../support/db.ts');
    const db = await openPglite({ loadDataDir: await pgliteTemplate(), createExtension: false });
    try {
      await db.pglite.exec('DROP EXTENSION vector');
      await expect(registerPgliteTypes(db.pglite)).rejects.toMatchObject({ code: 'EXTENSION_MISSING' });
      const wrapped = await wrapPglite(db.pglite);
      await wrapped.query('CREATE TABLE items (id int, embedding float4[])');
      await expect(
        search(wrapped, { table: 'items', column: 'embedding', query: QUERY, distance: 'l2' }),
      ).rejects.toMatchObject({ code: 'EXTENSION_MISSING' });
    } finally {
      await db.pglite.close();
    }
  });
});

if (process.env.DATABASE_URL) {
  describe('the extension missing, or installed in schema "extensions", on the server', () => {
    it('missing: registerTypes says EXTENSION_MISSING, wrapPg wraps; a search through either executor says EXTENSION_MISSING', async () => {
      const bare = await createServerDatabase({ extension: false });
      const pool = new pg.Pool({ connectionString: bare.url, max: 2 });
      try {
        await expect(registerTypes(pool)).rejects.toMatchObject({ code: 'EXTENSION_MISSING' });
        const wrapped = await wrapPg(pool);
        await wrapped.query('CREATE TABLE early (id int, embedding float4[])');
        await expect(
          search(wrapped, { table: 'early', column: 'embedding', query: QUERY, distance: 'l2' }),
        ).rejects.toMatchObject({ code: 'EXTENSION_MISSING' });
        await pool.query('CREATE TABLE items (id int, embedding float4[])');
        const plain: VecpgDb = {
          kind: 'pg',
          query: async (text, params) => {
            try {
              return (await pool.query(text, params === undefined ? [] : [...params])).rows;
            } catch (error) {
              throw queryFailed(error, text);
            }
          },
          transaction: (fn) => fn(plain),
        };
        const error = await search(plain, { table: 'items', column: 'embedding', query: QUERY, distance: 'l2' }).catch(
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ code: 'EXTENSION_MISSING' });
        expect((error as Error).message).toMatch(/CREATE EXTENSION vector/);
      } finally {
        await pool.end();
        await bare.drop();
      }
    });

    it('in schema "extensions" on the search_path (as managed services do): types parsed, search works', async () => {
      const managed = await createServerDatabase({ extension: false });
      const setup = new pg.Client({ connectionString: managed.url });
      await setup.connect();
      await setup.query('CREATE SCHEMA extensions');
      await setup.query('CREATE EXTENSION vector SCHEMA extensions');
      await setup.query(`ALTER DATABASE ${managed.name} SET search_path = "$user", public, extensions`);
      await setup.end();
      const pool = new pg.Pool({ connectionString: managed.url, max: 2 });
      try {
        const oids = await registerTypes(pool);
        expect(oids.schema).toBe('extensions');
        const db = await wrapPg(pool);
        await db.query('CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))');
        await db.query("INSERT INTO items VALUES (1, '[1,0,0]'), (2, '[0,1,0]')");
        const rows = await search(db, {
          table: 'items',
          column: 'embedding',
          query: QUERY,
          distance: 'cosine',
          k: 2,
          select: ['id', 'embedding'],
        });
        expect(rows).toEqual([
          { id: 1, embedding: [1, 0, 0], distance: 0 },
          { id: 2, embedding: [0, 1, 0], distance: 1 },
        ]);
        // Off the search_path, the types are found (registration) but a query cannot name them: a clear error.
        const off = new pg.Pool({ connectionString: managed.url, max: 1, options: '-c search_path=public' });
        try {
          const offDb = await wrapPg(off);
          const error = await search(offDb, {
            table: 'items',
            column: 'embedding',
            query: QUERY,
            distance: 'l2',
          }).catch((e: unknown) => e);
          expect(error).toMatchObject({ code: 'EXTENSION_MISSING' });
          expect((error as Error).message).toMatch(/search_path/);
        } finally {
          await off.end();
        }
      } finally {
        await pool.end();
        await managed.drop();
      }
    });
  });
}
