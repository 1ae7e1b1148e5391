/**
 * Faults during a load: the server connection is killed mid-COPY (pg_terminate_backend from
 * another connection), and memory stays flat on a large file.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import postgres from 'postgres';
import { type LoadTarget, load } from 'vecpg/load';
import { isVecpgError } from 'vecpg';
import { type ServerDatabase, createServerDatabase, describeEachTarget } from '../support/db.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vecpg-fault-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A float32 C-order .npy file of `rows` × `cols`, written in pieces (row r, column c holds (r % 1000) + c / 100). */
async function writeNpy(path: string, rows: number, cols: number): Promise<void> {
  const out = createWriteStream(path);
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  // numpy pads the header with spaces and a newline so that the data starts on a 64-byte boundary
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  dict = `${dict.padEnd(total - 10 - 1, ' ')}\n`;
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(dict.length, 8);
  out.write(Buffer.concat([head, Buffer.from(dict, 'latin1')]));
  const perChunk = 4096;
  for (let r0 = 0; r0 < rows; r0 += perChunk) {
    const n = Math.min(perChunk, rows - r0);
    const buf = Buffer.alloc(n * cols * 4);
    for (let r = 0; r < n; r++)
      for (let c = 0; c < cols; c++) buf.writeFloatLE(((r0 + r) % 1000) + c / 100, (r * cols + c) * 4);
    if (!out.write(buf)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

describeEachTarget('load faults', (db, targetName) => {
  it('memory stays bounded loading a 1,000,000-row file', async () => {
    const path = join(tmp, `big-${targetName}.npy`);
    await writeNpy(path, 1_000_000, 32);
    await db().query('CREATE TABLE big (embedding vector(32))');
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    // PGlite keeps its whole database in this process's memory, so there the loader's own
    // footprint is measured with a dry run (everything but the COPY); on the server it loads.
    const result = await load(db().raw as LoadTarget, {
      file: path,
      table: 'big',
      dryRun: targetName === 'pglite',
      onProgress: () => {
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    expect(result.rows).toBe(1_000_000);
    if (targetName === 'server')
      expect(Number((await db().query<{ n: string }>('SELECT count(*) AS n FROM big'))[0]!.n)).toBe(1_000_000);
    // the file is 128 MB: growth far below it means the rows were streamed, not held
    console.log(`rss before ${before >> 20} MB, peak ${peak >> 20} MB`);
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  }, 300_000);

  if (targetName === 'server') {
    it('a connection killed mid-COPY commits nothing', async () => {
      await db().query('CREATE TABLE killed (id int, embedding vector(8))');
      const pool = db().raw as pg.Pool;
      let killed: Promise<unknown> | undefined;
      async function* rows(): AsyncGenerator<string> {
        for (let i = 0; i < 5_000_000; i++)
          yield `{"id": ${i}, "embedding": [${[1, 2, 3, 4, 5, 6, 7, i % 100].join(',')}]}\n`;
      }
      const error = await load(pool, {
        stream: rows(),
        format: 'jsonl',
        table: 'killed',
        batchRows: 1000,
        onProgress: (p) => {
          if (killed === undefined && p.rows >= 20_000) {
            killed = pool.query(
              "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY%' AND pid <> pg_backend_pid()",
            );
          }
        },
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      const terminated = (await killed) as pg.QueryResult<{ ok: boolean }> | undefined;
      expect(terminated?.rows).toEqual([{ ok: true }]);
      expect(isVecpgError(error)).toBe(true);
      expect(Number((await db().query<{ n: string }>('SELECT count(*) AS n FROM killed'))[0]!.n)).toBe(0);
    }, 120_000);
  }
});

describeEachTarget('load stopped by a signal', (db) => {
  it('an abort while the input is stalled ends the load at once: it rejects and nothing is committed', async () => {
    await db().query('CREATE TABLE stalled (id int PRIMARY KEY, embedding vector(3))');
    await db().query("INSERT INTO stalled VALUES (1, '[1,2,3]')");
    let sent = 0;
    let release: () => void = () => undefined;
    const hold = new Promise<void>((resolve) => (release = resolve));
    // 5,000 rows, then an input that never ends (a pipe nobody closes): only the signal can stop the load.
    async function* input(): AsyncGenerator<string> {
      for (let i = 100; i < 5100; i++, sent++) yield `{"id": ${i}, "embedding": [${i}, 0, 1]}\n`;
      await hold;
    }
    const controller = new AbortController();
    const loading = load(db().raw as LoadTarget, {
      stream: input(),
      format: 'jsonl',
      table: 'stalled',
      column: 'embedding',
      signal: controller.signal,
    });
    const outcome = loading.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    while (sent < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort(new Error('stop the import'));
    const error = await outcome;
    release();
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/stop the import|interrupted/);
    const rows = await db().query<{ id: number }>('SELECT id FROM stalled ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([1]);
  });
});

// The same stalled input through postgres.js: its COPY goes into a staging table (src/io/session.ts), and an
// abort must end that COPY too, with nothing of it committed.
describe.runIf(Boolean(process.env.DATABASE_URL))('load stopped by a signal [postgres.js]', () => {
  let server: ServerDatabase;
  let sql: postgres.Sql;
  beforeAll(async () => {
    server = await createServerDatabase();
    sql = postgres(server.url, { max: 2, onnotice: () => undefined });
  });
  afterAll(async () => {
    await sql?.end();
    await server?.drop();
  });

  it('an abort while the input is stalled ends the load at once: it rejects and nothing is committed', async () => {
    await sql.unsafe('CREATE TABLE stalled (id int PRIMARY KEY, embedding vector(3))');
    await sql.unsafe("INSERT INTO stalled VALUES (1, '[1,2,3]')");
    let sent = 0;
    let release: () => void = () => undefined;
    const hold = new Promise<void>((resolve) => (release = resolve));
    // 5,000 rows, then an input that never ends: only the signal can stop the load.
    async function* input(): AsyncGenerator<string> {
      for (let i = 100; i < 5100; i++, sent++) yield `{"id": ${i}, "embedding": [${i}, 0, 1]}\n`;
      await hold;
    }
    const controller = new AbortController();
    const outcome = load(sql as unknown as LoadTarget, {
      stream: input(),
      format: 'jsonl',
      table: 'stalled',
      column: 'embedding',
      signal: controller.signal,
    }).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    while (sent < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    // The COPY is open on the server: the rows so far went into it.
    const copying = async (): Promise<number> =>
      (
        await sql.unsafe<{ n: number }[]>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY%' AND state = 'active'",
        )
      )[0]!.n;
    for (let i = 0; i < 300 && (await copying()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await copying()).toBe(1);
    controller.abort(new Error('stop the import'));
    const error = await outcome;
    release();
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/stop the import|interrupted/);
    const rows = await sql.unsafe<{ id: number }[]>('SELECT id FROM stalled ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([1]);
    expect(await copying()).toBe(0);
    // the connection is usable afterwards
    expect((await sql.unsafe<{ one: number }[]>('SELECT 1 AS one'))[0]!.one).toBe(1);
  });
});
