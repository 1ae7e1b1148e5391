/**
 * vecpg/prisma against PostgreSQL + pgvector through Prisma 7, on both targets: the server through
 * @prisma/adapter-pg, embedded PGlite through pglite-prisma-adapter (on the test's own PGlite
 * instance, so the test's direct queries and Prisma's see the same database; with savepoints added,
 * see test/support/prisma-pglite.ts).
 */
import { readFile } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import type { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import { SparseVector, Vector, isVecpgError, l2Distance as clientL2 } from 'vecpg';
import {
  pgvectorInfo,
  requirePgvector,
  cosineDistance,
  vectorExtensionMigration,
  hammingDistance,
  vectorIndexMigration,
  jaccardDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  pgvector,
  rankStatement,
  resolveConfig,
  vectorStorageMigration,
  updateStatement,
} from 'vecpg/prisma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient as GeneratedClient } from '../fixtures/prisma/generated/client.ts';
import { generate } from '../fixtures/prisma/generate.mjs';
import { describeEachTarget, openTestDb, type TestDb } from '../support/db.ts';
import { pgliteAdapter, plainPgliteAdapter } from '../support/prisma-pglite.ts';

const MIGRATIONS = new URL('../fixtures/prisma/migrations/', import.meta.url);
const migrationSql = (name: string) => readFile(new URL(`${name}/migration.sql`, MIGRATIONS), 'utf8');

const config = {
  Document: { vectors: { embedding: { type: 'vector', dimensions: 4 } } },
  ScienceData: { vectors: { features: { type: 'sparsevec', dimensions: 10000 } } },
  Item: {
    table: 'vecpg_items',
    vectors: { half: { type: 'halfvec', dimensions: 3, column: 'half_vec' }, bits: { type: 'bit', dimensions: 8 } },
  },
} as const;

async function expectCode(promise: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(isVecpgError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    return;
  }
  expect.fail(`expected a VecpgError ${code}`);
}

async function openPrisma(db: TestDb, pglite: (p: PGlite) => PrismaPGlite = pgliteAdapter) {
  await generate();
  const { PrismaClient } = (await import('../fixtures/prisma/generated/client.ts')) as {
    PrismaClient: typeof GeneratedClient;
  };
  const adapter = db.target === 'server' ? new PrismaPg({ connectionString: db.url! }) : pglite(db.raw as PGlite);
  return new PrismaClient({ adapter }).$extends(pgvector(config));
}
type Client = Awaited<ReturnType<typeof openPrisma>>;

/** The fixture migrations, statement by statement, as `prisma migrate deploy` applies them. */
async function applyMigrations(db: TestDb): Promise<void> {
  await db.query(vectorExtensionMigration().up);
  for (const m of ['20250101000000_init', '20250101000001_vector']) {
    for (const statement of (await migrationSql(m)).split(/;\s*$/m)) {
      const sql = statement.replace(/^--.*$/gm, '').trim();
      if (sql !== '') await db.query(sql);
    }
  }
}

/** pg_indexes' definition of an index, or undefined. */
async function indexDef(db: TestDb, name: string): Promise<string | undefined> {
  const rows = await db.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE indexname = $1', [name]);
  return rows[0]?.indexdef;
}

describe('migration SQL (pure)', () => {
  it('writes the extension, index and storage statements with their reverse', () => {
    expect(vectorExtensionMigration()).toEqual({
      up: 'CREATE EXTENSION IF NOT EXISTS vector;\n',
      down: 'DROP EXTENSION IF EXISTS vector;\n',
    });
    const idx = vectorIndexMigration({
      table: 'Document',
      column: 'embedding',
      type: 'vector',
      distance: 'cosine',
      m: 16,
      efConstruction: 64,
    });
    expect(idx.up).toBe(
      'CREATE INDEX IF NOT EXISTS "Document_embedding_hnsw_cosine_idx" ON "Document" USING hnsw ("embedding" vector_cosine_ops) WITH (m = 16, ef_construction = 64);\n',
    );
    expect(idx.down).toBe('DROP INDEX IF EXISTS "Document_embedding_hnsw_cosine_idx";\n');
    expect(idx.schema).toBe('@@index([embedding], map: "Document_embedding_hnsw_cosine_idx")');
    const ivf = vectorIndexMigration({
      table: ['public', 'vecpg_items'],
      column: 'half_vec',
      field: 'half',
      type: 'halfvec',
      distance: 'l2',
      method: 'ivfflat',
      lists: 10,
    });
    expect(ivf.up).toBe(
      'CREATE INDEX IF NOT EXISTS "vecpg_items_half_vec_ivfflat_l2_idx" ON "public"."vecpg_items" USING ivfflat ("half_vec" halfvec_l2_ops) WITH (lists = 10);\n',
    );
    expect(ivf.down).toBe('DROP INDEX IF EXISTS "public"."vecpg_items_half_vec_ivfflat_l2_idx";\n');
    expect(ivf.schema).toBe('@@index([half], map: "vecpg_items_half_vec_ivfflat_l2_idx")');
    expect(vectorStorageMigration('Document', 'embedding')).toEqual({
      up: 'ALTER TABLE "Document" ALTER COLUMN "embedding" SET STORAGE MAIN;\n',
      down: 'ALTER TABLE "Document" ALTER COLUMN "embedding" SET STORAGE EXTERNAL;\n',
    });
  });

  it('validates index options and opclasses through the SQL layer', async () => {
    await expectCode(
      () =>
        vectorIndexMigration({
          table: 'ScienceData',
          column: 'features',
          type: 'sparsevec',
          distance: 'l2',
          method: 'ivfflat',
        }),
      'UNSUPPORTED',
    );
    await expectCode(
      () => vectorIndexMigration({ table: 'Document', column: 'embedding', type: 'vector', distance: 'hamming' }),
      'UNSUPPORTED',
    );
    await expectCode(
      () => vectorIndexMigration({ table: 'Document', column: 'embedding', type: 'vector', distance: 'l2', m: 1 }),
      'INVALID_OPTION',
    );
    await expectCode(
      () =>
        vectorIndexMigration({
          table: 'Document',
          column: 'embedding',
          type: 'vector',
          distance: 'l2',
          m: 40,
          efConstruction: 64,
        }),
      'INVALID_OPTION',
    );
  });

  it('the fixture migrations contain exactly what the helpers write', async () => {
    const init = await migrationSql('20250101000000_init');
    expect(init).toContain(
      vectorIndexMigration({
        table: 'Document',
        column: 'embedding',
        type: 'vector',
        distance: 'cosine',
        m: 16,
        efConstruction: 64,
      }).up,
    );
    const vector = await migrationSql('20250101000001_vector');
    expect(vector).toContain(vectorStorageMigration('Document', 'embedding').up);
    expect(vector).toContain(vectorStorageMigration('ScienceData', 'features', 'sparsevec').up);
    expect(vector).toContain(
      vectorIndexMigration({ table: 'ScienceData', column: 'features', type: 'sparsevec', distance: 'cosine' }).up,
    );
    const schema = await readFile(new URL('../fixtures/prisma/schema.prisma', import.meta.url), 'utf8');
    expect(schema).toContain(
      vectorIndexMigration({ table: 'ScienceData', column: 'features', type: 'sparsevec', distance: 'cosine' }).schema,
    );
    expect(schema).toContain(
      vectorIndexMigration({ table: 'Document', column: 'embedding', type: 'vector', distance: 'cosine' }).schema,
    );
  });

  it('builds parameter-only statements from the resolved configuration', () => {
    const models = resolveConfig(config);
    const doc = models.get('Document')!;
    const embedding = doc.vectors.get('embedding')!;
    expect(
      rankStatement(doc, embedding, 'cosine', [1, 0, 0, 0], { exact: true, take: 3, ids: [1, 2], bounds: { lt: 0.2 } }),
    ).toEqual({
      text:
        'SELECT "id" AS "id", ("embedding" <=> $1::vector) + 0 AS "distance" FROM "Document" WHERE "embedding" IS NOT NULL AND "id" = ANY($2) ' +
        'AND "embedding" <=> $1::vector < $3 ORDER BY ("embedding" <=> $1::vector) + 0 LIMIT $4',
      values: ['[1,0,0,0]', [1, 2], 0.2, 3],
    });
    const item = models.get('Item')!;
    expect(rankStatement(item, item.vectors.get('bits')!, 'hamming', '10100000', { exact: false })).toEqual({
      text: 'SELECT "id" AS "id", "bits" <~> $1::bit(8) AS "distance" FROM "vecpg_items" WHERE "bits" IS NOT NULL ORDER BY "bits" <~> $1::bit(8)',
      values: ['10100000'],
    });
    expect(
      updateStatement(
        item,
        [
          [item.vectors.get('half')!, [1, 2, 3]],
          [item.vectors.get('bits')!, null],
        ],
        ['a'],
      ),
    ).toEqual({
      text: 'UPDATE "vecpg_items" SET "half_vec" = $1::halfvec, "bits" = NULL WHERE "id" = ANY($2)',
      values: ['[1,2,3]', ['a']],
    });
  });
});

describeEachTarget('prisma migration SQL', (db) => {
  it('applies twice (idempotent) and leaves each index with its opclass', async () => {
    for (let run = 0; run < 2; run++) {
      for (const m of ['20250101000000_init', '20250101000001_vector']) {
        for (const statement of (await migrationSql(m)).split(/;\s*$/m)) {
          const sql = statement.replace(/^--.*$/gm, '').trim();
          if (sql === '' || (run === 1 && /^(CREATE TABLE|ALTER TABLE "Tag")/.test(sql))) continue;
          await db().query(sql);
        }
      }
    }
    expect(await indexDef(db(), 'Document_embedding_hnsw_cosine_idx')).toBe(
      'CREATE INDEX "Document_embedding_hnsw_cosine_idx" ON public."Document" USING hnsw (embedding vector_cosine_ops) WITH (m=\'16\', ef_construction=\'64\')',
    );
    expect(await indexDef(db(), 'ScienceData_features_hnsw_cosine_idx')).toBe(
      'CREATE INDEX "ScienceData_features_hnsw_cosine_idx" ON public."ScienceData" USING hnsw (features sparsevec_cosine_ops)',
    );
    const storage = await db().query<{ attname: string; attstorage: string }>(
      `SELECT attname::text, attstorage::text FROM pg_attribute WHERE attrelid IN ('"Document"'::regclass, '"ScienceData"'::regclass) AND attname IN ('embedding', 'features') ORDER BY attname`,
    );
    expect(storage).toEqual([
      { attname: 'embedding', attstorage: 'm' },
      { attname: 'features', attstorage: 'm' },
    ]);
  });

  it('the index is a plain column index, which Prisma reads as its @@index([field])', async () => {
    // Prisma's schema describer maps an unknown access method to B-tree and ignores the opclass
    // of B-tree indexes; an expression index would be a different (unmatched) kind.
    const rows = await db().query<{ columns: string; expressions: boolean; am: string }>(
      `SELECT array_to_string(array_agg(a.attname ORDER BY a.attnum), ',') AS columns, (i.indexprs IS NOT NULL) AS expressions, am.amname::text AS am
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE c.relname = $1 GROUP BY i.indexprs, am.amname`,
      ['Document_embedding_hnsw_cosine_idx'],
    );
    expect(rows).toEqual([{ columns: 'embedding', expressions: false, am: 'hnsw' }]);
  });

  it('extension migration is reversible', async () => {
    const { up, down } = vectorExtensionMigration();
    await db().query('CREATE TABLE prisma_ext_probe (id int)');
    await db().query(up);
    await db().query(up);
    expect(await db().query("SELECT extname FROM pg_extension WHERE extname = 'vector'")).toEqual([
      { extname: 'vector' },
    ]);
    await db().query('DROP TABLE prisma_ext_probe');
    void down; // dropping the extension would take the test tables with it: checked on its own database below
  });
});

// The Prisma Client on each target: @prisma/adapter-pg on the server, pglite-prisma-adapter on PGlite.
describeEachTarget('vecpg/prisma client', (db) => {
  let prisma: Client;
  beforeAll(async () => {
    await applyMigrations(db());
    prisma = await openPrisma(db());
  });
  afterAll(async () => {
    await prisma?.$disconnect();
  });

  it('reports the installed pgvector and the features it has', async () => {
    const info = await requirePgvector(prisma, ['halfvec', 'sparsevec', 'iterativeScan']);
    const server = await db().query<{ v: string }>("SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'");
    expect(info.version).toBe(server[0]?.v);
    expect(info.installed).toBe(true);
  });

  it('pgvectorInfo and requirePgvector(one feature) answer as in the other integrations', async () => {
    const server = await db().query<{ v: string; s: string }>(
      "SELECT e.extversion AS v, n.nspname AS s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'",
    );
    expect(await pgvectorInfo(prisma)).toEqual({ installed: true, version: server[0]?.v, schema: server[0]?.s });
    expect((await requirePgvector(prisma, 'sparsevec')).version).toBe(server[0]?.v);
  });

  it('writes and reads dense and sparse vectors (the seed models)', async () => {
    const doc = await prisma.document.createWithVectors({
      data: { title: 'My First Doc' },
      vectors: { embedding: [0.5, 0.2, 0.9, 0.3] },
    });
    expect(doc.title).toBe('My First Doc');
    const sample = await prisma.scienceData.createWithVectors({
      data: { name: 'Sample A' },
      vectors: { features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) },
      select: { name: true },
    });
    expect(sample).toEqual({ name: 'Sample A' });
    // The server's own text: 1-based indices.
    expect(await db().query('SELECT features::text AS t FROM "ScienceData"')).toEqual([{ t: '{1:5.5,43:1.2}/10000' }]);
    expect(await db().query('SELECT embedding::text AS t FROM "Document" WHERE id = $1', [doc.id])).toEqual([
      { t: '[0.5,0.2,0.9,0.3]' },
    ]);

    const [readDoc] = await prisma.document.findManyWithVectors({ where: { id: doc.id }, vectors: ['embedding'] });
    expect(readDoc?.embedding).toEqual([0.5, 0.2, 0.9, 0.3].map(Math.fround));
    const [readSample] = await prisma.scienceData.findManyWithVectors({
      where: { name: 'Sample A' },
      select: { name: true },
      vectors: ['features'],
    });
    expect(readSample?.features).toBeInstanceOf(SparseVector);
    expect(readSample?.features?.toObject()).toEqual({ 0: Math.fround(5.5), 42: Math.fround(1.2) });
    expect(readSample?.features?.dimensions).toBe(10000);
    expect(Object.keys(readSample ?? {}).sort()).toEqual(['features', 'name']);
  });

  it('setVectors writes a Vector, an array or null on the rows matching a Prisma where', async () => {
    await prisma.document.createMany({
      data: [
        { title: 'a', category: 'news' },
        { title: 'b', category: 'news' },
        { title: 'c', category: 'blog' },
      ],
    });
    expect(
      await prisma.document.setVectors({ where: { category: 'news' }, data: { embedding: new Vector([1, 0, 0, 0]) } }),
    ).toEqual({ count: 2 });
    expect(await prisma.document.setVectors({ where: { title: 'c' }, data: { embedding: [0, 1, 0, 0] } })).toEqual({
      count: 1,
    });
    const rows = await db().query(
      'SELECT title, embedding::text AS e FROM "Document" WHERE title IN ($1, $2, $3) ORDER BY title',
      ['a', 'b', 'c'],
    );
    expect(rows).toEqual([
      { title: 'a', e: '[1,0,0,0]' },
      { title: 'b', e: '[1,0,0,0]' },
      { title: 'c', e: '[0,1,0,0]' },
    ]);
    expect(await prisma.document.setVectors({ where: { title: 'b' }, data: { embedding: null } })).toEqual({
      count: 1,
    });
    expect(await db().query('SELECT embedding FROM "Document" WHERE title = $1', ['b'])).toEqual([{ embedding: null }]);
    await expectCode(
      prisma.document.setVectors({ where: { title: 'a' }, data: { embedding: [1, 2, 3] } }),
      'DIMENSION_MISMATCH',
    );
    expect(await db().query('SELECT embedding::text AS e FROM "Document" WHERE title = $1', ['a'])).toEqual([
      { e: '[1,0,0,0]' },
    ]);
  });

  it('a bad vector creates nothing (createWithVectors validates first, then runs in one transaction)', async () => {
    const before = await prisma.scienceData.count();
    await expectCode(
      prisma.scienceData.createWithVectors({
        data: { name: 'bad' },
        vectors: { features: new SparseVector({ 0: 1 }, 5) },
      }),
      'DIMENSION_MISMATCH',
    );
    await expectCode(
      prisma.scienceData.createWithVectors({
        data: { name: 'bad' },
        vectors: { features: { indices: [10000], values: [1], dimensions: 10000 } },
      }),
      'INVALID_SPARSE_INDEX',
    );
    expect(await prisma.scienceData.count()).toBe(before);
  });

  describe("the Django walkthrough's three query patterns", () => {
    const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
    let serverOrder: Array<{ name: string; d: number }>;
    beforeAll(async () => {
      const samples: Array<[string, Record<number, number>]> = [
        ['Sample B', { 0: 5, 42: 1.1 }],
        ['Sample C', { 0: 1, 42: 5 }],
        ['Sample D', { 7: 3 }],
        ['Sample E', { 0: 5.1, 42: 1, 9999: 0.5 }],
      ];
      for (const [name, entries] of samples) {
        await prisma.scienceData.createWithVectors({
          data: { name },
          vectors: { features: new SparseVector(entries, 10000) },
        });
      }
      await prisma.scienceData.create({ data: { name: 'No features' } });
      // The server's own operator, order and values: the reference for every assertion below.
      serverOrder = await db().query<{ name: string; d: number }>(
        'SELECT name, features <=> $1::sparsevec AS d FROM "ScienceData" WHERE features IS NOT NULL ORDER BY d, id',
        [target.toSql()],
      );
      expect(serverOrder).toHaveLength(5);
      // Hand-derived check of the reference: Sample A = {0: 5.5, 42: 1.2} against {0: 5.1, 42: 1}.
      const a = serverOrder.find((r) => r.name === 'Sample A')!;
      const f = Math.fround;
      const cos = (f(5.5) * f(5.1) + f(1.2) * 1) / (Math.hypot(f(5.5), f(1.2)) * Math.hypot(f(5.1), 1));
      expect(a.d).toBeCloseTo(1 - cos, 6);
    });

    it('1. ordering: order_by(CosineDistance(features, target))[:10]', async () => {
      const rows = await prisma.scienceData.nearest({ by: cosineDistance('features', target), take: 10 });
      expect(rows.map((r) => r.name)).toEqual(serverOrder.map((r) => r.name));
      rows.forEach((r, i) => expect(r.distance).toBeCloseTo(serverOrder[i]!.d, 12));
      expect(Object.keys(rows[0]!).sort()).toEqual(['distance', 'id', 'name']);
    });

    it("2. annotating: annotate(distance=CosineDistance(...)) keeps Prisma's own order", async () => {
      const rows = await prisma.scienceData.withDistance({
        by: cosineDistance('features', target),
        orderBy: { name: 'desc' },
        select: { name: true },
      });
      expect(rows.map((r) => r.name)).toEqual([
        'Sample E',
        'Sample D',
        'Sample C',
        'Sample B',
        'Sample A',
        'No features',
      ]);
      const byName = new Map(serverOrder.map((r) => [r.name, r.d]));
      for (const r of rows) {
        if (r.name === 'No features') expect(r.distance).toBeNull();
        else expect(r.distance).toBeCloseTo(byName.get(r.name)!, 12);
      }
      expect(Object.keys(rows[0]!).sort()).toEqual(['distance', 'name']);
    });

    it('3. annotate + filter(distance__lt=0.2) + order_by(distance), with a Prisma where', async () => {
      const expected = serverOrder.filter((r) => r.d < 0.2);
      expect(expected.length).toBeGreaterThan(1);
      expect(expected.length).toBeLessThan(serverOrder.length);
      const rows = await prisma.scienceData.nearest({ by: cosineDistance('features', target), distance: { lt: 0.2 } });
      expect(rows.map((r) => [r.name, r.distance])).toEqual(expected.map((r) => [r.name, r.d]));
      const filtered = await prisma.scienceData.nearest({
        by: cosineDistance('features', target),
        distance: { lt: 0.2 },
        where: { name: { not: 'Sample E' } },
        select: { name: true },
        vectors: ['features'],
      });
      expect(filtered.map((r) => r.name)).toEqual(expected.filter((r) => r.name !== 'Sample E').map((r) => r.name));
      expect(filtered[0]!.features!.toSql()).toBe(
        (
          await db().query<{ t: string }>('SELECT features::text AS t FROM "ScienceData" WHERE name = $1', [
            filtered[0]!.name,
          ])
        )[0]!.t,
      );
    });

    it("the other sparse distances match the server's operators", async () => {
      for (const [by, op] of [
        [l2Distance('features', target), '<->'],
        [maxInnerProduct('features', target), '<#>'],
        [l1Distance('features', target), '<+>'],
      ] as const) {
        const expected = await db().query<{ name: string; d: number }>(
          `SELECT name, features ${op} $1::sparsevec AS d FROM "ScienceData" WHERE features IS NOT NULL ORDER BY d, id LIMIT 3`,
          [target.toSql()],
        );
        const rows = await prisma.scienceData.nearest({ by, take: 3 });
        expect(rows.map((r) => [r.name, r.distance])).toEqual(expected.map((r) => [r.name, r.d]));
      }
    });

    it('dense: all four distances, ordering, annotation and threshold', async () => {
      const q = [0.5, 0.2, 0.9, 0.3];
      for (const [by, op] of [
        [l2Distance('embedding', q), '<->'],
        [maxInnerProduct('embedding', new Vector(q)), '<#>'],
        [cosineDistance('embedding', q), '<=>'],
        [l1Distance('embedding', Float32Array.from(q)), '<+>'],
      ] as const) {
        const expected = await db().query<{ title: string; d: number }>(
          `SELECT title, embedding ${op} $1::vector AS d FROM "Document" WHERE embedding IS NOT NULL ORDER BY d, id`,
          [new Vector(q).toSql()],
        );
        const rows = await prisma.document.nearest({ by, select: { title: true } });
        expect(rows.map((r) => [r.title, r.distance])).toEqual(expected.map((r) => [r.title, r.d]));
        const annotated = await prisma.document.withDistance({ by, where: { title: expected[0]!.title } });
        expect(annotated.map((r) => r.distance)).toEqual([expected[0]!.d]);
        const cut = expected[1]!.d;
        const below = await prisma.document.nearest({ by, distance: { lte: cut } });
        expect(below.map((r) => r.title)).toEqual(expected.filter((r) => r.d <= cut).map((r) => r.title));
      }
    });
  });

  it('halfvec and bit columns with mapped names, a string id and a relation filter', async () => {
    const a = await prisma.item.createWithVectors({
      data: { label: 'a', tags: { create: [{ name: 'red' }] } },
      vectors: { half: [0.1, 2, 3], bits: '10110000' },
    });
    const b = await prisma.item.createWithVectors({
      data: { label: 'b', tags: { create: [{ name: 'blue' }] } },
      vectors: { half: [1, 1, 1], bits: '10111111' },
    });
    await prisma.item.createWithVectors({ data: { label: 'c' }, vectors: { half: [3, 2, 1], bits: '01001111' } });
    expect(typeof a.id).toBe('string');
    expect(
      await db().query('SELECT label, half_vec::text AS h, bits::text AS b FROM vecpg_items ORDER BY label'),
    ).toEqual([
      { label: 'a', h: '[0.099975586,2,3]', b: '10110000' },
      { label: 'b', h: '[1,1,1]', b: '10111111' },
      { label: 'c', h: '[3,2,1]', b: '01001111' },
    ]);
    const [read] = await prisma.item.findManyWithVectors({ where: { id: a.id }, vectors: ['half', 'bits'] });
    expect(read?.half).toEqual([0.0999755859375, 2, 3]);
    expect(read?.bits).toBe('10110000');

    const q = '10110001';
    for (const [by, op] of [
      [hammingDistance('bits', q), '<~>'],
      [jaccardDistance('bits', q), '<%>'],
    ] as const) {
      const expected = await db().query<{ label: string; d: number }>(
        `SELECT label, bits ${op} $1::bit(8) AS d FROM vecpg_items ORDER BY d, label`,
        [q],
      );
      const rows = await prisma.item.nearest({ by, select: { label: true } });
      expect(rows.map((r) => [r.label, r.distance])).toEqual(expected.map((r) => [r.label, r.d]));
    }
    const red = await prisma.item.nearest({
      by: hammingDistance('bits', q),
      where: { tags: { some: { name: 'red' } } },
      include: { tags: true },
    });
    expect(red.map((r) => [r.label, r.distance, r.tags.map((t) => t.name)])).toEqual([['a', 1, ['red']]]);
    const omitted = await prisma.item.nearest({ by: l2Distance('half', [1, 1, 1]), omit: { id: true }, take: 2 });
    expect(omitted.map((r) => [r.label, 'id' in r])).toEqual([
      ['b', false],
      ['c', false], // |[3,2,1] - [1,1,1]| = √5 < |[0.1,2,3] - [1,1,1]| ≈ 2.41
    ]);
    const half = await prisma.item.nearest({ by: l2Distance('half', [1, 1, 1]), take: 1, skip: 0 });
    expect(half.map((r) => r.id)).toEqual([b.id]);
    expect(half[0]!.distance).toBe(0);
  });

  it('refuses what pgvector would refuse, before any SQL runs', async () => {
    // @ts-expect-error 'nope' is not a vector field of Document
    await expectCode(prisma.document.nearest({ by: cosineDistance('nope', [1, 2, 3, 4]) }), 'INVALID_OPTION');
    await expectCode(prisma.document.nearest({ by: hammingDistance('embedding', '1010') }), 'UNSUPPORTED');
    await expectCode(prisma.document.nearest({ by: l2Distance('embedding', [1, 2, 3]) }), 'DIMENSION_MISMATCH');
    await expectCode(prisma.item.nearest({ by: hammingDistance('bits', '101') }), 'DIMENSION_MISMATCH');
    await expectCode(prisma.document.nearest({ by: l2Distance('embedding', [1, 2, 3, NaN]) }), 'NOT_FINITE');
    await expectCode(
      prisma.document.nearest({
        by: l2Distance('embedding', [1, 2, 3, 4]),
        exact: true,
        approximate: { efSearch: 10 },
      }),
      'INVALID_OPTION',
    );
    await expectCode(
      prisma.document.nearest({ by: l2Distance('embedding', [1, 2, 3, 4]), approximate: { efSearch: 0 } }),
      'INVALID_OPTION',
    );
    // @ts-expect-error Tag has no vector fields
    await expectCode(prisma.tag.nearest({ by: l2Distance('embedding', [1, 2, 3, 4]) }), 'INVALID_OPTION');
    // @ts-expect-error 'features' belongs to ScienceData
    await expectCode(prisma.document.setVectors({ data: { features: [1] } }), 'INVALID_OPTION');
  });

  it('inside an interactive transaction the methods use it (rolled back together, settings scoped to it)', async () => {
    const rollback = new Error('rollback');
    let seen: unknown;
    await expect(
      prisma.$transaction(async (tx) => {
        await tx.document.createWithVectors({
          data: { title: 'in-tx', category: 'tx' },
          vectors: { embedding: [9, 9, 9, 9] },
        });
        const rows = await tx.document.nearest({
          by: l2Distance('embedding', [9, 9, 9, 9]),
          take: 1,
          approximate: { efSearch: 77 },
        });
        expect(rows.map((r) => [r.title, r.distance])).toEqual([['in-tx', 0]]);
        seen = await tx.$queryRawUnsafe("SELECT current_setting('hnsw.ef_search') AS v");
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(seen).toEqual([{ v: '77' }]);
    expect(await prisma.document.count({ where: { title: 'in-tx' } })).toBe(0);
  });

  it('user values never become SQL text: a hostile where value is just a value', async () => {
    const hostile = `x'); DROP TABLE "Document"; --`;
    const rows = await prisma.document.nearest({
      by: l2Distance('embedding', [1, 0, 0, 0]),
      where: { title: hostile },
    });
    expect(rows).toEqual([]);
    expect(await prisma.document.count()).toBeGreaterThan(0);
  });

  describe('exact and approximate search with an IVFFlat index present', () => {
    const queries = [
      [0.11, 0.52, 0.33, 0.94],
      [0.9, 0.1, 0.5, 0.2],
      [0.4, 0.4, 0.4, 0.4],
      [0.05, 0.95, 0.7, 0.15],
      [0.6, 0.3, 0.05, 0.8],
    ];
    let all: Array<{ id: number; v: number[] }>;
    const truth = (q: number[], k: number) =>
      all
        .map((r) => ({ id: r.id, d: clientL2(r.v, q.map(Math.fround)) }))
        .sort((x, y) => x.d - y.d)
        .slice(0, k)
        .map((r) => r.id);

    beforeAll(async () => {
      let seed = 12345;
      const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const vectors = Array.from({ length: 3000 }, () => new Vector([rand(), rand(), rand(), rand()]).toSql());
      await db().query(
        `INSERT INTO "Document" (title, category, embedding) SELECT 'ann' || i, 'ann', v::vector FROM unnest($1::text[]) WITH ORDINALITY AS t(v, i)`,
        [vectors],
      );
      const idx = vectorIndexMigration({
        table: 'Document',
        column: 'embedding',
        type: 'vector',
        distance: 'l2',
        method: 'ivfflat',
        lists: 100,
      });
      await db().query(idx.up);
      await db().query('ANALYZE "Document"');
      const rows = await db().query<{ id: number; t: string }>(
        'SELECT id, embedding::text AS t FROM "Document" WHERE embedding IS NOT NULL',
      );
      all = rows.map((r) => ({ id: r.id, v: Vector.fromSql(r.t).toArray() }));
    });

    it('the approximate statement is served by the index, the exact one is not', async () => {
      const models = resolveConfig(config);
      const doc = models.get('Document')!;
      const explain = async (exact: boolean) => {
        const st = rankStatement(doc, doc.vectors.get('embedding')!, 'l2', queries[0]!, { exact, take: 10 });
        const rows = await db().query<{ 'QUERY PLAN': string }>(`EXPLAIN ${st.text}`, st.values);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      };
      expect(await explain(false)).toContain('Index Scan using "Document_embedding_ivfflat_l2_idx"');
      expect(await explain(true)).not.toContain('ivfflat');
    });

    it('exact (the default) returns the true top-k for every query', async () => {
      for (const q of queries) {
        const rows = await prisma.document.nearest({ by: l2Distance('embedding', q), take: 10, select: { id: true } });
        expect(rows.map((r) => r.id)).toEqual(truth(q, 10));
      }
    });

    it('approximate uses the index; probes applied with SET LOCAL change the answer and do not leak', async () => {
      let missed = 0;
      for (const q of queries) {
        const fast = await prisma.document.nearest({
          by: l2Distance('embedding', q),
          take: 10,
          approximate: { probes: 1 },
        });
        expect(fast.length).toBeLessThanOrEqual(10);
        missed += truth(q, 10).filter((id) => !fast.some((r) => r.id === id)).length;
        const thorough = await prisma.document.nearest({
          by: l2Distance('embedding', q),
          take: 10,
          approximate: { probes: 100 },
        });
        expect(thorough.map((r) => r.id)).toEqual(truth(q, 10));
      }
      // One probe of 100 lists misses true neighbours somewhere in five queries.
      expect(missed).toBeGreaterThan(0);
      const after = await prisma.$queryRawUnsafe<Array<{ p: string }>>("SELECT current_setting('ivfflat.probes') AS p");
      expect(after).toEqual([{ p: '1' }]);
    });

    it('exact: false with a Prisma where still returns only matching rows', async () => {
      const rows = await prisma.document.nearest({
        by: l2Distance('embedding', queries[1]!),
        take: 5,
        exact: false,
        where: { category: 'ann', title: { endsWith: '7' } },
      });
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(r.title.endsWith('7')).toBe(true);
    });
  });

  it('nearest() with a distance bound and no take returns every row under it (Django pattern 3), take limits it', async () => {
    await db().query(
      `INSERT INTO "Document" (title, embedding) SELECT 'near ' || i, ARRAY[i, 0, 0, 0]::vector FROM generate_series(1, 150) i`,
    );
    const count = await db().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Document" WHERE title LIKE 'near %' AND embedding <-> '[0,0,0,0]' < 135.5`,
    );
    expect(count[0]?.n).toBe(135);
    const where = { title: { startsWith: 'near ' } };
    const all = await prisma.document.nearest({
      by: l2Distance('embedding', [0, 0, 0, 0]),
      where,
      distance: { lt: 135.5 },
    });
    expect(all.map((r) => r.title)).toEqual(Array.from({ length: 135 }, (_, i) => `near ${i + 1}`));
    const some = await prisma.document.nearest({
      by: l2Distance('embedding', [0, 0, 0, 0]),
      where,
      distance: { lt: 135.5 },
      take: 7,
    });
    expect(some).toHaveLength(7);
  });
});

// What docs/prisma.md says of pglite-prisma-adapter as published: no savepoints, so no nested
// `$transaction`. vecpg's methods work on the client; on an interactive-transaction client they
// open a nested one, which this adapter refuses (the whole transaction then rolls back).
describe('vecpg/prisma on pglite-prisma-adapter 0.7.2 as published [pglite]', () => {
  let db: TestDb;
  let prisma: Client;
  beforeAll(async () => {
    db = await openTestDb('pglite');
    await applyMigrations(db);
    prisma = await openPrisma(db, plainPgliteAdapter);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.close();
  });

  it('works on the client, including SET LOCAL settings in its own transaction', async () => {
    await prisma.document.createWithVectors({ data: { title: 'plain' }, vectors: { embedding: [1, 2, 3, 4] } });
    const rows = await prisma.document.nearest({
      by: l2Distance('embedding', [1, 2, 3, 4]),
      take: 1,
      approximate: { efSearch: 77 },
    });
    expect(rows.map((r) => [r.title, r.distance])).toEqual([['plain', 0]]);
    expect(await prisma.$queryRawUnsafe("SELECT current_setting('hnsw.ef_search') AS v")).toEqual([{ v: '40' }]);
  });

  it('inside prisma.$transaction a vecpg method fails with P2028 and nothing is written', async () => {
    const error = await prisma
      .$transaction(async (tx) => {
        await tx.document.create({ data: { title: 'in-plain-tx' } });
        await tx.document.createWithVectors({ data: { title: 'in-plain-tx' }, vectors: { embedding: [1, 1, 1, 1] } });
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      );
    expect(error?.code).toBe('P2028');
    expect(error?.message).toContain('createSavepoint is not implemented');
    expect(await db.query('SELECT count(*)::int AS n FROM "Document" WHERE title = $1', ['in-plain-tx'])).toEqual([
      { n: 0 },
    ]);
  });
});
