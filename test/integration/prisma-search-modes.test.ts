/**
 * Prisma's `nearest` with `likeId`, `rerank` and `exact: 'certified'`, and the `hybridSearch` model method,
 * against independent answers (plain SQL with pgvector's operators and PostgreSQL's full-text functions,
 * fused or compared here; test/support/search-modes.ts), with Prisma's own `where`/`select`, the quantized
 * indexes of `vectorIndexMigration({ quantize })` serving the candidate stage (EXPLAIN of the statement
 * Prisma ran), and the core's errors for bad options.
 */
import { readFile } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { isVecpgError } from 'vecpg';
import {
  certifiedColumnsMigration,
  cosineDistance,
  l2Distance,
  pgvector,
  vectorExtensionMigration,
  vectorIndexMigration,
} from 'vecpg/prisma';
import { beforeAll, expect, it } from 'vitest';
import type { PrismaClient as GeneratedClient } from '../fixtures/prisma/generated/client.ts';
import { generate } from '../fixtures/prisma/generate.mjs';
import { certifiedCases } from '../support/certified-cases.ts';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { explainScansWithoutSeqScan } from '../support/explain.ts';
import { pgliteAdapter } from '../support/prisma-pglite.ts';
import { randomArray, seededRandom } from '../support/random.ts';
import { exactTruth, expectFused, expectTwoStage, hybridTruth, lit, paragraphs } from '../support/search-modes.ts';

const MIGRATIONS = new URL('../fixtures/prisma/migrations/', import.meta.url);
const config = { Document: { vectors: { embedding: { type: 'vector', dimensions: 4 } } } } as const;
const DIMS = 4;
/** The certified prefix form on this 4-d data, and the four certified searches the test runs. */
const PREFIX_LAYOUT = { form: 'prefix', prefix: 2 } as const;
const PREFIX_SEARCH = { ...PREFIX_LAYOUT, candidates: 100 } as const;
const CERTIFIED_CASES = certifiedCases(PREFIX_SEARCH);

const executed: Array<{ text: string; values: unknown[] }> = [];

async function openPrisma(db: TestDb) {
  await generate();
  const { PrismaClient } = (await import('../fixtures/prisma/generated/client.ts')) as {
    PrismaClient: typeof GeneratedClient;
  };
  const adapter =
    db.target === 'server' ? new PrismaPg({ connectionString: db.url! }) : pgliteAdapter(db.raw as PGlite);
  // Every raw statement vecpg sends, recorded by a query extension below vecpg's.
  return new PrismaClient({ adapter })
    .$extends({
      query: {
        $queryRawUnsafe({ args, query }) {
          const [text, ...values] = args as unknown as [string, ...unknown[]];
          executed.push({ text, values });
          return query(args);
        },
      },
    })
    .$extends(pgvector(config));
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isVecpgError(error) ? error.code : `not a VecpgError: ${String(error)}`;
  }
  return 'resolved';
}

describeEachTarget('prisma: likeId, two-stage, certified and hybrid search', (db) => {
  const rand = seededRandom(13);
  const texts = paragraphs();
  const vectors = texts.map(() => randomArray(rand, DIMS).map((x) => Math.fround(x)));
  const query = randomArray(rand, DIMS).map((x) => Math.fround(x));
  let prisma: Awaited<ReturnType<typeof openPrisma>>;
  const names = { binary: '', halfvec: '' };

  beforeAll(async () => {
    await db().query(vectorExtensionMigration().up);
    for (const m of ['20250101000000_init', '20250101000001_vector']) {
      for (const statement of (await readFile(new URL(`${m}/migration.sql`, MIGRATIONS), 'utf8')).split(/;\s*$/m)) {
        const sql = statement.replace(/^--.*$/gm, '').trim();
        if (sql !== '') await db().query(sql);
      }
    }
    for (let i = 0; i < texts.length; i += 100) {
      const chunk = texts.slice(i, i + 100);
      await db().query(
        `INSERT INTO "Document" (id, title, category, embedding) VALUES ${chunk.map((_, j) => `($${4 * j + 1}::int, $${4 * j + 2}, $${4 * j + 3}, $${4 * j + 4}::vector)`).join(', ')}`,
        chunk.flatMap((t, j) => [i + j + 1, t, String((i + j + 1) % 3), lit(vectors[i + j]!)]),
      );
    }
    for (const using of ['binary', 'halfvec'] as const) {
      const index = vectorIndexMigration({
        table: 'Document',
        column: 'embedding',
        type: 'vector',
        distance: 'l2',
        dimensions: DIMS,
        quantize: using,
      });
      expect(index.schema).toMatch(/^\/\/ /);
      names[using] = index.name;
      await db().query(index.up);
    }
    for (const layout of [{}, PREFIX_LAYOUT]) {
      const certified = certifiedColumnsMigration('Document', 'embedding', DIMS, ['l2', 'cosine'], layout);
      await db().query(certified.up);
    }
    prisma = await openPrisma(db());
  }, 120_000);

  it('likeId: the stored row is the query, left out, with Prisma where (one statement, the subquery)', async () => {
    const rows = await prisma.document.nearest({
      by: cosineDistance('embedding'),
      likeId: 5,
      where: { category: '1' },
      take: 6,
    });
    const truth = await db().query<{ id: number; d: number }>(
      `SELECT id, embedding <=> (SELECT embedding FROM "Document" WHERE id = 5) AS d FROM "Document"
       WHERE id <> 5 AND category = '1' ORDER BY d, id LIMIT 6`,
    );
    expect(rows.map((r) => r.id)).toEqual(truth.map((r) => r.id));
    rows.forEach((r, i) => expect(r.distance).toBeCloseTo(Number(truth[i]!.d), 6));
    expect(rows.every((r) => typeof r.title === 'string' && r.category === '1')).toBe(true);
    expect(await code(prisma.document.nearest({ by: cosineDistance('embedding'), likeId: 999_999, take: 3 }))).toBe(
      'NOT_FOUND',
    );
    expect(await code(prisma.document.nearest({ by: cosineDistance('embedding', query), likeId: 5 }))).toBe(
      'INVALID_OPTION',
    );
    expect(await code(prisma.document.nearest({ by: cosineDistance('embedding') }))).toBe('INVALID_OPTION');
  });

  it('rerank with candidates >= rows equals the exact search; with fewer, the two-stage answer (Prisma where, select)', async () => {
    const plain = await prisma.document.nearest({ by: l2Distance('embedding', query), take: 10 });
    const all = await prisma.document.nearest({
      by: l2Distance('embedding', query),
      take: 10,
      rerank: { using: 'binary', candidates: texts.length },
    });
    const truth = await exactTruth(db(), 'Document', query, 'l2', 10);
    expect(all.map((r) => r.id)).toEqual(truth.map((r) => r.id));
    expect(all).toEqual(plain);
    for (const using of ['binary', 'halfvec'] as const) {
      const rows = await prisma.document.nearest({
        by: l2Distance('embedding', query),
        where: { category: '1' },
        select: { id: true, category: true },
        take: 8,
        rerank: { using, candidates: 20 },
      });
      expect(rows.every((r) => r.category === '1' && Object.keys(r).sort().join() === 'category,distance,id')).toBe(
        true,
      );
      await expectTwoStage(db(), 'Document', rows, {
        query,
        distance: 'l2',
        using,
        candidates: 20,
        k: 8,
        category: 1,
        dims: DIMS,
      });
    }
  });

  it('the candidate stage is served by the quantized index (EXPLAIN of the statement Prisma ran)', async () => {
    for (const using of ['binary', 'halfvec'] as const) {
      executed.length = 0;
      await prisma.document.nearest({ by: l2Distance('embedding', query), take: 5, rerank: { using, candidates: 40 } });
      const statement = executed.find((q) => q.text.includes(using === 'binary' ? 'binary_quantize' : '::halfvec('))!;
      const report = await explainScansWithoutSeqScan(db(), statement.text, statement.values);
      expect(report.indexes).toEqual([names[using]]);
    }
  });

  it("exact: 'certified' returns the exact top-k (Prisma where, vectors) with its certificate", async () => {
    for (const [distance, certified] of CERTIFIED_CASES) {
      const by = distance === 'l2' ? l2Distance('embedding', query) : cosineDistance('embedding', query);
      const rows = await prisma.document.nearest({
        by,
        where: { NOT: { category: '0' } },
        take: 7,
        exact: 'certified',
        ...(certified && { certified }),
        vectors: ['embedding'],
      });
      const expected = (await exactTruth(db(), 'Document', query, distance, 400))
        .filter((r) => r.id % 3 !== 0)
        .slice(0, 7);
      expect(rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      rows.forEach((r, i) => expect(r.distance).toBeCloseTo(expected[i]!.distance, 5));
      rows.forEach((r) => expect(r.embedding).toEqual(vectors[r.id - 1]));
      expect(rows.certificate.proven).toBe(true);
      // the form asked for: its first try's N (half form: max(40, 4k)), grown ×4 per try
      expect(rows.certificate.candidates).toBe((certified?.candidates ?? 40) * 4 ** (rows.certificate.tries - 1));
    }
    expect(
      await code(prisma.document.nearest({ by: l2Distance('embedding', query), exact: 'certified', skip: 2 })),
    ).toBe('INVALID_OPTION');
    expect(
      await code(
        prisma.document.nearest({ by: l2Distance('embedding', query), exact: 'certified', distance: { gt: 0.1 } }),
      ),
    ).toBe('INVALID_OPTION');
  });

  it('hybridSearch equals the two lists fused independently, with Prisma where, weights and candidates', async () => {
    const words = 'exact search index';
    const rows = await prisma.document.hybridSearch({
      by: cosineDistance('embedding', query),
      text: words,
      textField: 'title',
      where: { category: '2' },
      take: 12,
      candidates: { vector: 30, text: 6 },
      weights: { vector: 1, text: 2 },
    });
    const expected = await hybridTruth(db(), 'Document', {
      query,
      distance: 'cosine',
      words,
      k: 12,
      vectorCandidates: 30,
      textCandidates: 6,
      weights: { vector: 1, text: 2 },
      category: 2,
      textColumn: 'title',
    });
    expectFused(rows, expected);
    expect(rows.some((r) => r.textRank === null) && rows.some((r) => r.vectorRank === null)).toBe(true);
    expect(rows.every((r) => r.category === '2' && typeof r.title === 'string')).toBe(true);
    const none = await prisma.document.hybridSearch({
      by: l2Distance('embedding', query),
      text: 'the of and',
      textField: 'title',
      take: 4,
    });
    expect(none.note).toContain('no searchable words');
    expect(none.map((r) => r.id)).toEqual((await exactTruth(db(), 'Document', query, 'l2', 4)).map((r) => r.id));
  });

  it('bad options give the core errors', async () => {
    const by = l2Distance('embedding', query);
    expect(await code(prisma.document.nearest({ by, rerank: { using: 'bits' as never } }))).toBe('INVALID_OPTION');
    expect(await code(prisma.document.nearest({ by, take: 50, rerank: { using: 'binary', candidates: 10 } }))).toBe(
      'INVALID_OPTION',
    );
    expect(await code(prisma.document.nearest({ by, exact: true, rerank: { using: 'binary' } }))).toBe(
      'INVALID_OPTION',
    );
    expect(await code(prisma.document.nearest({ by, distance: { lt: 1 }, rerank: { using: 'binary' } }))).toBe(
      'INVALID_OPTION',
    );
    expect(await code(prisma.document.nearest({ by: l2Distance('embedding', [1, 2, 3]), exact: 'certified' }))).toBe(
      'DIMENSION_MISMATCH',
    );
    expect(await code(prisma.document.nearest({ by: { ...by, distance: 'l1' }, exact: 'certified' }))).toBe(
      'CERTIFIED_SCHEMA_MISSING',
    );
    expect(await code(prisma.document.hybridSearch({ by, text: 'x', textField: 'id' }))).toBe('INVALID_OPTION');
    expect(await code(prisma.document.hybridSearch({ by, text: 'x' }))).toBe('INVALID_OPTION');
  });
});
