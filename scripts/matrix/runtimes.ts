/**
 * Matrix smoke for the core with each driver: vecpg/pglite, and on a server vecpg/pg and vecpg/postgres.
 * On node-postgres also a .npy import and export (binary COPY both ways: the export reads the socket itself).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vector, type VecpgDb, createExtensionSql, createIndexSql, extensionInfo, search } from 'vecpg';
import * as c from './check.ts';

async function exercise(db: VecpgDb): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${c.TABLE}`);
  await db.query(createExtensionSql());
  c.expectVersion((await extensionInfo(db)).version);
  await db.query(c.CREATE_TABLE);
  for (const item of c.ITEMS) {
    await db.query(`INSERT INTO ${c.TABLE} (name, embedding, features) VALUES ($1, $2, $3)`, [
      item.name,
      new Vector(item.embedding),
      item.features,
    ]);
  }
  for (const metric of c.METRICS) {
    c.expectSearch(
      metric,
      await search(db, { table: c.TABLE, column: 'embedding', query: c.QUERY, distance: metric, k: 4 }),
    );
  }
  const [d] = await db.query<{ embedding: unknown; features: unknown }>(
    `SELECT embedding, features FROM ${c.TABLE} WHERE name = 'D'`,
  );
  c.expectFeatures(d?.features);
  c.expectEmbedding(d?.embedding);
  c.expectStoredText((await db.query<{ text: string }>(c.STORED_TEXT_SQL))[0]?.text);
  await db.query(createIndexSql({ table: c.TABLE, column: 'embedding', type: 'vector', distance: 'l2' }));
  c.expectIndex((await db.query<{ indexdef: string }>(c.INDEXES_SQL)).map((r) => r.indexdef));
}

/** 300 float32 rows of 8 values as a .npy file, loaded by vecpg/load and exported back: the same bytes. */
async function npyRoundTrip(pool: import('pg').Pool): Promise<void> {
  const { load, exportTable } = await import('vecpg/load');
  const dir = await mkdtemp(join(tmpdir(), 'vecpg-matrix-'));
  try {
    const rows = 300;
    const dims = 8;
    const values = Float32Array.from({ length: rows * dims }, (_, i) => Math.sin(i) * 10);
    let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${dims}), }`;
    header = header.padEnd(118, ' ') + '\n'; // magic (6) + version (2) + length (2) + 118 = 128 bytes
    const headerLength = Buffer.alloc(2);
    headerLength.writeUInt16LE(header.length);
    const npy = Buffer.concat([
      Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0]),
      headerLength,
      Buffer.from(header, 'latin1'),
      Buffer.from(values.buffer),
    ]);
    await writeFile(join(dir, 'in.npy'), npy);
    await pool.query('DROP TABLE IF EXISTS matrix_npy');
    await pool.query(`CREATE TABLE matrix_npy (id bigserial PRIMARY KEY, embedding vector(${dims}))`);
    const loaded = await load(pool, { file: join(dir, 'in.npy'), table: 'matrix_npy', column: 'embedding' });
    if (loaded.rows !== rows) throw new Error(`load: ${loaded.rows} rows, expected ${rows}`);
    const exported = await exportTable(pool, {
      table: 'matrix_npy',
      column: 'embedding',
      format: 'npy',
      out: join(dir, 'out.npy'),
    });
    if (exported.rows !== rows) throw new Error(`export: ${exported.rows} rows, expected ${rows}`);
    const back = await readFile(join(dir, 'out.npy'));
    const data = back.subarray(back.length - values.byteLength);
    if (!data.equals(Buffer.from(values.buffer))) throw new Error('export: the floats differ from the imported file');
    await pool.query('DROP TABLE matrix_npy');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function scenario(url: string | undefined): Promise<void> {
  if (!url) {
    const { openPglite } = await import('vecpg/pglite');
    const db = await openPglite();
    try {
      await exercise(db);
    } finally {
      await db.pglite.close();
    }
    return;
  }
  const pg = (await import('pg')).default;
  const { wrapPg } = await import('vecpg/pg');
  const pool = new pg.Pool({ connectionString: url });
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS vector');
    await exercise(await wrapPg(pool));
    await npyRoundTrip(pool);
  } finally {
    await pool.end();
  }
  const postgres = (await import('postgres')).default;
  const { wrapPostgres } = await import('vecpg/postgres');
  const sql = postgres(url, { onnotice: () => {} });
  try {
    await exercise(await wrapPostgres(sql));
  } finally {
    await sql.end();
  }
}

await c.main('runtimes', scenario);
