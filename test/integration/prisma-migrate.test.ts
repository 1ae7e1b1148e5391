/**
 * Issue 4's bar for a migration tool, with Prisma's own schema engine: declare, migrate, migrate
 * again → every vector index is still there with its opclass and options.
 *
 * The engine is Prisma 7.10's WebAssembly build (@prisma/schema-engine-wasm, the schema engine of
 * Prisma 7.10.0) driven through a driver adapter on PGlite. It applies the fixture migrations
 * (Prisma's DDL with vecpg's index and storage SQL) as `prisma migrate deploy` does, diffs the live
 * database against schema.prisma — the migration the next `prisma migrate dev` would write — and
 * pushes the schema again as `prisma db push` does.
 *
 * PGlite only, because: Prisma 7's CLI runs migrate with the native schema-engine binary, which
 * cannot be downloaded here (Prisma 7 removed the driver-adapter path for migrate from
 * prisma.config.ts); and @prisma/adapter-pg 7.10 refuses the catalog's `"char"` columns (OID 18) the
 * engine's describer reads ("Column type 'char' could not be deserialized"), so the engine cannot
 * run on the server through it. PGlite is PostgreSQL 17 with pgvector 0.8.7: the catalog rows the
 * describer reads for an index (access method, columns, opclass) are the ones the server has.
 */
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { vectorIndexMigration } from 'vecpg/prisma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../support/db.ts';

type EngineModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');

const require = createRequire(import.meta.url);
const FIXTURE = new URL('../fixtures/prisma/', import.meta.url);
const MIGRATIONS = new URL('migrations/', FIXTURE);
const NO_FILTER = { externalTables: [], externalEnums: [] };

// Node's WebAssembly global (the project's TypeScript libs do not declare it).
const { WebAssembly: Wasm } = globalThis as unknown as {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
  };
};

/** The engine's module, instantiated by hand: its entry imports the .wasm as an ES module, which Node 20 cannot. */
async function loadEngineModule(): Promise<EngineModule> {
  const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasm = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
  const instance = new Wasm.Instance(new Wasm.Module(await readFile(wasm)), { './schema_engine_bg.js': glue });
  (glue as unknown as { __wbg_set_wasm(exports: unknown): void }).__wbg_set_wasm(instance.exports);
  (instance.exports as unknown as { __wbindgen_start(): void }).__wbindgen_start();
  return glue;
}

// vecpg's IVFFlat recipe, as a third migration: the SQL from vectorIndexMigration, the @@index line in the model.
const ivfflat = vectorIndexMigration({
  table: 'vecpg_items',
  column: 'half_vec',
  field: 'half',
  type: 'halfvec',
  distance: 'l2',
  method: 'ivfflat',
  lists: 10,
});

/** The fixture migrations plus the IVFFlat one, as the engine reads a migrations directory. */
async function migrationList(): Promise<MigrationList> {
  const names = (await readdir(MIGRATIONS)).filter((n) => /^\d+_/.test(n)).sort();
  const dirs = await Promise.all(
    names.map(async (name) => ({ name, sql: await readFile(new URL(`${name}/migration.sql`, MIGRATIONS), 'utf8') })),
  );
  dirs.push({ name: '20250101000002_ivfflat', sql: `-- vecpg's vectorIndexMigration(...).up\n${ivfflat.up}` });
  return {
    baseDir: MIGRATIONS.pathname,
    lockfile: { path: 'migration_lock.toml', content: 'provider = "postgresql"\n' },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map(({ name, sql }) => ({
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: sql } },
    })),
  };
}

/** Each vector index: access method, opclass, options, and its pg_class oid (a drop + create changes it). */
async function vectorIndexes(db: TestDb) {
  return db.query<{ index: string; method: string; opclass: string; options: string | null; oid: number }>(
    `SELECT c.relname::text AS index, am.amname::text AS method, opc.opcname::text AS opclass,
            array_to_string(c.reloptions, ',') AS options, c.oid::int AS oid
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
     JOIN pg_opclass opc ON opc.oid = i.indclass[0]
     WHERE am.amname IN ('hnsw', 'ivfflat') ORDER BY 1`,
  );
}

describe('prisma migrate twice keeps the vector indexes (Prisma 7.10 schema engine, wasm) [pglite]', () => {
  let db: TestDb;
  let engine: SchemaEngine;
  let schema: string;
  let before: Awaited<ReturnType<typeof vectorIndexes>>;
  const files = (content: string) => [{ path: 'schema.prisma', content }];
  const diff = (content: string) =>
    engine.diff({
      from: { tag: 'schemaDatasource', files: files(schema), configDir: FIXTURE.pathname },
      to: { tag: 'schemaDatamodel', files: files(content) },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });

  beforeAll(async () => {
    db = await openTestDb('pglite');
    const { SchemaEngine } = await loadEngineModule();
    const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(db.raw as PGlite));
    engine = await SchemaEngine.new({ datamodels: undefined }, () => {}, adapter);
    // The fixture schema with the IVFFlat index declared, as the recipe says.
    const fixture = await readFile(new URL('schema.prisma', FIXTURE), 'utf8');
    schema = fixture.replace('  @@map("vecpg_items")', `  ${ivfflat.schema}\n  @@map("vecpg_items")`);
    expect(schema).not.toBe(fixture);
  });
  afterAll(async () => {
    engine?.free();
    await db?.close();
  });

  it('migrate deploy applies the migrations with vecpg SQL: each index has its method, opclass and options', async () => {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: await migrationList(),
      filters: NO_FILTER,
    });
    expect(appliedMigrationNames).toEqual(['20250101000000_init', '20250101000001_vector', '20250101000002_ivfflat']);
    before = await vectorIndexes(db);
    expect(before.map(({ oid: _oid, ...rest }) => rest)).toEqual([
      {
        index: 'Document_embedding_hnsw_cosine_idx',
        method: 'hnsw',
        opclass: 'vector_cosine_ops',
        options: 'm=16,ef_construction=64',
      },
      { index: 'ScienceData_features_hnsw_cosine_idx', method: 'hnsw', opclass: 'sparsevec_cosine_ops', options: null },
      {
        index: 'vecpg_items_half_vec_ivfflat_l2_idx',
        method: 'ivfflat',
        opclass: 'halfvec_l2_ops',
        options: 'lists=10',
      },
    ]);
  });

  it('the next migrate dev would write an empty migration: every vector index matches its @@index line', async () => {
    const result = await diff(schema);
    expect(result.stdout).toBe('-- This is an empty migration.\n');
    expect(result.exitCode).toBe(0);
  });

  it('without the @@index lines Prisma would drop the vector indexes (what the recipe prevents)', async () => {
    const undeclared = schema.replace(/^ *@@index\(\[(embedding|features|half)\], map: "[^"]+"\)\n/gm, '');
    expect(undeclared.match(/@@index/g)).toBeNull();
    const result = await diff(undeclared);
    expect(result.exitCode).toBe(2);
    expect(result.stdout?.match(/^DROP INDEX .*$/gm)).toEqual([
      'DROP INDEX "Document_embedding_hnsw_cosine_idx";',
      'DROP INDEX "ScienceData_features_hnsw_cosine_idx";',
      'DROP INDEX "vecpg_items_half_vec_ivfflat_l2_idx";',
    ]);
  });

  it('from an empty database Prisma writes a B-tree CREATE INDEX for each @@index line (replaced by vecpg SQL)', async () => {
    const result = await engine.diff({
      from: { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: files(schema) },
      script: true,
      exitCode: true,
      filters: NO_FILTER,
    });
    expect(result.stdout?.match(/^CREATE INDEX .*$/gm)).toEqual([
      'CREATE INDEX "Document_embedding_hnsw_cosine_idx" ON "Document"("embedding");',
      'CREATE INDEX "ScienceData_features_hnsw_cosine_idx" ON "ScienceData"("features");',
      'CREATE INDEX "vecpg_items_half_vec_ivfflat_l2_idx" ON "vecpg_items"("half_vec");',
    ]);
  });

  it('a bit column declared Unsupported("bit(8)") would be altered by every migrate; String @db.Bit(8) is not', async () => {
    expect(schema).toContain('bits   String?                   @db.Bit(8)');
    const unsupported = schema.replace('bits   String?                   @db.Bit(8)', 'bits   Unsupported("bit(8)")?');
    const result = await diff(unsupported);
    expect(result.stdout).toContain('ALTER TABLE "vecpg_items" ALTER COLUMN "bits" SET DATA TYPE bit(8);');
    expect(result.stdout).not.toContain('INDEX');
  });

  it('db push again executes nothing and leaves the same indexes (same oids, opclasses, options)', async () => {
    const pushed = await engine.schemaPush({ force: false, schema: { files: files(schema) }, filters: NO_FILTER });
    expect(pushed).toEqual({ executedSteps: 0, unexecutable: [], warnings: [] });
    expect(await vectorIndexes(db)).toEqual(before);
    expect((await diff(schema)).exitCode).toBe(0);
  });
});
