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

/** Open a fresh database on `target`. */
export async function openTestDb(target: TargetName): Promise<TestDb> {
  if (target === 'pglite') {
    const { openPglite } = await import('../../src/drivers/pglite.ts');
    const dump = await readFile(PGLITE_TEMPLATE);
    const db = await openPglite({ loadDataDir: new Blob([dump]) });
    return Object.assign(db, { target, url: undefined, raw: db.pglite, close: () => db.pglite.close() });
  }
  const base = new URL(process.env.DATABASE_URL!);
  const name = `vecpg_t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  await pool.query('CREATE EXTENSION IF NOT EXISTS vector');
  const { wrapPg } = await import('../../src/drivers/pg.ts');
  const db = await wrapPg(pool);
  return Object.assign(db, {
    target,
    url: url.toString(),
    raw: pool,
    close: async () => {
      await pool.end();
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
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
