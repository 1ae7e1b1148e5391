/**
 * Prisma 6 cannot read PostgreSQL's `name` (or `"char"`) columns ("Failed to deserialize column of
 * type 'name'"), so every catalog query vecpg sends casts them to text. Checked two ways: a scan of
 * the SQL in src/ for a selected catalog name column without `::text`, and the server's own result
 * types (field OIDs) of each catalog helper.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlExecutor } from 'vecpg';
import { readTableColumns } from '../../src/sql/catalog.ts';
import { extensionInfo, requireFeature } from '../../src/sql/version.ts';
import { describeVectorColumn, listVectorColumns, listVectorIndexes } from '../../src/sql/catalog.ts';
import { type ServerDatabase, createServerDatabase } from '../support/db.ts';
import { ROOT } from '../support/paths.ts';

const NAME_COLUMNS =
  /\b\w+\.(nspname|relname|attname|typname|extname|opcname|amname|conname|proname|attstorage|relkind)\b(?!::text)/g;

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

it('no SELECT list in src/ selects a catalog name column without ::text', async () => {
  const offenders: string[] = [];
  for (const file of await sourceFiles(join(ROOT, 'src'))) {
    const text = await readFile(file, 'utf8');
    // the select list: from SELECT to its FROM (catalog queries here have no sub-selects in the list)
    for (const m of text.matchAll(/\bSELECT\b([\s\S]*?)\bFROM\b/g)) {
      for (const n of m[1]!.matchAll(NAME_COLUMNS)) offenders.push(`${file.slice(ROOT.length)}: ${n[0]}`);
    }
  }
  expect(offenders).toEqual([]);
});

describe.runIf(process.env.DATABASE_URL)('catalog helpers return text, never name or "char" (server)', () => {
  let server: ServerDatabase;
  let pool: pg.Pool;
  const fieldTypes: number[] = [];
  let db: SqlExecutor;
  beforeAll(async () => {
    server = await createServerDatabase();
    pool = new pg.Pool({ connectionString: server.url, max: 2 });
    await pool.query(
      'CREATE TABLE items (id int PRIMARY KEY, embedding vector(3)); CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)',
    );
    db = {
      async query(text, params) {
        const r = await pool.query(text, params === undefined ? [] : [...params]);
        fieldTypes.push(...r.fields.map((f) => f.dataTypeID));
        return r.rows;
      },
    };
  });
  afterAll(async () => {
    await pool?.end();
    await server?.drop();
  });

  it.each([
    ['extensionInfo', () => extensionInfo(db)],
    ['requireFeature', () => requireFeature(db, 'sparsevec')],
    ['readTableColumns', () => readTableColumns(db, 'items')],
    ['listVectorColumns', () => listVectorColumns(db)],
    ['describeVectorColumn', () => describeVectorColumn(db, 'items', 'embedding')],
    ['listVectorIndexes', () => listVectorIndexes(db)],
  ])('%s', async (_name, run) => {
    fieldTypes.length = 0;
    const result = await run();
    expect(result).toBeTruthy();
    expect(fieldTypes.length).toBeGreaterThan(0);
    // 19 = name, 18 = "char" (pg_type.oid)
    expect(fieldTypes.filter((oid) => oid === 19 || oid === 18)).toEqual([]);
  });
});
