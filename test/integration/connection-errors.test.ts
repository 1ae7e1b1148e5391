/**
 * Connection failures are CONNECTION_FAILED — naming host, port, database and user, never the
 * password — on vecpg/pg, vecpg/postgres and the CLI, not QUERY_FAILED quoting vecpg's own lookup
 * statement. The refused, unknown-host and bad-URL cases need no server; the login and database
 * cases ask the server at DATABASE_URL.
 */
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { VecpgError } from 'vecpg';
import { wrapPg } from 'vecpg/pg';
import { wrapPostgres } from 'vecpg/postgres';
import { runCli } from '../cli/harness.ts';

const REFUSED = 'postgres://alice:s3cretpw@127.0.0.1:1/app'; // nothing listens on port 1
const UNKNOWN_HOST = 'postgres://alice:s3cretpw@no-such-host.invalid:5432/app'; // .invalid never resolves (RFC 2606)

async function failure(p: Promise<unknown>): Promise<VecpgError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof VecpgError) return error;
    throw new Error(`not a VecpgError: ${String(error)}`);
  }
  throw new Error('did not fail');
}

function expectNoPassword(error: VecpgError): void {
  expect(error.message).not.toContain('s3cretpw');
  expect(JSON.stringify(error.details)).not.toContain('s3cretpw');
}

const pools: pg.Pool[] = [];
const sqls: postgres.Sql[] = [];
const pool = (url: string): pg.Pool => {
  const p = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 5000 });
  pools.push(p);
  return p;
};
const sql = (url: string): postgres.Sql => {
  const s = postgres(url, { connect_timeout: 5, onnotice: () => undefined });
  sqls.push(s);
  return s;
};
afterAll(async () => {
  await Promise.all([...pools.map((p) => p.end()), ...sqls.map((s) => s.end({ timeout: 1 }))]);
});

describe('a server that cannot be reached', () => {
  it.each([
    ['wrapPg', () => wrapPg(pool(REFUSED))],
    ['wrapPostgres', () => wrapPostgres(sql(REFUSED))],
  ])('refused: %s', async (_name, open) => {
    const error = await failure(open());
    expect(error.code).toBe('CONNECTION_FAILED');
    expect(error.details).toMatchObject({
      address: '127.0.0.1:1',
      database: 'app',
      user: 'alice',
      reason: 'ECONNREFUSED',
    });
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).not.toContain('SELECT'); // not vecpg's lookup statement
    expectNoPassword(error);
  });

  it.each([
    ['wrapPg', () => wrapPg(pool(UNKNOWN_HOST))],
    ['wrapPostgres', () => wrapPostgres(sql(UNKNOWN_HOST))],
  ])('unknown host: %s', async (_name, open) => {
    const error = await failure(open());
    expect(error.code).toBe('CONNECTION_FAILED');
    expect(error.details).toMatchObject({
      host: 'no-such-host.invalid',
      reason: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/),
    });
    expectNoPassword(error);
  });
});

describe('the CLI', () => {
  it.each([
    ['refused', REFUSED, { address: '127.0.0.1:1', database: 'app', user: 'alice', reason: 'ECONNREFUSED' }],
    ['unknown host', UNKNOWN_HOST, { host: 'no-such-host.invalid', port: 5432 }],
    // node-postgres reads a string that is not a URL as relative to "postgres://base"
    ['not a URL', 'localhost:5432/app', { reason: 'ERR_INVALID_URL' }],
    ['a malformed URL', 'postgres://alice:s3cret%zz@[::1/app', { reason: 'ERR_INVALID_URL' }],
  ])('%s: exit 1, [CONNECTION_FAILED] with where it tried, never the password', async (_name, url, details) => {
    for (const [argv, env] of [
      [['index', 'list'], { DATABASE_URL: url }],
      [['index', 'list', '--database-url', url], {}],
    ] as const) {
      const r = await runCli([...argv], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^vecpg index: error \[CONNECTION_FAILED\]: cannot connect to PostgreSQL/);
      expect(r.stderr).toContain(argv.length > 2 ? '--database-url' : 'DATABASE_URL'); // the fix names where the URL came from
      expect(r.stderr).not.toContain('s3cret');
      expect(r.stderr).not.toContain('SELECT');
    }
    const { openConnection } = await import('../../src/cli/connect.ts');
    const error = await failure(openConnection({ databaseUrl: url, env: {} }));
    expect(error.code).toBe('CONNECTION_FAILED');
    expect(error.details).toMatchObject(details);
    expectNoPassword(error);
  });
});

describe.runIf(process.env.DATABASE_URL)('the server refuses the connection', () => {
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://localhost');
  const withPath = (user: string, database: string): string => {
    const u = new URL(base.toString());
    u.username = user;
    u.password = 's3cretpw';
    u.pathname = `/${database}`;
    return u.toString();
  };

  it.each([
    ['an unknown role (28000)', withPath('vecpg_no_such_role', 'postgres'), '28000', { user: 'vecpg_no_such_role' }],
    [
      'a missing database (3D000)',
      withPath(base.username || 'postgres', 'vecpg_no_such_db'),
      '3D000',
      { database: 'vecpg_no_such_db' },
    ],
  ])('%s', async (_name, url, reason, details) => {
    for (const open of [() => wrapPg(pool(url)), () => wrapPostgres(sql(url))]) {
      const error = await failure(open());
      expect(error.code).toBe('CONNECTION_FAILED');
      expect(error.details).toMatchObject({ ...details, reason, host: base.hostname });
      expectNoPassword(error);
    }
    const r = await runCli(['index', 'list'], { DATABASE_URL: url });
    expect(r.stderr).toContain('[CONNECTION_FAILED]');
  });

  it('the same SQLSTATE from a statement stays QUERY_FAILED (DROP DATABASE of a missing database is 3D000 too)', async () => {
    const db = await wrapPg(pool(base.toString()));
    const error = await failure(db.query('DROP DATABASE vecpg_no_such_db_at_all'));
    expect(error.code).toBe('QUERY_FAILED');
    expect(error.details).toMatchObject({ sqlstate: '3D000' });
  });
});
