/**
 * One shared suite, run once per database: embedded PGlite always, and the PostgreSQL server
 * at DATABASE_URL when it is set. Each `describeEachTarget` block gets a database of its own
 * (a fresh PGlite from the template, or a new database on the server), so test files can run
 * in parallel and create whatever tables they like.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe } from 'vitest';
import type { SqlExecutor, VecpgDb } from '../../src/sql/executor.ts';
import { PGLITE_TEMPLATE } from './paths.ts';

export type TargetName = 'pglite' | 'server';

export const TARGETS: TargetName[] = process.env.DATABASE_URL ? ['pglite', 'server'] : ['pglite'];

export interface TestDb extends VecpgDb {
  readonly target: TargetName;
  /** Connection string of this block's own database (server target only). */
  readonly url: string | undefined;
  /** The underlying client: a PGlite instance or a pg.Pool. */
  readonly raw: unknown;
  close(): Promise<void>;
}

let counter = 0;

/** The template data directory (vector extension already created), for `openPglite({ loadDataDir })`. */
export async function pgliteTemplate(): Promise<Blob> {
  return new Blob([await readFile(PGLITE_TEMPLATE)]);
}

/** A new, empty database on the server at DATABASE_URL; `drop()` removes it (closing its connections). */
export interface ServerDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** Create a uniquely named database on the server, with the vector extension unless told otherwise. */
export async function createServerDatabase(options: { extension?: boolean } = {}): Promise<ServerDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('createServerDatabase needs DATABASE_URL');
  const base = new URL(baseUrl);
  const name = `vecpg_t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  if (options.extension !== false) {
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      await c.query('CREATE EXTENSION IF NOT EXISTS vector');
    } finally {
      await c.end();
    }
  }
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      try {
        // Let connections that are closing finish (up to 2 s) before FORCE terminates the rest.
        for (let i = 0; i < 20; i++) {
          const open = await c.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if (open.rows[0]!.n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Open a fresh database on `target`. */
export async function openTestDb(target: TargetName): Promise<TestDb> {
  if (target === 'pglite') {
    const { openPglite } = await import('../../src/drivers/pglite.ts');
    const db = await openPglite({ loadDataDir: await pgliteTemplate() });
    return Object.assign(db, { target, url: undefined, raw: db.pglite, close: () => db.pglite.close() });
  }
  const server = await createServerDatabase();
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString: server.url, max: 4 });
  // DROP DATABASE … WITH (FORCE) at the end of the block terminates (57P01) any connection still closing;
  // a pooled client that hears it emits 'error' on the pool, which without a listener is an unhandled error.
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== '57P01') throw error;
  });
  const { wrapPg } = await import('../../src/drivers/pg.ts');
  const db = await wrapPg(pool).catch(async (error: unknown) => {
    await pool.end();
    await server.drop();
    throw error;
  });
  return Object.assign(db, {
    target,
    url: server.url,
    raw: pool,
    close: async () => {
      await pool.end();
      await server.drop();
    },
  });
}

/** `describe` once per target, with a fresh database for the block. */
export function describeEachTarget(name: string, body: (db: () => TestDb, target: TargetName) => void): void {
  for (const target of TARGETS) {
    describe(`${name} [${target}]`, () => {
      let db: TestDb | undefined;
      beforeAll(async () => {
        db = await openTestDb(target);
      });
      afterAll(async () => {
        await db?.close();
      });
      body(() => {
        if (!db) throw new Error('database not open yet (use it inside a test or hook)');
        return db;
      }, target);
    });
  }
}

export type { SqlExecutor };
