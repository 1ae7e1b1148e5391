/**
 * Every integration guide is a complete program that runs verbatim (issue 17): its marked code blocks
 * (see test/support/guides.ts) become a project in a temporary directory with the packed vecpg, which
 * must type-check under `strict` + `noUncheckedIndexedAccess` and print exactly the guide's output block
 * on a fresh embedded PGlite (where the guide installs it) and on a fresh server database without the
 * extension. The printed walkthrough is also checked against values computed here, independently of vecpg,
 * and the server database afterwards against the catalog (STORAGE MAIN, the index).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServerDatabase } from '../support/db.ts';
import {
  type GuideProject,
  createProject,
  packedVecpg,
  readGuide,
  removePackedVecpg,
  runMain,
  typecheck,
} from '../support/guides.ts';

/** Every integration guide, and the driver page: each is a whole program. */
const GUIDES = [
  'docs/kysely.md',
  'docs/drizzle.md',
  'docs/knex.md',
  'docs/mikro-orm.md',
  'docs/sequelize.md',
  'docs/typeorm.md',
  'docs/drivers.md',
  'docs/prisma.md',
];

/**
 * The exceptions to `skipLibCheck: false`, hosts whose own declarations do not compile for a user:
 * - PGlite's need `@types/emscripten` (a devDependency of PGlite, so a user's install lacks it) and the
 *   DOM library (WebAssembly, IndexedDB);
 * - drizzle-orm's include its gel and MySQL builders, which need the `gel` package and fail TypeScript 5.9's
 *   checks (TS2420/TS2344 inside drizzle-orm/mysql-core).
 * Errors inside them are not the guide's; any error elsewhere, including in every other host's
 * declarations and vecpg's, fails.
 */
const HOST_DECLARATIONS = /node_modules\/(@electric-sql\/pglite|drizzle-orm)\/[^(]*\.d\.ts\(\d+,\d+\): error TS/;

const SERVER = process.env.DATABASE_URL !== undefined;

const cosine = (u: Record<number, number>, v: Record<number, number>) => {
  const keys = new Set([...Object.keys(u), ...Object.keys(v)].map(Number));
  let dot = 0;
  let nu = 0;
  let nv = 0;
  for (const k of keys) {
    const a = Math.fround(u[k] ?? 0);
    const b = Math.fround(v[k] ?? 0);
    dot += a * b;
    nu += a * a;
    nv += b * b;
  }
  return 1 - dot / Math.sqrt(nu * nv);
};

/** The walkthrough's data (Samples A–C, the target, the one document) and what any correct run prints about it. */
function expectedWalkthrough(): string[] {
  const target = { 0: 5.1, 42: 1.0 };
  const samples: [string, Record<number, number>][] = [
    ['Sample A', { 0: 5.5, 42: 1.2 }],
    ['Sample B', { 0: 1, 42: 5 }],
    ['Sample C', { 7: 3 }],
  ];
  const scored = samples.map(([name, f]) => ({ name, d: cosine(f, target) })).sort((a, b) => a.d - b.d);
  const doc = [0.5, 0.2, 0.9, 0.3].map(Math.fround);
  const innerProduct = -doc.reduce((s, x) => s + x * x, 0);
  return [
    `ordered: ${scored.map((s) => s.name).join(', ')}`,
    `annotated: ${samples.map(([name, f]) => `${name} ${cosine(f, target).toFixed(4)}`).join(', ')}`,
    `similar: ${scored
      .filter((s) => s.d < 0.2)
      .map((s) => s.name)
      .join(', ')}`,
    `distances: l2 0.0000, inner product ${innerProduct.toFixed(4)}, l1 0.0000`,
    `exact: ${scored
      .slice(0, 2)
      .map((s) => s.name)
      .join(', ')}`,
    `approximate: ${scored
      .slice(0, 2)
      .map((s) => s.name)
      .join(', ')}`,
    // pgvector's text is 1-based: key k is written k + 1.
    `Sample A is stored as {${0 + 1}:5.5,${42 + 1}:1.2}/10000`,
  ];
}

const withoutTrailing = (s: string) => s.replace(/[ \t]+$/gm, '').replace(/\n+$/, '');

/** tsc's diagnostics, one entry per error (continuation lines are indented). */
const diagnostics = (out: string) =>
  out
    .split(/\n(?=\S)/)
    .map((d) => d.trimEnd())
    .filter((d) => d !== '');

const guides = await Promise.all(GUIDES.map(readGuide));

// Child processes queue for a core each (test/support/guides.ts), and a test's time includes its wait:
// on a loaded machine a guide can wait minutes without anything being wrong.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

beforeAll(async () => {
  await packedVecpg();
});
afterAll(async () => {
  await removePackedVecpg();
});

// Guides run side by side: each is child processes (tsc, tsx) and its own databases.
describe.concurrent.each(guides)('$doc', (guide) => {
  const { doc } = guide;
  let project: GuideProject | undefined;
  const ready = () => {
    if (!project) throw new Error('project not created');
    return project;
  };
  beforeAll(async () => {
    project = await createProject(guide);
  });
  afterAll(async () => {
    // VECPG_KEEP_GUIDES=1 keeps the projects in the temporary directory, to rerun tsc or tsx by hand.
    if (!process.env.VECPG_KEEP_GUIDES) await project?.remove();
  });

  it('shows the walkthrough values a correct run prints', () => {
    const lines = guide.output.split('\n');
    for (const line of expectedWalkthrough()) expect(lines, `${doc}'s output block`).toContain(line);
  });

  it('type-checks strictly', async () => {
    // A guide may show its own tsconfig.json (TypeORM's decorators), but not a laxer one.
    const { compilerOptions } = JSON.parse(await readFile(join(ready().dir, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: Record<string, unknown>;
    };
    expect(compilerOptions).toMatchObject({ strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false });
    const r = await typecheck(ready());
    const errors = diagnostics(r.stdout + r.stderr).filter((d) => !HOST_DECLARATIONS.test(d));
    expect(errors, `tsc in ${ready().dir}`).toEqual([]);
  });

  if (guide.pglite)
    it('prints its output block on a fresh embedded PGlite', async () => {
      const r = await runMain(ready(), undefined);
      expect(r.stderr, 'stderr').toBe('');
      expect(withoutTrailing(r.stdout)).toBe(withoutTrailing(guide.output));
      expect(r.code).toBe(0);
    });

  it.runIf(SERVER)(
    'prints its output block on a fresh server database without the extension (needs DATABASE_URL)',
    async () => {
      const server = await createServerDatabase({ extension: false });
      try {
        const r = await runMain(ready(), server.url);
        expect(r.stderr, 'stderr').toBe('');
        expect(withoutTrailing(r.stdout)).toBe(withoutTrailing(guide.output));
        expect(r.code).toBe(0);
        const pg = (await import('pg')).default;
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        try {
          // Every pgvector column the guide created keeps its vectors in the row, dense and sparse alike.
          const { rows: columns } = await client.query<{ col: string; storage: string }>(
            `SELECT c.relname || '.' || a.attname AS col, a.attstorage::text AS storage
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
              AND t.typname IN ('vector', 'halfvec', 'sparsevec')`,
          );
          expect(columns.length).toBeGreaterThan(0);
          expect(columns.filter((c) => c.storage !== 'm')).toEqual([]);
          const { rows: indexes } = await client.query<{ def: string }>(
            `SELECT indexdef AS def FROM pg_indexes WHERE schemaname = 'public' AND indexdef ~ 'USING (hnsw|ivfflat)'`,
          );
          expect(indexes.length).toBeGreaterThan(0);
        } finally {
          await client.end();
        }
      } finally {
        await server.drop();
      }
    },
  );
});

// SQL a guide tells you to paste from a helper is that helper's output, so the helper and the page cannot drift.
describe('SQL the guides paste from vecpg', () => {
  const file = (doc: string, path: string) => {
    const guide = guides.find((g) => g.doc === doc);
    const text = guide?.files.get(path);
    if (text === undefined) throw new Error(`${doc} has no ${path}`);
    return text;
  };
  it('docs/prisma.md: the extension, storage and index statements and the @@index line', async () => {
    const prisma = await import('vecpg/prisma');
    const index = prisma.vectorIndexMigration({
      table: 'ScienceData',
      column: 'features',
      type: 'sparsevec',
      distance: 'cosine',
    });
    expect(file('docs/prisma.md', 'prisma/migrations/20250101000000_vector/migration.sql')).toContain(
      prisma.vectorExtensionMigration().up,
    );
    const init = file('docs/prisma.md', 'prisma/migrations/20250101000001_init/migration.sql');
    for (const statement of [
      prisma.vectorStorageMigration('Document', 'embedding').up,
      prisma.vectorStorageMigration('ScienceData', 'features').up,
      index.up,
    ])
      expect(init).toContain(statement);
    expect(file('docs/prisma.md', 'prisma/schema.prisma')).toContain(index.schema);
  });
  it('docs/drizzle.md: the extension migration', async () => {
    const { vectorExtensionMigration } = await import('vecpg/drizzle');
    expect(file('docs/drizzle.md', 'drizzle/0000_pgvector.sql')).toContain(vectorExtensionMigration());
  });
});
