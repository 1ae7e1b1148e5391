/**
 * `npm run bench` against a server database that does not have the extension yet: like the tests, the
 * benchmarks create what they need (they used to die with `type "vector" does not exist`). Tiny sizes,
 * one run: this checks that the parts run to the end on such a database, not how fast they are.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createServerDatabase } from '../support/db.ts';
import { ROOT } from '../support/paths.ts';

const run = promisify(execFile);

describe.runIf(process.env.DATABASE_URL)('benchmarks on a server database without pgvector created [server]', () => {
  it.each(['fetch', 'exact-scan'])('bench/%s.ts creates the extension and measures the server', async (part) => {
    const server = await createServerDatabase({ extension: false });
    try {
      const { stdout, stderr } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', `bench/${part}.ts`], {
        cwd: ROOT,
        timeout: 240_000,
        env: {
          ...process.env,
          DATABASE_URL: server.url,
          BENCH_ROWS: '300',
          BENCH_PGLITE_ROWS: '300',
          BENCH_FETCH_ROWS: '50',
          BENCH_RUNS: '1',
        },
      });
      expect(stderr).not.toMatch(/server skipped|does not exist/);
      expect(stdout).toMatch(/server/i);
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'vector'");
        expect(rows[0].n).toBe(1);
      } finally {
        await client.end();
      }
    } finally {
      await server.drop();
    }
  });
});
