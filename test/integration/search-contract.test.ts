/**
 * One search contract (issue 13): the same bad option gives the same VecpgError — code and message —
 * through `search()`, each ORM's `vectorSearch`, Knex's `applySimilarity` and Prisma's `nearest` (whose
 * `take` / `distance.lt` are its names for `k` / `maxDistance`). The CLI's side is in
 * test/cli/search-filters.test.ts.
 * A valid case per integration (an `ip` threshold below zero, which only inner product allows) is
 * compared with pgvector's own `<#>`.
 */
import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { EntitySchema, MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import knexFactory, { type Knex } from 'knex';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DataTypes, Sequelize } from 'sequelize';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hybridSearch, isVecpgError, rerankSearch, search, type SearchSettings } from 'vecpg';
import { vectorSearch as drizzleSearch, vector as drizzleVector } from 'vecpg/drizzle';
import { applySimilarity, knexPglite, vectorSearch as knexSearch, withVectorTypes } from 'vecpg/knex';
import { PgliteDialect, PgvectorPlugin, vectorSearch as kyselySearch } from 'vecpg/kysely';
import { mikroOrmPglite, vectorSearch as mikroSearch, vectorProperty } from 'vecpg/mikro-orm';
import { registerVectorTypes as registerPgTypes } from 'vecpg/pg';
import { pgvector } from 'vecpg/prisma';
import { VECTOR, vectorSearch as sequelizeSearch } from 'vecpg/sequelize';
import {
  VectorColumn,
  pgliteOptions,
  registerVectorTypes as registerTypeorm,
  vectorSearch as typeormSearch,
} from 'vecpg/typeorm';
import type { PrismaClient as GeneratedClient } from '../fixtures/prisma/generated/client.ts';
import { generate } from '../fixtures/prisma/generate.mjs';
import { describeEachTarget } from '../support/db.ts';
import { pgliteAdapter } from '../support/prisma-pglite.ts';

/** The contract's options, as a caller of any integration writes them. */
interface Contract {
  distance: string;
  likeId?: number;
  k?: unknown;
  maxDistance?: unknown;
  exact?: unknown;
  approximate?: unknown;
}

const QUERY = [1, 0, 0, 0];

/** The options with the query vector, unless they search by `likeId`. */
const withQuery = (o: Contract): object => (o.likeId === undefined ? { query: QUERY, ...o } : o);

/** The integrations whose vectorSearch takes likeId in this contract (Prisma's `nearest({ likeId })` has its own test: prisma-search-modes). */
const HAS_LIKE_ID = ['search()', 'drizzle', 'kysely', 'knex vectorSearch', 'typeorm', 'mikro-orm', 'sequelize'];

/** [case, options, code, message]: the message `search()` gives, in the library's option names. */
const CASES: ReadonlyArray<readonly [string, Contract, string, string]> = [
  ['k: 0', { distance: 'l2', k: 0 }, 'INVALID_OPTION', 'k must be an integer >= 1, got 0'],
  ['k: 1.5', { distance: 'l2', k: 1.5 }, 'INVALID_OPTION', 'k must be an integer >= 1, got 1.5'],
  ['k: "5"', { distance: 'l2', k: '5' }, 'INVALID_OPTION', 'k must be an integer >= 1, got "5"'],
  [
    'maxDistance: NaN',
    { distance: 'l2', maxDistance: Number.NaN },
    'INVALID_OPTION',
    'maxDistance must be a finite number, got NaN',
  ],
  [
    'maxDistance: Infinity',
    { distance: 'l2', maxDistance: Infinity },
    'INVALID_OPTION',
    'maxDistance must be a finite number, got Infinity',
  ],
  [
    'maxDistance: -0.5 on cosine',
    { distance: 'cosine', maxDistance: -0.5 },
    'INVALID_OPTION',
    'maxDistance must be >= 0 for cosine distance (it is never negative), got -0.5',
  ],
  [
    'exact: true with approximate',
    { distance: 'l2', exact: true, approximate: { efSearch: 40 } },
    'INVALID_OPTION',
    'exact: true contradicts approximate settings; drop one of them',
  ],
  [
    'approximate: { efSearch: 0 }',
    { distance: 'l2', approximate: { efSearch: 0 } },
    'INVALID_OPTION',
    'efSearch (hnsw.ef_search) must be an integer from 1 to 1000, got 0',
  ],
  [
    'distance: "euclid"',
    { distance: 'euclid' },
    'INVALID_OPTION',
    'unknown distance "euclid"; expected one of l2, ip, cosine, l1, hamming, jaccard',
  ],
];

@Entity('docs')
class Doc {
  @PrimaryColumn({ type: 'int' }) id!: number;
  @Column({ type: 'text' }) title!: string;
  @VectorColumn(4) embedding!: number[];
}

const docs = pgTable('docs', {
  id: integer('id').primaryKey(),
  title: text('title').notNull(),
  embedding: drizzleVector('embedding', { dimensions: 4 }),
});

interface DocRow {
  id: number;
  title: string;
  embedding: number[];
}
const DocSchema = new EntitySchema<DocRow>({
  name: 'Doc',
  tableName: 'docs',
  properties: {
    id: { type: 'number', primary: true },
    title: { type: 'string' },
    embedding: vectorProperty('vector', 4),
  },
});

/** Prisma's names for the contract's options: `take`, `distance: { lt }`, `by: <distance>(field, value)`. */
function prismaArgs(o: Contract): Record<string, unknown> {
  return {
    by: { field: 'embedding', distance: o.distance, to: QUERY },
    ...(o.k === undefined ? {} : { take: o.k }),
    ...(o.maxDistance === undefined ? {} : { distance: { lt: o.maxDistance } }),
    ...(o.exact === undefined ? {} : { exact: o.exact }),
    ...(o.approximate === undefined ? {} : { approximate: o.approximate }),
  };
}

type Runner = (o: Contract) => Promise<ReadonlyArray<number>>;

describeEachTarget('one search contract across integrations', (db, target) => {
  const runners = new Map<string, Runner>();
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    await db().query('CREATE TABLE docs (id int PRIMARY KEY, title text NOT NULL, embedding vector(4))');
    await db().query(
      "INSERT INTO docs SELECT i, 'doc ' || i, ARRAY[cos(i), sin(i), i % 3, 1]::vector FROM generate_series(1, 40) i",
    );
    await db().query(
      'CREATE TABLE "Document" (id serial PRIMARY KEY, title text NOT NULL, category text NOT NULL DEFAULT \'general\', embedding vector(4))',
    );
    await db().query('INSERT INTO "Document" (title, embedding) SELECT title, embedding FROM docs ORDER BY id');
    const base = { table: 'docs', column: 'embedding' } as const;
    const ids = (rows: ReadonlyArray<Record<string, unknown>>) => rows.map((r) => Number(r.id));

    runners.set('search()', async (o) => ids(await search(db(), { ...base, ...withQuery(o) } as never)));

    const drizzle =
      target === 'pglite' ? drizzlePglite({ client: db().raw as PGlite }) : drizzlePg({ client: db().raw as pg.Pool });
    runners.set('drizzle', async (o) =>
      ids(await drizzleSearch(drizzle, { table: docs, column: docs.embedding, ...withQuery(o) } as never)),
    );

    interface Database {
      docs: DocRow;
    }
    let kysely: Kysely<Database>;
    if (target === 'pglite') {
      kysely = new Kysely<Database>({
        dialect: new PgliteDialect({ pglite: db().raw as PGlite }),
        plugins: [new PgvectorPlugin()],
      });
    } else {
      const pool = new pg.Pool({ connectionString: db().url, max: 2 });
      await registerPgTypes(pool);
      kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new PgvectorPlugin()] });
      closers.push(() => kysely.destroy());
    }
    runners.set('kysely', async (o) => ids(await kyselySearch(kysely, { ...base, ...withQuery(o) } as never)));

    const knex: Knex =
      target === 'pglite'
        ? await knexPglite(db().raw as PGlite)
        : knexFactory(withVectorTypes({ client: 'pg', connection: db().url!, pool: { min: 0, max: 2 } }));
    if (target === 'server') closers.push(() => knex.destroy());
    runners.set('knex vectorSearch', async (o) => ids(await knexSearch(knex, { ...base, ...withQuery(o) } as never)));
    // applySimilarity adds to the caller's query and has no exact/approximate of its own.
    runners.set('knex applySimilarity', async (o) => {
      const { exact: _e, approximate, ...similarity } = o;
      if (approximate !== undefined || _e !== undefined) return [];
      const q = knex('docs').select('id');
      const rows = (await applySimilarity(q, knex, {
        column: 'embedding',
        query: QUERY,
        ...(similarity as object),
      } as never)) as unknown as Array<Record<string, unknown>>;
      return ids(rows);
    });

    const typeormBase =
      target === 'server' ? { type: 'postgres' as const, url: db().url! } : pgliteOptions(db().raw as PGlite);
    const ds = registerTypeorm(new DataSource({ ...typeormBase, entities: [Doc] }));
    await ds.initialize();
    if (target === 'server') closers.push(() => ds.destroy());
    runners.set('typeorm', async (o) =>
      (await typeormSearch(ds.getRepository(Doc), { column: 'embedding', ...withQuery(o) } as never)).map(
        (h) => h.entity.id,
      ),
    );

    const conn =
      target === 'pglite'
        ? await mikroOrmPglite(db().raw as PGlite)
        : { driver: PostgreSqlDriver, clientUrl: db().url! };
    const orm = await MikroORM.init({ ...conn, entities: [DocSchema], allowGlobalContext: false, debug: false });
    if (target === 'server') closers.push(() => orm.close());
    runners.set('mikro-orm', async (o) =>
      (await mikroSearch(orm.em.fork(), DocSchema, { column: 'embedding', ...withQuery(o) } as never)).map(
        (h) => h.entity.id,
      ),
    );

    // Sequelize talks to PostgreSQL through pg only: it is part of the server target.
    if (target === 'server') {
      const sequelize = new Sequelize(db().url!, { dialect: 'postgres', logging: false });
      closers.push(() => sequelize.close());
      const DocModel = sequelize.define(
        'Doc',
        { title: DataTypes.TEXT, embedding: { type: VECTOR(4) } },
        { tableName: 'docs', timestamps: false },
      );
      runners.set('sequelize', async (o) =>
        (await sequelizeSearch(DocModel, { column: 'embedding', ...withQuery(o) } as never)).map((h) =>
          Number(h.instance.get('id')),
        ),
      );
    }

    await generate();
    const { PrismaClient } = (await import('../fixtures/prisma/generated/client.ts')) as {
      PrismaClient: typeof GeneratedClient;
    };
    const adapter =
      target === 'server' ? new PrismaPg({ connectionString: db().url! }) : pgliteAdapter(db().raw as PGlite);
    const prisma = new PrismaClient({ adapter }).$extends(
      pgvector({ Document: { vectors: { embedding: { type: 'vector', dimensions: 4 } } } }),
    );
    closers.push(() => prisma.$disconnect());
    runners.set('prisma nearest', async (o) =>
      (await prisma.document.nearest(prismaArgs(o) as never)).map((r) => Number((r as { id: number }).id)),
    );
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  /** The message in Prisma's names: take for k, distance.lt for maxDistance. */
  const inPrismaTerms = (message: string) =>
    message.replace(/^k must/, 'take must').replace(/^maxDistance must/, 'distance.lt must');

  it.each(CASES)('%s: the same code and message everywhere', async (_, options, code, message) => {
    expect(runners.size).toBe(target === 'server' ? 9 : 8);
    for (const [name, run] of runners) {
      if (name === 'knex applySimilarity' && (options.exact !== undefined || options.approximate !== undefined))
        continue;
      let thrown: unknown;
      try {
        await run(options);
      } catch (error) {
        thrown = error;
      }
      expect(isVecpgError(thrown), `${name}: ${String(thrown)}`).toBe(true);
      const error = thrown as { code: string; message: string };
      expect([name, error.code]).toEqual([name, code]);
      expect([name, error.message]).toEqual([name, name === 'prisma nearest' ? inPrismaTerms(message) : message]);
    }
  });

  it('a threshold below zero is valid for ip (negative inner product) and matches pgvector', async () => {
    const expected = await db().query<{ id: number }>(
      "SELECT id FROM docs WHERE embedding <#> '[1,0,0,0]' < -0.5 ORDER BY embedding <#> '[1,0,0,0]', id",
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(40);
    const want = expected.map((r) => Number(r.id)).sort((a, b) => a - b);
    for (const [name, run] of runners) {
      const got = [...(await run({ distance: 'ip', maxDistance: -0.5 }))];
      // (Prisma reads the "Document" copy: the same vectors, serial ids in the same order.)
      expect([name, got.sort((a, b) => a - b)]).toEqual([name, want]);
    }
    // approximate settings are accepted by every integration that has them
    const settings: SearchSettings = { efSearch: 100 };
    for (const [name, run] of runners) {
      if (name === 'knex applySimilarity') continue;
      const got = [...(await run({ distance: 'ip', maxDistance: -0.5, approximate: settings }))];
      expect([name, got.sort((a, b) => a - b)]).toEqual([name, want]);
    }
  });

  it('likeId: every helper that has it returns what pgvector says by hand, without the row itself', async () => {
    for (const [distance, op] of [
      ['l2', '<->'],
      ['cosine', '<=>'],
      ['ip', '<#>'],
    ] as const) {
      for (const likeId of [3, 40]) {
        const expected = await db().query<{ id: number }>(
          `SELECT id FROM docs WHERE id <> $1 ORDER BY embedding ${op} (SELECT embedding FROM docs WHERE id = $1), id LIMIT 6`,
          [likeId],
        );
        const want = expected.map((r) => Number(r.id));
        expect(want).toHaveLength(6);
        for (const name of HAS_LIKE_ID) {
          const run = runners.get(name);
          if (run === undefined) continue; // sequelize: server only
          expect([name, distance, likeId, [...(await run({ distance, likeId, k: 6 }))]]).toEqual([
            name,
            distance,
            likeId,
            want,
          ]);
        }
      }
    }
    // a threshold and the approximate path
    const near = await db().query<{ id: number }>(
      'SELECT id FROM docs WHERE id <> 7 AND embedding <-> (SELECT embedding FROM docs WHERE id = 7) < 1.5 ORDER BY id',
    );
    for (const name of HAS_LIKE_ID) {
      const run = runners.get(name);
      if (run === undefined) continue;
      const got = [...(await run({ distance: 'l2', likeId: 7, maxDistance: 1.5, approximate: { efSearch: 100 } }))];
      expect([name, got.sort((a, b) => a - b)]).toEqual([name, near.map((r) => Number(r.id))]);
    }
  });

  it('likeId errors are the same everywhere: a missing row, a NULL vector, query and likeId together', async () => {
    await db().query('INSERT INTO docs VALUES (1000, $1, NULL)', ['no vector']);
    try {
      for (const name of HAS_LIKE_ID) {
        const run = runners.get(name);
        if (run === undefined) continue;
        const missing = await run({ distance: 'l2', likeId: 4242 }).catch((e: unknown) => e);
        expect([name, isVecpgError(missing) && missing.code]).toEqual([name, 'NOT_FOUND']);
        expect((missing as Error).message).toMatch(
          /^likeId: no row of docs has id = 4242 \(is the id in another column\? name it with idColumn\)$/,
        );
        const nullVector = await run({ distance: 'l2', likeId: 1000 }).catch((e: unknown) => e);
        expect([name, isVecpgError(nullVector) && nullVector.message]).toEqual([
          name,
          'likeId: the row of docs with id = 1000 has no embedding (NULL)',
        ]);
        const both = await run({ distance: 'l2', likeId: 1, query: QUERY } as Contract).catch((e: unknown) => e);
        expect([name, isVecpgError(both) && both.message]).toEqual([
          name,
          'give query or likeId, not both: likeId takes the stored row as the query',
        ]);
      }
    } finally {
      await db().query('DELETE FROM docs WHERE id = 1000');
    }
  });

  it('hybridSearch and rerankSearch check k and the distance with the same validator', async () => {
    const base = { table: 'docs', column: 'embedding', query: QUERY } as const;
    for (const [options, message] of [
      [{ distance: 'l2', k: 0 }, 'k must be an integer >= 1, got 0'],
      [{ distance: 'l2', k: 1.5 }, 'k must be an integer >= 1, got 1.5'],
      [{ distance: 'euclid' }, 'unknown distance "euclid"; expected one of l2, ip, cosine, l1, hamming, jaccard'],
    ] as const) {
      const hybrid = await hybridSearch(db(), { ...base, ...options, textColumn: 'title', text: 'doc' } as never).catch(
        (e: unknown) => e,
      );
      const rerank = await rerankSearch(db(), { ...base, ...options, rerank: { using: 'binary' } } as never).catch(
        (e: unknown) => e,
      );
      for (const error of [hybrid, rerank]) {
        expect(isVecpgError(error) && [error.code, error.message]).toEqual(['INVALID_OPTION', message]);
      }
    }
  });
});
