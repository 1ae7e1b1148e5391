/**
 * drizzle-kit with vecpg's columns and indexes: `generate` writes vector(n)/halfvec(n)/sparsevec(n)/
 * bit(n) columns and HNSW/IVFFlat indexes with their opclasses; a custom migration carries
 * `CREATE EXTENSION IF NOT EXISTS vector` and one carries storage MAIN; running `generate` again
 * reports no changes; drizzle-orm's migrator applies the folder (node-postgres on the server,
 * PGlite embedded) and a second `migrate` leaves every index untouched.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { asc } from 'drizzle-orm';
import type { Pool } from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SparseVector } from 'vecpg';
import { cosineDistance, pgvectorInfo, vectorExtensionMigration, vectorStorageMigration } from 'vecpg/drizzle';
import { kitItems } from '../fixtures/drizzle/schema.ts';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { ROOT } from '../support/paths.ts';

const run = promisify(execFile);
const OUT = `.cache/drizzle-kit-${process.pid}-${Date.now().toString(36)}`;
const CONFIG = 'test/fixtures/drizzle/drizzle.config.ts';

async function kit(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(
    process.execPath,
    [join(ROOT, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--config', CONFIG, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, DRIZZLE_OUT: OUT },
    },
  );
  return stdout + stderr;
}

async function sqlFiles(): Promise<string[]> {
  return (await readdir(join(ROOT, OUT))).filter((f) => f.endsWith('.sql')).sort();
}

/** Write a custom migration: drizzle-kit creates the file, we put vecpg's SQL in it. */
async function custom(name: string, body: string): Promise<string> {
  await kit('--custom', '--name', name);
  const file = (await sqlFiles()).find((f) => f.endsWith(`_${name}.sql`));
  if (!file) throw new Error(`drizzle-kit did not create the ${name} migration`);
  await writeFile(join(ROOT, OUT, file), body);
  return file;
}

let generated: { files: string[]; tables: string; second: string };

beforeAll(async () => {
  await mkdir(join(ROOT, '.cache'), { recursive: true });
  await custom('pgvector', vectorExtensionMigration());
  const first = await kit();
  expect(first).toContain('1 tables');
  await custom('storage', vectorStorageMigration(kitItems));
  const files = await sqlFiles();
  const tables = await readFile(join(ROOT, OUT, files[1]!), 'utf8');
  const second = await kit();
  generated = { files, tables, second };
}, 120_000);

afterAll(async () => {
  await rm(join(ROOT, OUT), { recursive: true, force: true });
});

it('drizzle-kit generate writes the columns and indexes with their opclasses, then reports no changes', async () => {
  expect(generated.files).toHaveLength(3);
  expect(generated.files[0]).toMatch(/^0000_pgvector\.sql$/);
  expect(generated.files[2]).toMatch(/^0002_storage\.sql$/);
  const t = generated.tables;
  for (const column of ['"embedding" vector(3)', '"half" halfvec(3)', '"features" sparsevec(10000)', '"hash" bit(8)']) {
    expect(t).toContain(column);
  }
  expect(t).toContain(
    'CREATE INDEX "kit_items_embedding_hnsw_cosine_idx" ON "kit_items" USING hnsw ("embedding" vector_cosine_ops) WITH (m=16,ef_construction=64);',
  );
  expect(t).toContain(
    'CREATE INDEX "kit_items_embedding_ivfflat_l2_idx" ON "kit_items" USING ivfflat ("embedding" vector_l2_ops) WITH (lists=10);',
  );
  expect(t).toContain('USING hnsw ("features" sparsevec_l2_ops)');
  expect(t).toContain('USING ivfflat ("hash" bit_hamming_ops)');
  expect(t.match(/CREATE INDEX/g)).toHaveLength(8);
  // The second generate against the unchanged schema: no new migration.
  expect(generated.second).toContain('No schema changes, nothing to migrate');
  expect(await sqlFiles()).toEqual(generated.files);
  expect(await readFile(join(ROOT, OUT, generated.files[0]!), 'utf8')).toBe('CREATE EXTENSION IF NOT EXISTS vector;\n');
});

type IndexRow = {
  indexname: string;
  indexdef: string;
  oid: number;
  method: string;
  opclass: string;
};

async function migrateWith(t: TestDb): Promise<() => Promise<void>> {
  const migrationsFolder = join(ROOT, OUT);
  if (t.target === 'pglite') {
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const db = drizzle({ client: t.raw as PGlite });
    return () => migrate(db, { migrationsFolder });
  }
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const db = drizzle({ client: t.raw as Pool });
  return () => migrate(db, { migrationsFolder });
}

describeEachTarget('drizzle-kit migrations', (tdb) => {
  const indexes = () =>
    tdb().query<IndexRow>(
      // pg_indexes omits a default opclass (vector_l2_ops for IVFFlat): read it from pg_index too.
      `SELECT i.indexname::text, i.indexdef, c.oid::int AS oid, am.amname::text AS method, oc.opcname::text AS opclass
       FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname JOIN pg_am am ON am.oid = c.relam
       JOIN pg_index x ON x.indexrelid = c.oid JOIN pg_opclass oc ON oc.oid = x.indclass[0]
       WHERE i.tablename = 'kit_items' AND i.indexname <> 'kit_items_pkey' ORDER BY i.indexname`,
    );

  it('migrate creates the extension, columns, storage and indexes; a second migrate changes nothing', async () => {
    // A database without pgvector, as a new project starts.
    await tdb().query('DROP EXTENSION IF EXISTS vector');
    const migrate = await migrateWith(tdb());
    await migrate();
    const ext = await tdb().query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`);
    expect(ext).toHaveLength(1);

    const columns = await tdb().query<{ attname: string; type: string; attstorage: string }>(
      `SELECT attname::text, format_type(atttypid, atttypmod) AS type, attstorage::text FROM pg_attribute
       WHERE attrelid = 'kit_items'::regclass AND attname IN ('embedding', 'half', 'features', 'hash') ORDER BY attnum`,
    );
    expect(columns).toEqual([
      { attname: 'embedding', type: 'vector(3)', attstorage: 'm' },
      { attname: 'half', type: 'halfvec(3)', attstorage: 'm' },
      { attname: 'features', type: 'sparsevec(10000)', attstorage: 'm' },
      { attname: 'hash', type: 'bit(8)', attstorage: 'm' },
    ]);

    const before = await indexes();
    expect(before.map((r) => [r.indexname, [r.method, r.opclass]])).toEqual([
      ['kit_items_embedding_hnsw_cosine_idx', ['hnsw', 'vector_cosine_ops']],
      ['kit_items_embedding_hnsw_l1_idx', ['hnsw', 'vector_l1_ops']],
      ['kit_items_embedding_ivfflat_l2_idx', ['ivfflat', 'vector_l2_ops']],
      ['kit_items_features_hnsw_l2_idx', ['hnsw', 'sparsevec_l2_ops']],
      ['kit_items_half_hnsw_ip_idx', ['hnsw', 'halfvec_ip_ops']],
      ['kit_items_half_ivfflat_cosine_idx', ['ivfflat', 'halfvec_cosine_ops']],
      ['kit_items_hash_hnsw_jaccard_idx', ['hnsw', 'bit_jaccard_ops']],
      ['kit_items_hash_ivfflat_hamming_idx', ['ivfflat', 'bit_hamming_ops']],
    ]);
    expect(before[0]!.indexdef).toContain("WITH (m='16', ef_construction='64')");

    // Again: same indexes, same OIDs (not dropped and re-created), same definitions.
    await migrate();
    expect(await indexes()).toEqual(before);
    const applied = await tdb().query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
    expect(applied[0]!.n).toBe(3);
  });

  it('the migrated table works through drizzle with the extension re-created', async () => {
    const t = tdb();
    const db =
      t.target === 'pglite'
        ? (await import('drizzle-orm/pglite')).drizzle({ client: t.raw as PGlite })
        : (await import('drizzle-orm/node-postgres')).drizzle({ client: t.raw as Pool });
    expect((await pgvectorInfo(db)).installed).toBe(true);
    await db.insert(kitItems).values([
      {
        title: 'a',
        embedding: [1, 0, 0],
        half: [1, 0, 0],
        features: new SparseVector({ 7: 1 }, 10000),
        hash: '10101010',
      },
      {
        title: 'b',
        embedding: [0, 1, 0],
        half: [0, 1, 0],
        features: new SparseVector({ 9: 1 }, 10000),
        hash: '01010101',
      },
    ]);
    const rows = await db
      .select({
        title: kitItems.title,
        features: kitItems.features,
        d: cosineDistance(kitItems.features, new SparseVector({ 7: 2 }, 10000)),
      })
      .from(kitItems)
      .orderBy(asc(kitItems.title));
    expect(rows.map((r) => [r.title, r.features?.indices, r.d])).toEqual([
      ['a', [7], 0],
      ['b', [9], 1],
    ]);
  });
});

describeEachTarget('drizzle-kit push', (tdb) => {
  it('push creates the table and indexes, and a second push has nothing to do', async () => {
    const t = tdb();
    const db =
      t.target === 'pglite'
        ? (await import('drizzle-orm/pglite')).drizzle({ client: t.raw as PGlite })
        : (await import('drizzle-orm/node-postgres')).drizzle({ client: t.raw as Pool });
    const require = createRequire(import.meta.url);
    const { pushSchema } = require('drizzle-kit/api') as typeof import('drizzle-kit/api');
    const first = await pushSchema({ kitItems }, db as never);
    expect(first.statementsToExecute.filter((s) => s.startsWith('CREATE INDEX'))).toHaveLength(8);
    await first.apply();
    const second = await pushSchema({ kitItems }, db as never);
    // Index options are written as strings so they compare equal to the server's reloptions.
    expect(second.statementsToExecute).toEqual([]);
    const opts = await t.query<{ o: string[] }>(
      `SELECT reloptions AS o FROM pg_class WHERE relname = 'kit_items_embedding_hnsw_cosine_idx'`,
    );
    expect(opts[0]!.o).toEqual(['m=16', 'ef_construction=64']);
  });
});
