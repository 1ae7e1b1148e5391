/**
 * Hostile identifiers through vecpg/prisma (./hostile-names.ts). Prisma's client runs on the server
 * only (as in test/integration/prisma.test.ts); the migration SQL helpers are also checked without
 * a database. For each name, Prisma's own `Document` model lives in a schema of that name (the pg
 * adapter's `schema` option), and vecpg's configuration names the same table (`table: [schema,
 * 'Document']`) and a vector column of that name, under a configuration key of that name. Through
 * them go the extension's model methods (`createWithVectors`, `findManyWithVectors`, `setVectors`,
 * `nearest` exact / filtered / bounded / approximate, `withDistance`) and the migration SQL
 * (`vectorIndexMigration` with its `@@index` line, `vectorStorageMigration`, `vectorExtensionMigration` in a schema).
 * The canary table survives every test; `public."Document"` is a decoy with the same ids and the
 * opposite vectors, and a decoy column under the case-folded name holds them too.
 *
 * Prisma 7.10's limitation (not vecpg's): its SQL quotes the adapter's schema as `"${schema}"`
 * without doubling a `"` inside (it fails, `cannot insert multiple commands into a prepared
 * statement`: injection stopped only by the extended protocol). For names with `"` Prisma's schema is
 * plainly named; the vector column, which only vecpg names, still carries the hostile name.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent, quoteQualified } from 'vecpg';
import { vectorParam } from 'vecpg/sql';
import {
  vectorExtensionMigration,
  vectorIndexMigration,
  l2Distance,
  pgvector,
  resolveConfig,
  vectorStorageMigration,
} from 'vecpg/prisma';
import type { PrismaClient as GeneratedClient } from '../fixtures/prisma/generated/client.ts';
import { generate } from '../fixtures/prisma/generate.mjs';
import { TARGETS, type TestDb, openTestDb } from '../support/db.ts';
import { prismaValidate } from '../support/prisma-validate.ts';
import {
  CANARY,
  HOSTILE_NAMES,
  HOSTILE_VALUE,
  TOO_LONG_NAMES,
  indexOn,
  naiveFold,
  variantOf,
} from './hostile-names.ts';

const QUERY = [0.9, 0.1, 0, 0];
const ROWS: Array<[number, number[], string]> = [
  [1, [1, 0, 0, 0], 'a'],
  [2, [0, 1, 0, 0], 'b'],
  [3, [0, 0, 1, 0], HOSTILE_VALUE],
];
const OPPOSITE: Record<number, number[]> = { 1: [0, 0, 1, 0], 2: [0, 1, 0, 0], 3: [1, 0, 0, 0] };
const refused = expect.objectContaining({ code: 'INVALID_IDENTIFIER' });

describe('security: hostile identifiers in the Prisma migration SQL (no database)', () => {
  it('the @@index line of vectorIndexMigration is valid Prisma schema for every hostile index name', async () => {
    // PSL string literals have JSON's grammar (prisma-engines, schema-ast `string_literal`); `prisma validate` parses them.
    const models = HOSTILE_NAMES.map((name, i) => {
      const { schema } = vectorIndexMigration({
        table: 'M',
        column: 'embedding',
        type: 'vector',
        distance: 'l2',
        name,
      });
      expect(schema).toBe(`@@index([embedding], map: ${JSON.stringify(name)})`);
      return `model M${i} {\n  id Int @id\n  embedding Unsupported("vector(4)")?\n  ${schema}\n}\n`;
    });
    const stdout = await prismaValidate(`datasource db {\n  provider = "postgresql"\n}\n\n${models.join('\n')}`);
    expect(stdout).toContain('is valid');
  });

  for (const name of TOO_LONG_NAMES) {
    it(`a ${new TextEncoder().encode(name).length}-byte name ${JSON.stringify(name.slice(0, 8))}… is refused by the configuration and the migration SQL`, () => {
      const vectors = { v: { type: 'vector', dimensions: 4 } } as const;
      expect(() => resolveConfig({ Document: { table: name, vectors } })).toThrow(refused);
      expect(() => resolveConfig({ Document: { idColumn: name, vectors } })).toThrow(refused);
      expect(() => resolveConfig({ Document: { vectors: { v: { ...vectors.v, column: name } } } })).toThrow(refused);
      expect(() =>
        vectorIndexMigration({ table: 'Document', column: 'v', type: 'vector', distance: 'l2', name }),
      ).toThrow(refused);
      expect(() =>
        vectorIndexMigration({ table: 'Document', column: name, field: 'v', type: 'vector', distance: 'l2' }),
      ).toThrow(refused);
      expect(() => vectorStorageMigration(['public', name], 'v')).toThrow(refused);
      expect(() => vectorExtensionMigration({ schema: name })).toThrow(refused);
    });
  }
});

/** Prisma's schema for `name` (see the limitation above). */
const schemaOf = (name: string, i: number) => (name.includes('"') ? `s${i}` : name);

if (TARGETS.includes('server')) {
  describe('security: hostile identifiers through the Prisma extension [server]', () => {
    let t: TestDb;
    let PrismaClient: typeof GeneratedClient;
    beforeAll(async () => {
      t = await openTestDb('server');
      await generate();
      ({ PrismaClient } = (await import('../fixtures/prisma/generated/client.ts')) as {
        PrismaClient: typeof GeneratedClient;
      });
      await t.query(`CREATE TABLE ${CANARY} (id int)`);
      await t.query(`INSERT INTO ${CANARY} VALUES (1)`);
    });
    afterAll(async () => {
      await t?.close();
    });
    afterEach(async () => {
      expect(await t.query(`SELECT count(*)::int AS n FROM ${CANARY}`), 'the canary table survived').toEqual([
        { n: 1 },
      ]);
    });

    for (const [i, name] of HOSTILE_NAMES.entries()) {
      it(`model methods on a vector column (and a schema) named ${JSON.stringify(name)}`, async () => {
        const schema = schemaOf(name, i);
        await t.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
        await t.query(
          `CREATE TABLE IF NOT EXISTS public."Document" (id serial PRIMARY KEY, title text NOT NULL, category text NOT NULL DEFAULT 'general', embedding vector(4))`,
        );
        await t.query(`ALTER TABLE public."Document" ADD COLUMN ${quoteIdent(name)} vector(4)`);
        await t.query(
          `INSERT INTO public."Document" (id, title) VALUES (1, 'decoy'), (2, 'decoy'), (3, 'decoy') ON CONFLICT DO NOTHING`,
        );
        for (const id of [1, 2, 3])
          await t.query(`UPDATE public."Document" SET ${quoteIdent(name)} = $1 WHERE id = $2`, [
            vectorParam(OPPOSITE[id]!, 'vector'),
            id,
          ]);
        await t.query(
          `CREATE TABLE ${quoteQualified([schema, 'Document'])} (id serial PRIMARY KEY, title text NOT NULL, category text NOT NULL DEFAULT 'general', embedding vector(4), ${quoteIdent(name)} vector(4))`,
        );
        if (naiveFold(name) !== name)
          await t.query(
            `ALTER TABLE ${quoteQualified([schema, 'Document'])} ADD COLUMN ${quoteIdent(naiveFold(name))} vector(4) DEFAULT '[0,0,0,1]'`,
          );

        const config = {
          Document: {
            table: [schema, 'Document'],
            vectors: { [name]: { type: 'vector', dimensions: 4, column: name } },
          },
        } as const;
        const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: t.url! }, { schema }) }).$extends(
          pgvector(config),
        );
        try {
          for (const [id, v, tag] of ROWS) {
            const row = await prisma.document.createWithVectors({
              data: { title: `t${id}`, category: tag },
              vectors: { [name]: v },
            });
            expect(row.id).toBe(id);
          }
          const read = await prisma.document.findManyWithVectors({ orderBy: { id: 'asc' }, vectors: [name] });
          expect(read.map((r) => [r.id, r.category, (r as Record<string, unknown>)[name]])).toEqual(
            ROWS.map(([id, v, tag]) => [id, tag, v]),
          );

          // nearest: exact, filtered by Prisma's own where (a bound value), bounded, then through an index.
          const near = await prisma.document.nearest({ by: l2Distance(name, QUERY), take: 2 });
          expect(near.map((r) => r.id)).toEqual([1, 2]);
          expect(near[0]!.distance).toBeCloseTo(Math.hypot(Math.fround(0.9) - 1, Math.fround(0.1)), 6);
          const filtered = await prisma.document.nearest({
            by: l2Distance(name, QUERY),
            where: { category: HOSTILE_VALUE },
          });
          expect(filtered.map((r) => [r.id, r.category])).toEqual([[3, HOSTILE_VALUE]]);
          const bounded = await prisma.document.nearest({ by: l2Distance(name, QUERY), distance: { lt: 1.3 } });
          expect(bounded.map((r) => r.id)).toEqual([1, 2]);

          const index = vectorIndexMigration({
            table: [schema, 'Document'],
            column: name,
            field: 'embedding',
            type: 'vector',
            distance: 'l2',
            name: variantOf('ix', name),
          });
          await t.query(index.up);
          expect(await indexOn(t, variantOf('ix', name))).toEqual([
            { schema, table: 'Document', column: name, method: 'hnsw', opclass: 'vector_l2_ops' },
          ]);
          const approx = await prisma.document.nearest({
            by: l2Distance(name, QUERY),
            take: 3,
            approximate: { efSearch: 10 },
          });
          expect(approx.map((r) => r.id)).toEqual([1, 2, 3]);
          await t.query(index.down);
          expect(await indexOn(t, variantOf('ix', name))).toEqual([]);

          // setVectors and withDistance on this column of this table only.
          expect(await prisma.document.setVectors({ where: { id: 2 }, data: { [name]: [0.9, 0.1, 0, 0] } })).toEqual({
            count: 1,
          });
          const annotated = await prisma.document.withDistance({ by: l2Distance(name, QUERY), orderBy: { id: 'asc' } });
          expect(annotated.map((r) => [r.id, r.distance?.toFixed(4)])).toEqual([
            [1, Math.hypot(Math.fround(0.9) - 1, Math.fround(0.1)).toFixed(4)],
            [2, (0).toFixed(4)],
            [3, Math.hypot(Math.fround(0.9), Math.fround(0.1), 1).toFixed(4)],
          ]);
          const decoy = await t.query(`SELECT id, ${quoteIdent(name)}::text AS v FROM public."Document" ORDER BY id`);
          expect(decoy).toEqual([1, 2, 3].map((id) => ({ id, v: `[${OPPOSITE[id]!.join(',')}]` })));

          // vectorStorageMigration up and down on this column of this table.
          const storage = vectorStorageMigration([schema, 'Document'], name);
          const attstorage = (s: string) =>
            t.query('SELECT attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2', [
              quoteQualified([s, 'Document']),
              name,
            ]);
          await t.query(storage.up);
          expect([await attstorage(schema), await attstorage('public')]).toEqual([
            [{ attstorage: 'm' }],
            [{ attstorage: 'e' }],
          ]);
          await t.query(storage.down);
          expect(await attstorage(schema)).toEqual([{ attstorage: 'e' }]);
        } finally {
          await prisma.$disconnect();
        }
      });
    }

    it("Prisma's own SQL cannot use a schema whose name has a quote (its limitation, above)", async () => {
      const schema = HOSTILE_NAMES[0]!;
      await t.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
      await t.query(
        `CREATE TABLE ${quoteQualified([schema, 'Document'])} (id serial PRIMARY KEY, title text NOT NULL, category text NOT NULL DEFAULT 'general')`,
      );
      const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: t.url! }, { schema }) });
      try {
        // 42601: the statement Prisma wrote does not parse (the name was not escaped); nothing ran.
        await expect(prisma.document.findMany()).rejects.toMatchObject({
          meta: { driverAdapterError: { cause: { originalCode: '42601' } } },
        });
      } finally {
        await prisma.$disconnect();
      }
    });

    // Last: it drops and re-creates the extension.
    it('vectorExtensionMigration installs pgvector in a hostile schema', async () => {
      for (const schema of HOSTILE_NAMES.slice(0, 4)) {
        await t.query('DROP EXTENSION vector CASCADE'); // the earlier tests' vector columns go with it
        await t.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
        await t.query(vectorExtensionMigration({ schema }).up);
        const rows = await t.query(
          "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'",
        );
        expect(rows).toEqual([{ nspname: schema }]);
      }
    });
  });
}
