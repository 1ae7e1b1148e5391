/**
 * vecpg/knex in Knex's migrator: the extension up/down (idempotent, reversible) with the version
 * check, and HNSW / IVFFlat indexes with every operator class of pgvector's table, which a second
 * `migrate.latest()` leaves untouched (same index, same opclass, same OID).
 */
import type { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type CreateIndexOptions,
  createVectorExtension,
  createVectorIndex,
  dropVectorExtension,
  dropVectorIndex,
  formatVectorRow,
  knexPglite,
  pgvectorInfo,
  requirePgvector,
  vectorColumn,
  withVectorTypes,
} from 'vecpg/knex';
import { type TestDb, describeEachTarget } from '../support/db.ts';

async function knexFor(t: TestDb): Promise<Knex> {
  if (t.target === 'pglite') return knexPglite(t.raw as PGlite);
  return knexFactory(withVectorTypes({ client: 'pg', connection: t.url!, pool: { min: 0, max: 4 } }));
}

interface Migration {
  up(knex: Knex): Promise<unknown>;
  down(knex: Knex): Promise<unknown>;
}

/** Knex's migrationSource interface over an in-memory list. */
function source(migrations: Record<string, Migration>): Knex.MigrationSource<string> {
  return {
    getMigrations: async () => Object.keys(migrations),
    getMigrationName: (name: string) => name,
    getMigration: async (name: string) => migrations[name]!,
  };
}

async function rows<R>(knex: Knex, sql: string, bindings: readonly Knex.RawBinding[] = []): Promise<R[]> {
  const r = (await knex.raw(sql, bindings)) as { rows: R[] };
  return r.rows;
}

describeEachTarget('vecpg/knex migrations: the extension', (db) => {
  let knex: Knex;
  beforeAll(async () => {
    knex = await knexFor(db());
  });
  afterAll(async () => {
    await knex?.destroy();
  });

  const extensionMigration: Migration = {
    async up(k) {
      await createVectorExtension(k);
      await requirePgvector(k, 'sparsevec');
    },
    down: (k) => dropVectorExtension(k),
  };
  const config = {
    tableName: 'knex_migrations_ext',
    migrationSource: source({ '0001_vector_extension': extensionMigration }),
  };

  it('SQL of the helpers', () => {
    expect(createVectorExtension(knex).toSQL().sql).toBe('CREATE EXTENSION IF NOT EXISTS vector');
    expect(dropVectorExtension(knex).toSQL().sql).toBe('DROP EXTENSION IF EXISTS vector');
  });

  it('up is idempotent, down removes it, up again restores it; the version check follows', async () => {
    const installed = async () =>
      rows<{ extversion: string }>(knex, "SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    // the test database already has the extension: IF NOT EXISTS makes the migration a no-op
    await knex.migrate.latest(config);
    const [ext] = await installed();
    expect(ext).toBeDefined();
    const info = await pgvectorInfo(knex);
    expect(info).toEqual({ installed: true, version: ext!.extversion, schema: 'public' });
    // 0.8.x on both targets; like every integration's, it returns what is installed
    expect(await requirePgvector(knex, 'iterativeScan')).toEqual(info);
    const [, again] = await knex.migrate.latest(config);
    expect(again).toEqual([]);

    await knex.migrate.rollback(config);
    expect(await installed()).toEqual([]);
    expect(await pgvectorInfo(knex)).toEqual({ installed: false, version: null, schema: null });
    await expect(requirePgvector(knex, 'halfvec')).rejects.toMatchObject({ code: 'EXTENSION_MISSING' });

    const [, applied] = await knex.migrate.latest(config);
    expect(applied).toEqual(['0001_vector_extension']);
    expect((await installed()).length).toBe(1);
  });
});

/** Every valid (type, distance, method) of pgvector's opclass table. */
const COMBOS: Array<[CreateIndexOptions['type'], CreateIndexOptions['distance'], 'hnsw' | 'ivfflat', string]> = [];
for (const type of ['vector', 'halfvec'] as const) {
  for (const d of ['l2', 'ip', 'cosine', 'l1'] as const) COMBOS.push([type, d, 'hnsw', `${type}_${d}_ops`]);
  for (const d of ['l2', 'ip', 'cosine'] as const) COMBOS.push([type, d, 'ivfflat', `${type}_${d}_ops`]);
}
for (const d of ['l2', 'ip', 'cosine', 'l1'] as const) COMBOS.push(['sparsevec', d, 'hnsw', `sparsevec_${d}_ops`]);
COMBOS.push(
  ['bit', 'hamming', 'hnsw', 'bit_hamming_ops'],
  ['bit', 'jaccard', 'hnsw', 'bit_jaccard_ops'],
  ['bit', 'hamming', 'ivfflat', 'bit_hamming_ops'],
);

const COLUMN: Record<string, string> = { vector: 'embedding', halfvec: 'half', sparsevec: 'features', bit: 'bits' };

describeEachTarget('vecpg/knex migrations: indexes', (db) => {
  let knex: Knex;
  beforeAll(async () => {
    knex = await knexFor(db());
  });
  afterAll(async () => {
    await knex?.destroy();
  });

  const migrations: Record<string, Migration> = {
    '0001_items': {
      async up(k) {
        await k.schema.createTable('items', (t) => {
          t.increments('id');
          vectorColumn(t, 'embedding', 'vector', 3);
          vectorColumn(t, 'half', 'halfvec', 3);
          vectorColumn(t, 'features', 'sparsevec', 100);
          vectorColumn(t, 'bits', 'bit', 8);
        });
        const spec = {
          embedding: { type: 'vector', dimensions: 3 },
          half: { type: 'halfvec', dimensions: 3 },
          features: { type: 'sparsevec', dimensions: 100 },
          bits: { type: 'bit', dimensions: 8 },
        } as const;
        await k('items').insert(
          [1, 2, 3, 4].map((i) =>
            formatVectorRow(
              {
                embedding: [i, 1, 0],
                half: [0, i, 1],
                features: { indices: [i], values: [1], dimensions: 100 },
                bits: '1010101' + (i % 2),
              },
              spec,
            ),
          ),
        );
      },
      down: (k) => k.schema.dropTable('items'),
    },
    '0002_indexes': {
      async up(k) {
        for (const [type, distance, method] of COMBOS) {
          await createVectorIndex(k, {
            table: 'items',
            column: COLUMN[type]!,
            type,
            distance,
            method,
            ...(method === 'ivfflat' ? { lists: 2 } : { m: 8, efConstruction: 32 }),
          });
        }
      },
      async down(k) {
        for (const [type, distance, method] of COMBOS)
          await dropVectorIndex(k, `items_${COLUMN[type]}_${method}_${distance}_idx`);
      },
    },
  };
  const config = { tableName: 'knex_migrations_idx', migrationSource: source(migrations) };

  it('SQL of createVectorIndex / dropVectorIndex, options validated', () => {
    expect(
      createVectorIndex(knex, {
        table: 'items',
        column: 'embedding',
        type: 'vector',
        distance: 'cosine',
        method: 'hnsw',
        m: 16,
        efConstruction: 64,
      }).toSQL().sql,
    ).toBe(
      'CREATE INDEX "items_embedding_hnsw_cosine_idx" ON "items" USING hnsw ("embedding" vector_cosine_ops) WITH (m = 16, ef_construction = 64)',
    );
    expect(
      createVectorIndex(knex, {
        table: 'items',
        column: 'embedding',
        type: 'vector',
        distance: 'l2',
        method: 'ivfflat',
        lists: 100,
      }).toSQL().sql,
    ).toBe(
      'CREATE INDEX "items_embedding_ivfflat_l2_idx" ON "items" USING ivfflat ("embedding" vector_l2_ops) WITH (lists = 100)',
    );
    expect(dropVectorIndex(knex, 'items_embedding_hnsw_cosine_idx').toSQL().sql).toBe(
      'DROP INDEX IF EXISTS "items_embedding_hnsw_cosine_idx"',
    );
    const bad: Array<[Partial<CreateIndexOptions>, string]> = [
      [{ m: 1 }, 'INVALID_OPTION'],
      [{ m: 16, efConstruction: 20 }, 'INVALID_OPTION'],
      [{ method: 'ivfflat', lists: 0 }, 'INVALID_OPTION'],
      [{ type: 'sparsevec', method: 'ivfflat' }, 'UNSUPPORTED'],
      [{ distance: 'l1', method: 'ivfflat' }, 'UNSUPPORTED'],
      [{ distance: 'hamming' }, 'UNSUPPORTED'],
      [{ dimensions: 3072 }, 'UNSUPPORTED'],
    ];
    for (const [patch, code] of bad) {
      const opts = {
        table: 'items',
        column: 'embedding',
        type: 'vector',
        distance: 'l2',
        method: 'hnsw',
        ...patch,
      } as CreateIndexOptions;
      expect(() => createVectorIndex(knex, opts), JSON.stringify(patch)).toThrow(expect.objectContaining({ code }));
    }
  });

  it('creates every opclass; a second migrate.latest leaves them untouched', async () => {
    const snapshot = () =>
      rows<{ indexname: string; indexdef: string; oid: number; opclass: string }>(
        knex,
        `SELECT i.indexname, i.indexdef, c.oid::int AS oid, o.opcname::text AS opclass
         FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname
         JOIN pg_index x ON x.indexrelid = c.oid JOIN pg_opclass o ON o.oid = x.indclass[0]
         WHERE i.tablename = 'items' AND i.indexname <> 'items_pkey' ORDER BY i.indexname`,
      );
    const [, first] = await knex.migrate.latest(config);
    expect(first).toEqual(['0001_items', '0002_indexes']);
    const before = await snapshot();
    expect(before).toHaveLength(COMBOS.length);
    for (const [type, distance, method, opclass] of COMBOS) {
      const idx = before.find((r) => r.indexname === `items_${COLUMN[type]}_${method}_${distance}_idx`);
      // pg_indexes omits a default opclass (IVFFlat's vector_l2_ops…): read it from pg_opclass too
      expect(idx?.indexdef).toContain(`USING ${method} (${COLUMN[type]}`);
      expect(idx?.opclass).toBe(opclass);
    }
    const [, second] = await knex.migrate.latest(config);
    expect(second).toEqual([]);
    expect(await snapshot()).toEqual(before);
    // and down really drops them (reversible)
    await knex.migrate.down(config);
    expect(await snapshot()).toEqual([]);
    await knex.migrate.latest(config);
    expect((await snapshot()).map((r) => r.indexdef)).toEqual(before.map((r) => r.indexdef));
  });
});
