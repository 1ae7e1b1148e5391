/**
 * `.npy` export over node-postgres reads the binary COPY off the socket itself (src/io/pg-copy-out.ts). On a
 * real server: the file is the stored bits with notices arriving in the middle of the COPY; an error the
 * server raises mid-COPY, a backend terminated from another connection and an abort each end the export
 * with an error, leave no file behind, and leave the pool working (the same connection after a server error;
 * a new one after a termination or an abort, which close the old one).
 */
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTable } from 'vecpg/load';
import { isVecpgError } from 'vecpg';
import { type ServerDatabase, createServerDatabase } from '../support/db.ts';
import { npyFile } from '../support/npy.ts';

const ROWS = 20_000;
const DIMS = 128;
/**
 * Row `id` holds id + j/128 at j = 0…127: exact in float32, so the expected bits are computed here. 10 MB in
 * all: the file is synced in the background while it is written (src/io/atomic-file.ts).
 */
const ELEMENT = (id: number, j: number): number => id + j / DIMS;

/** The .npy numpy would write for rows `ids` (header from the format's definition, float32 little-endian). */
function expectedNpy(ids: number[]): Buffer {
  const data = Buffer.alloc(ids.length * DIMS * 4);
  ids.forEach((id, r) => {
    for (let j = 0; j < DIMS; j++) data.writeFloatLE(ELEMENT(id, j), 4 * (r * DIMS + j));
  });
  return npyFile('<f4', ids.length, DIMS, data);
}

describe.runIf(process.env.DATABASE_URL)('.npy export through the COPY OUT reader [server]', () => {
  let server: ServerDatabase;
  let pool: Pool;
  let tmp: string;
  let n = 0;

  beforeAll(async () => {
    server = await createServerDatabase();
    const pg = (await import('pg')).default;
    // One connection: "the pool still works" then means the same connection, or its replacement.
    pool = new pg.Pool({ connectionString: server.url, max: 1 });
    pool.on('error', () => undefined); // a terminated idle client is reported here
    tmp = await mkdtemp(join(tmpdir(), 'vecpg-export-copy-out-'));
    await pool.query(`CREATE TABLE items (id int PRIMARY KEY, embedding vector(${DIMS}))`);
    await pool.query(
      `INSERT INTO items SELECT i, (SELECT array_agg(i + j / ${DIMS}.0 ORDER BY j)::real[] FROM generate_series(0, ${DIMS - 1}) j)::vector FROM generate_series(1, ${ROWS}) i`,
    );
    // A notice every 2,000 rows: NoticeResponse messages between the CopyData messages.
    await pool.query(`CREATE FUNCTION noisy(v vector, id int) RETURNS vector LANGUAGE plpgsql AS $$
      BEGIN IF id % 2000 = 0 THEN RAISE NOTICE 'row %', id; END IF; RETURN v; END $$`);
    await pool.query('CREATE VIEW noisy_items AS SELECT noisy(embedding, id) AS embedding FROM items ORDER BY id');
    // Division by zero at row 15,000, after 14,999 rows have been sent.
    await pool.query(
      'CREATE VIEW failing AS SELECT CASE WHEN id < 15000 THEN embedding ELSE (1 / (id - 15000))::text::vector END AS embedding FROM items ORDER BY id',
    );
    // Row 10,000 stalls the COPY for 3 s, after 9,999 rows (5 MB) have been sent.
    await pool.query(`CREATE FUNCTION stall(v vector, id int) RETURNS vector LANGUAGE plpgsql AS $$
      BEGIN IF id = 10000 THEN PERFORM pg_sleep(3); END IF; RETURN v; END $$`);
    await pool.query('CREATE VIEW stalling AS SELECT stall(embedding, id) AS embedding FROM items ORDER BY id');
  });

  afterAll(async () => {
    await pool?.end().catch(() => undefined);
    await server?.drop();
    await rm(tmp, { recursive: true, force: true });
  });

  async function freshDir(): Promise<string> {
    const dir = join(tmp, `case-${n++}`);
    await mkdir(dir);
    return dir;
  }

  const pid = async (): Promise<number> =>
    (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

  /** Wait until the export's temporary file beside `dir`'s target holds rows: the COPY is under way. */
  async function rowsWritten(dir: string): Promise<void> {
    for (;;) {
      for (const name of await readdir(dir)) {
        if (((await stat(join(dir, name)).catch(() => undefined))?.size ?? 0) > 1 << 20) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('the file is the stored bits, with notices in the middle of the COPY', async () => {
    const file = join(await freshDir(), 'out.npy');
    const result = await exportTable(pool, { table: 'noisy_items', format: 'npy', out: file });
    expect(result.rows).toBe(ROWS);
    const ids = Array.from({ length: ROWS }, (_, i) => i + 1);
    expect((await readFile(file)).equals(expectedNpy(ids))).toBe(true);
  });

  it('an error raised by the server mid-COPY fails the export, leaves no file, and the connection goes on', async () => {
    const before = await pid();
    const dir = await freshDir();
    const error = await exportTable(pool, { table: 'failing', format: 'npy', out: join(dir, 'out.npy') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVecpgError(error) && error.code).toBe('QUERY_FAILED');
    expect(isVecpgError(error) && error.details?.sqlstate).toBe('22012');
    expect(await readdir(dir)).toEqual([]);
    expect(await pid()).toBe(before);
    const again = await exportTable(pool, { table: 'items', format: 'npy', out: join(dir, 'again.npy') });
    expect(again.rows).toBe(ROWS);
  });

  it('a backend terminated from another connection mid-COPY fails the export, leaves no file; the pool reconnects', async () => {
    const before = await pid();
    const dir = await freshDir();
    const exporting = exportTable(pool, { table: 'stalling', format: 'npy', out: join(dir, 'out.npy') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await rowsWritten(dir);
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      const killed = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [before]);
      expect(killed.rows).toEqual([{ ok: true }]);
    } finally {
      await admin.end();
    }
    const error = await exporting;
    expect(isVecpgError(error)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
    expect(await pid()).not.toBe(before);
    const again = await exportTable(pool, { table: 'items', format: 'npy', out: join(dir, 'again.npy') });
    expect(again.rows).toBe(ROWS);
  });

  it('an abort mid-COPY rejects with its reason, leaves no file, and the pool reconnects', async () => {
    const before = await pid();
    const dir = await freshDir();
    const controller = new AbortController();
    const exporting = exportTable(pool, {
      table: 'stalling',
      format: 'npy',
      out: join(dir, 'out.npy'),
      signal: controller.signal,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await rowsWritten(dir);
    controller.abort(new Error('stop the export'));
    const error = await exporting;
    expect((error as Error).message).toBe('stop the export');
    expect(await readdir(dir)).toEqual([]);
    expect(await pid()).not.toBe(before);
    const again = await exportTable(pool, { table: 'items', format: 'npy', out: join(dir, 'again.npy') });
    expect(again.rows).toBe(ROWS);
    expect(await readdir(dir)).toEqual(['again.npy']);
  });

  it('an abort mid-COPY on a Client of the caller’s own ends that client, without an error event', async () => {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const events: string[] = [];
    // No 'error' listener of its own: an 'error' event would be an uncaught exception (failing this test).
    const ended = new Promise<void>((resolve) => client.once('end', resolve));
    const dir = await freshDir();
    const controller = new AbortController();
    const exporting = exportTable(client, {
      table: 'stalling',
      format: 'npy',
      out: join(dir, 'out.npy'),
      signal: controller.signal,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await rowsWritten(dir);
    controller.abort(new Error('stop the export'));
    expect(((await exporting) as Error).message).toBe('stop the export');
    await ended;
    client.on('error', (e) => events.push(e.message));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('an abort before the export starts rejects with its reason and writes nothing', async () => {
    const dir = await freshDir();
    const error = await exportTable(pool, {
      table: 'items',
      format: 'npy',
      out: join(dir, 'out.npy'),
      signal: AbortSignal.abort(new Error('never mind')),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('never mind');
    expect(await readdir(dir)).toEqual([]);
  });
});
