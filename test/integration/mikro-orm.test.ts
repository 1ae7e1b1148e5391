/**
 * vecpg/mikro-orm on MikroORM 6.6 (PostgreSQL driver on `pg`, and on PGlite through vecpg's Knex client):
 * custom types read and written through vecpg's codecs, the schema generator creating the columns
 * and indexes and then reporting no diff, migrations for the extension and indexes, the Django walkthrough's three
 * query patterns with the six distances on dense, sparse and bit columns (SQL and rows), and exact
 * versus approximate search. Expected distances come from vecpg's client-side distance functions.
 */
import { EntitySchema } from '@mikro-orm/core';
import { Migration, Migrator } from '@mikro-orm/migrations';
import { type EntityManager, MikroORM, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'vecpg';
import { SparseVector } from 'vecpg';
import {
  type DistanceName,
  HalfvecColumnType,
  VectorColumnType,
  createVectorExtension,
  createVectorIndex,
  cosineDistance,
  dropVectorExtension,
  dropVectorIndex,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  mikroOrmPglite,
  vectorSearch,
  pgvectorInfo,
  requirePgvector,
  setVectorStorage,
  vectorIndex,
  vectorProperty,
} from 'vecpg/mikro-orm';
import type { PGlite } from '@electric-sql/pglite';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { evaluations, explainScansWithoutSeqScan } from '../support/explain.ts';
import { randomArray, seededRandom } from '../support/random.ts';

interface Document {
  id: number;
  title: string;
  embedding: number[];
  half: number[] | null;
}
interface ScienceData {
  id: number;
  name: string;
  features: SparseVector;
}
interface Fingerprint {
  id: number;
  label: string;
  bits: string;
}

const DocumentSchema = new EntitySchema<Document>({
  name: 'Document',
  tableName: 'documents',
  properties: {
    id: { type: 'number', primary: true },
    title: { type: 'string' },
    embedding: vectorProperty('vector', 4),
    half: { ...vectorProperty('halfvec', 4), nullable: true },
  },
  indexes: [
    vectorIndex({
      table: 'documents',
      column: 'embedding',
      type: 'vector',
      distance: 'cosine',
      method: 'hnsw',
      m: 8,
      efConstruction: 32,
    }),
    vectorIndex({
      table: 'documents',
      column: 'embedding',
      type: 'vector',
      distance: 'l2',
      method: 'ivfflat',
      lists: 1,
    }),
    vectorIndex({ table: 'documents', column: 'half', type: 'halfvec', distance: 'ip', method: 'hnsw' }),
  ],
});
const ScienceSchema = new EntitySchema<ScienceData>({
  name: 'ScienceData',
  tableName: 'science_data',
  properties: {
    id: { type: 'number', primary: true },
    name: { type: 'string' },
    features: vectorProperty('sparsevec', 10000),
  },
  indexes: [
    vectorIndex({ table: 'science_data', column: 'features', type: 'sparsevec', distance: 'l1', method: 'hnsw' }),
  ],
});
const FingerprintSchema = new EntitySchema<Fingerprint>({
  name: 'Fingerprint',
  tableName: 'fingerprints',
  properties: {
    id: { type: 'number', primary: true },
    label: { type: 'string' },
    bits: vectorProperty('bit', 8),
  },
  indexes: [
    vectorIndex({ table: 'fingerprints', column: 'bits', type: 'bit', distance: 'jaccard', method: 'hnsw' }),
    vectorIndex({
      table: 'fingerprints',
      column: 'bits',
      type: 'bit',
      distance: 'hamming',
      method: 'ivfflat',
      lists: 1,
    }),
  ],
});
const ENTITIES = [DocumentSchema, ScienceSchema, FingerprintSchema];

async function config(t: TestDb, extra: Partial<Options> = {}): Promise<Options> {
  const target =
    t.target === 'pglite' ? await mikroOrmPglite(t.raw as PGlite) : { driver: PostgreSqlDriver, clientUrl: t.url! };
  return { ...target, entities: ENTITIES, allowGlobalContext: false, debug: false, ...extra };
}

// No database needed: what the types and helpers generate.
describe('vecpg/mikro-orm definitions', () => {
  it('column types, dimension checks and parsing', () => {
    const prop = { name: 'embedding', length: 0 } as never;
    expect(new VectorColumnType(4).getColumnType(prop, undefined as never)).toBe('vector(4)');
    expect(
      new VectorColumnType().getColumnType({ name: 'x', columnTypes: ['vector(7)'] } as never, undefined as never),
    ).toBe('vector(7)');
    expect(() => new VectorColumnType().getColumnType({ name: 'x' } as never, undefined as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_DIMENSIONS' }),
    );
    const t = new VectorColumnType(4);
    expect(t.convertToDatabaseValue([0.5, 0.2, 0.9, 0.3])).toBe('[0.5,0.2,0.9,0.3]');
    expect(() => t.convertToDatabaseValue([1, 2, 3])).toThrow(expect.objectContaining({ code: 'DIMENSION_MISMATCH' }));
    expect(t.convertToJSValue('[1,2.5,3,4]')).toEqual([1, 2.5, 3, 4]);
    expect(new HalfvecColumnType(1).convertToJSValue('[0.1]')).toEqual(new client.HalfVector([0.1]).toArray());
    const s = vectorProperty('sparsevec', 10000).type;
    expect(s.convertToDatabaseValue(new SparseVector({ 0: 5.5, 42: 1.2 }, 10000))).toBe('{1:5.5,43:1.2}/10000');
    const back = s.convertToJSValue('{1:5.5,43:1.2}/10000') as SparseVector;
    expect([back.indices, back.dimensions]).toEqual([[0, 42], 10000]);
    expect(vectorProperty('bit', 3).type.convertToJSValue('101')).toBe('101');
    expect(() => vectorProperty('bit', 3).type.convertToDatabaseValue('1012')).toThrow(
      expect.objectContaining({ code: 'INVALID_BIT' }),
    );
  });

  it('index definitions: name and full CREATE INDEX with the opclass', () => {
    expect(
      vectorIndex({
        table: 'documents',
        column: 'embedding',
        type: 'vector',
        distance: 'cosine',
        method: 'hnsw',
        m: 8,
        efConstruction: 32,
      }),
    ).toEqual({
      name: 'documents_embedding_hnsw_cosine_idx',
      expression:
        'CREATE INDEX "documents_embedding_hnsw_cosine_idx" ON "documents" USING hnsw ("embedding" vector_cosine_ops) WITH (m = 8, ef_construction = 32)',
    });
    expect(() =>
      vectorIndex({ table: 't', column: 'c', type: 'sparsevec', distance: 'l2', method: 'ivfflat' }),
    ).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => vectorIndex({ table: 't', column: 'c', type: 'vector', distance: 'l2', m: 200 })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});

const docs = [
  { id: 1, title: 'A', embedding: [1, 0, 0, 0] },
  { id: 2, title: 'B', embedding: [0, 1, 0, 0] },
  { id: 3, title: 'C', embedding: [1, 1, 0, 0] },
  { id: 4, title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3] },
];
const science = [
  { id: 1, name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) },
  { id: 2, name: 'Sample B', features: new SparseVector({ 0: 1, 42: 5 }, 10000) },
  { id: 3, name: 'Sample C', features: new SparseVector({ 1: 3 }, 10000) },
  { id: 4, name: 'Sample D', features: new SparseVector({ 0: 5, 42: 1, 9999: 0.5 }, 10000) },
];
const prints = [
  { id: 1, label: 'p1', bits: '11110000' },
  { id: 2, label: 'p2', bits: '11000000' },
  { id: 3, label: 'p3', bits: '00001111' },
  { id: 4, label: 'p4', bits: '11111111' },
];
const clientDistance: Record<DistanceName, (a: never, b: never) => number> = {
  l2: client.l2Distance,
  ip: client.maxInnerProduct,
  cosine: client.cosineDistance,
  l1: client.l1Distance,
  hamming: client.hammingDistance,
  jaccard: client.jaccardDistance,
};
const helpers = {
  l2: l2Distance,
  ip: maxInnerProduct,
  cosine: cosineDistance,
  l1: l1Distance,
  hamming: hammingDistance,
  jaccard: jaccardDistance,
};

function expected<T extends Record<string, unknown>>(
  rows: T[],
  key: keyof T,
  col: keyof T,
  q: unknown,
  d: DistanceName,
) {
  const f = clientDistance[d] as (a: unknown, b: unknown) => number;
  return rows
    .map((r) => ({ key: r[key] as string, distance: f(r[col], q) }))
    .sort((a, b) => a.distance - b.distance || (a.key < b.key ? -1 : 1));
}

async function rows<R>(em: EntityManager, sql: string): Promise<R[]> {
  return em.execute<R[]>(sql);
}

describeEachTarget('vecpg/mikro-orm schema, values and queries', (db) => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await MikroORM.init(await config(db()));
    await orm.schema.createSchema();
    const em = orm.em.fork();
    for (const d of docs) em.create(DocumentSchema, { ...d, half: d.embedding });
    for (const s of science) em.create(ScienceSchema, s);
    for (const p of prints) em.create(FingerprintSchema, p);
    await em.flush();
  });
  afterAll(async () => {
    await orm?.close();
  });

  it('the schema generator creates the columns and every declared index with its opclass', async () => {
    const em = orm.em.fork();
    const cols = await rows<{ attname: string; type: string }>(
      em,
      `SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid IN ('documents'::regclass, 'science_data'::regclass, 'fingerprints'::regclass) AND attname IN ('embedding', 'half', 'features', 'bits') ORDER BY attname`,
    );
    expect(cols).toEqual([
      { attname: 'bits', type: 'bit(8)' },
      { attname: 'embedding', type: 'vector(4)' },
      { attname: 'features', type: 'sparsevec(10000)' },
      { attname: 'half', type: 'halfvec(4)' },
    ]);
    const idx = await rows<{ name: string; opclass: string; method: string }>(
      em,
      `SELECT c.relname AS name, o.opcname AS opclass, a.amname AS method FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
       JOIN pg_opclass o ON o.oid = x.indclass[0] JOIN pg_am a ON a.oid = c.relam WHERE a.amname IN ('hnsw', 'ivfflat') ORDER BY c.relname`,
    );
    expect(idx).toEqual([
      { name: 'documents_embedding_hnsw_cosine_idx', opclass: 'vector_cosine_ops', method: 'hnsw' },
      { name: 'documents_embedding_ivfflat_l2_idx', opclass: 'vector_l2_ops', method: 'ivfflat' },
      { name: 'documents_half_hnsw_ip_idx', opclass: 'halfvec_ip_ops', method: 'hnsw' },
      { name: 'fingerprints_bits_hnsw_jaccard_idx', opclass: 'bit_jaccard_ops', method: 'hnsw' },
      { name: 'fingerprints_bits_ivfflat_hamming_idx', opclass: 'bit_hamming_ops', method: 'ivfflat' },
      { name: 'science_data_features_hnsw_l1_idx', opclass: 'sparsevec_l1_ops', method: 'hnsw' },
    ]);
  });

  it('a second schema diff is empty: the columns and indexes survive update untouched', async () => {
    const oids = () =>
      rows<{ relname: string; oid: number }>(
        orm.em.fork(),
        `SELECT relname, oid::int AS oid FROM pg_class WHERE relname LIKE '%\\_idx' ORDER BY relname`,
      );
    const before = await oids();
    expect(before).toHaveLength(6);
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
    await orm.schema.updateSchema();
    expect(await oids()).toEqual(before);
    // and a real change to a vector column's dimensions is still detected
    const changed = await MikroORM.init(
      await config(db(), {
        entities: [
          new EntitySchema<Document>({
            name: 'Document',
            tableName: 'documents',
            properties: {
              id: { type: 'number', primary: true },
              title: { type: 'string' },
              embedding: vectorProperty('vector', 5),
              half: { ...vectorProperty('halfvec', 4), nullable: true },
            },
            indexes: DocumentSchema.meta.indexes.map((i) => ({ ...i })),
          }),
          ScienceSchema,
          FingerprintSchema,
        ],
      }),
    );
    try {
      expect(await changed.schema.getUpdateSchemaSQL({ wrap: false })).toContain(
        'alter column "embedding" type vector(5)',
      );
    } finally {
      await changed.close();
    }
  });

  it('reads number[], SparseVector and the bit string back; the stored text is pgvector’s', async () => {
    const em = orm.em.fork();
    const d = await em.findOneOrFail(DocumentSchema, 4);
    expect(d.embedding).toEqual([0.5, 0.2, 0.9, 0.3].map(Math.fround));
    expect(d.half).toEqual(new client.HalfVector([0.5, 0.2, 0.9, 0.3]).toArray());
    const s = await em.findOneOrFail(ScienceSchema, 1);
    expect(s.features).toBeInstanceOf(SparseVector);
    expect(s.features.toObject()).toEqual({ 0: 5.5, 42: Math.fround(1.2) });
    const [text] = await rows<{ t: string }>(em, 'SELECT features::text AS t FROM science_data WHERE id = 1');
    expect(text?.t).toBe('{1:5.5,43:1.2}/10000');
    expect((await em.findOneOrFail(FingerprintSchema, 1)).bits).toBe('11110000');
    // loading and flushing changes nothing: the snapshots compare pgvector's text
    em.getUnitOfWork().computeChangeSets();
    expect(em.getUnitOfWork().getChangeSets()).toHaveLength(0);
    // a real change is written
    d.embedding = [0, 0, 0, 1];
    await em.flush();
    expect((await orm.em.fork().findOneOrFail(DocumentSchema, 4)).embedding).toEqual([0, 0, 0, 1]);
    d.embedding = [0.5, 0.2, 0.9, 0.3];
    await em.flush();
    expect(() => em.create(DocumentSchema, { id: 99, title: 'bad', embedding: [1, 2, 3], half: null })).not.toThrow();
    await expect(em.flush()).rejects.toMatchObject({ code: 'DIMENSION_MISMATCH' });
  });

  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);

  it('pattern 1 (order by distance) with em.find on a sparse column', async () => {
    const em = orm.em.fork();
    const found = await em.find(
      ScienceSchema,
      {},
      { orderBy: { [cosineDistance('features', target)]: 'asc' }, limit: 10 },
    );
    expect(found.map((x) => x.name)).toEqual(expected(science, 'name', 'features', target, 'cosine').map((e) => e.key));
    const qb = em
      .createQueryBuilder(ScienceSchema, 's')
      .select('name')
      .orderBy({ [cosineDistance('features', target)]: 'asc' })
      .limit(10);
    expect(qb.getFormattedQuery()).toBe(
      `select "s"."name" from "science_data" as "s" order by s."features" <=> '{1:5.1,43:1}/10000'::sparsevec asc limit 10`,
    );
  });

  it('pattern 2 (annotate) with the QueryBuilder', async () => {
    const em = orm.em.fork();
    const qb = em
      .createQueryBuilder(ScienceSchema, 's')
      .select(['name', cosineDistance('features', target).as('distance')]);
    expect(qb.getFormattedQuery()).toBe(
      `select "s"."name", "features" <=> '{1:5.1,43:1}/10000'::sparsevec as "distance" from "science_data" as "s"`,
    );
    const got = await qb.execute<Array<{ name: string; distance: number }>>('all', false);
    for (const e of expected(science, 'name', 'features', target, 'cosine'))
      expect(got.find((r) => r.name === e.key)?.distance).toBeCloseTo(e.distance, 5);
  });

  it('pattern 3 (annotate + filter + order) with the QueryBuilder, and the filter in em.find', async () => {
    const em = orm.em.fork();
    const qb = em
      .createQueryBuilder(ScienceSchema, 's')
      .select(['name', cosineDistance('features', target).as('distance')])
      .where({ [cosineDistance('features', target)]: { $lt: 0.2 } })
      .orderBy({ [cosineDistance('features', target)]: 'asc' });
    expect(qb.getFormattedQuery()).toBe(
      `select "s"."name", "features" <=> '{1:5.1,43:1}/10000'::sparsevec as "distance" from "science_data" as "s" where s."features" <=> '{1:5.1,43:1}/10000'::sparsevec < 0.2 order by s."features" <=> '{1:5.1,43:1}/10000'::sparsevec asc`,
    );
    const got = await qb.execute<Array<{ name: string; distance: number }>>('all', false);
    const want = expected(science, 'name', 'features', target, 'cosine').filter((e) => e.distance < 0.2);
    expect(want.map((e) => e.key)).toEqual(['Sample A', 'Sample D']); // hand-checked: B ≈ 0.62, C = 1
    expect(got.map((r) => r.name)).toEqual(want.map((e) => e.key));
    const viaFind = await em.find(
      ScienceSchema,
      { [cosineDistance('features', target)]: { $lt: 0.2 } },
      { orderBy: { [cosineDistance('features', target)]: 'asc' } },
    );
    expect(viaFind.map((x) => x.name)).toEqual(want.map((e) => e.key));
  });

  const queryVec = [0.9, 0.1, 0.3, 0.2];
  for (const d of ['l2', 'ip', 'cosine', 'l1'] as const) {
    for (const kind of ['dense', 'sparse'] as const) {
      it(`${d} on a ${kind} column: the three patterns`, async () => {
        const em = orm.em.fork();
        const [schema, key, column, rowsIn, q] =
          kind === 'dense'
            ? ([DocumentSchema, 'title', 'embedding', docs, queryVec] as const)
            : ([ScienceSchema, 'name', 'features', science, target] as const);
        const want = expected(rowsIn as unknown as Array<Record<string, unknown>>, key, column, q, d);
        const ordered = await em.find(
          schema as unknown as EntitySchema<Record<string, unknown>>,
          {},
          { orderBy: [{ [helpers[d](column, q)]: 'asc' }, { [key]: 'asc' }] },
        );
        expect(ordered.map((r) => r[key])).toEqual(want.map((e) => e.key));
        const annotated = await em
          .createQueryBuilder(schema as unknown as EntitySchema<Record<string, unknown>>, 'x')
          .select([key, helpers[d](column, q).as('distance')])
          .execute<Array<Record<string, number>>>('all', false);
        for (const e of want)
          expect(annotated.find((r) => r[key] === (e.key as never))?.distance).toBeCloseTo(e.distance, 4);
        const threshold = (want[1]!.distance + want[2]!.distance) / 2;
        const hits = await vectorSearch(em, schema as unknown as EntitySchema<Record<string, unknown>>, {
          column,
          query: q,
          distance: d,
          maxDistance: threshold,
          k: 10,
        });
        expect(hits.map((h) => h.entity[key])).toEqual(want.filter((e) => e.distance < threshold).map((e) => e.key));
        hits.forEach((h, i) => expect(h.distance).toBeCloseTo(want[i]!.distance, 4));
      });
    }
  }

  for (const d of ['hamming', 'jaccard'] as const) {
    it(`${d} on a bit column: the three patterns`, async () => {
      const em = orm.em.fork();
      const q = '11110000';
      const want = expected(prints, 'label', 'bits', q, d);
      expect(want.map((e) => e.distance)).toEqual(d === 'hamming' ? [0, 2, 4, 8] : [0, 0.5, 0.5, 1]); // hand-derived
      const ordered = await em.find(
        FingerprintSchema,
        {},
        { orderBy: [{ [helpers[d]('bits', q)]: 'asc' }, { label: 'asc' }] },
      );
      expect(ordered.map((r) => r.label)).toEqual(want.map((e) => e.key));
      const qb = em.createQueryBuilder(FingerprintSchema, 'f').select(['label', helpers[d]('bits', q).as('distance')]);
      expect(qb.getFormattedQuery()).toBe(
        `select "f"."label", "bits" ${d === 'hamming' ? '<~>' : '<%>'} '11110000'::bit(8) as "distance" from "fingerprints" as "f"`,
      );
      const annotated = await qb.execute<Array<{ label: string; distance: number }>>('all', false);
      for (const e of want) expect(annotated.find((r) => r.label === e.key)?.distance).toBeCloseTo(e.distance, 6);
      const filtered = await em.find(
        FingerprintSchema,
        { [helpers[d]('bits', q)]: { $lt: 1 } },
        { orderBy: [{ [helpers[d]('bits', q)]: 'asc' }, { label: 'asc' }] },
      );
      expect(filtered.map((r) => r.label)).toEqual(want.filter((e) => e.distance < 1).map((e) => e.key));
    });
  }
});

/** Every valid (type, distance, method) of pgvector's opclass table. */
const COMBOS: Array<['vector' | 'halfvec' | 'sparsevec' | 'bit', DistanceName, 'hnsw' | 'ivfflat', string]> = [];
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
const COL = { vector: 'v', halfvec: 'h', sparsevec: 's', bit: 'b' } as const;

describeEachTarget('vecpg/mikro-orm indexes with every opclass', (db) => {
  it('the schema generator creates them all; the next diff is empty', async () => {
    const AllIndexes = new EntitySchema<{ id: number; v: number[]; h: number[]; s: SparseVector; b: string }>({
      name: 'AllIndexes',
      tableName: 'all_indexes',
      properties: {
        id: { type: 'number', primary: true },
        v: vectorProperty('vector', 3),
        h: vectorProperty('halfvec', 3),
        s: vectorProperty('sparsevec', 100),
        b: vectorProperty('bit', 8),
      },
      indexes: COMBOS.map(([type, distance, method]) =>
        vectorIndex({
          table: 'all_indexes',
          column: COL[type],
          type,
          distance,
          method,
          ...(method === 'ivfflat' ? { lists: 1 } : {}),
        }),
      ),
    });
    const orm = await MikroORM.init(await config(db(), { entities: [AllIndexes] }));
    try {
      await orm.schema.createSchema();
      const got = await rows<{ name: string; opclass: string }>(
        orm.em.fork(),
        `SELECT c.relname AS name, o.opcname AS opclass FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
         JOIN pg_opclass o ON o.oid = x.indclass[0] WHERE x.indrelid = 'all_indexes'::regclass AND NOT x.indisprimary ORDER BY c.relname`,
      );
      expect(got).toHaveLength(COMBOS.length);
      for (const [type, distance, method, opclass] of COMBOS) {
        expect(got.find((g) => g.name === `all_indexes_${COL[type]}_${method}_${distance}_idx`)?.opclass).toBe(opclass);
      }
      expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
    } finally {
      await orm.close();
    }
  });
});

describeEachTarget('vecpg/mikro-orm migrations', (db) => {
  class EnableVector extends Migration {
    override async up(): Promise<void> {
      createVectorExtension(this);
    }
    override async down(): Promise<void> {
      dropVectorExtension(this);
    }
  }
  class CreateItems extends Migration {
    override async up(): Promise<void> {
      this.addSql('create table "items" ("id" serial primary key, "embedding" vector(3) not null)');
      setVectorStorage(this, 'items', 'embedding');
      createVectorIndex(this, { table: 'items', column: 'embedding', type: 'vector', distance: 'l1', method: 'hnsw' });
    }
    override async down(): Promise<void> {
      dropVectorIndex(this, 'items_embedding_hnsw_l1_idx');
      this.addSql('drop table "items"');
    }
  }

  it('extension and index migrations go up, stay put on a second run, and come down', async () => {
    const orm = await MikroORM.init(
      await config(db(), {
        entities: [],
        discovery: { warnWhenNoEntities: false },
        extensions: [Migrator],
        migrations: {
          migrationsList: [
            { name: 'm1_enable_vector', class: EnableVector },
            { name: 'm2_items', class: CreateItems },
          ],
          transactional: true,
        },
      }),
    );
    try {
      const em = orm.em.fork();
      const ext = () => rows<{ v: string }>(em, "SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'");
      const index = () =>
        rows<{ oid: number; opclass: string; storage: string }>(
          em,
          `SELECT c.oid::int AS oid, o.opcname AS opclass, (SELECT attstorage FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'embedding') AS storage
           FROM pg_class c JOIN pg_index x ON x.indexrelid = c.oid JOIN pg_opclass o ON o.oid = x.indclass[0] WHERE c.relname = 'items_embedding_hnsw_l1_idx'`,
        );
      expect((await orm.migrator.up()).map((m) => m.name)).toEqual(['m1_enable_vector', 'm2_items']);
      const [v] = await ext();
      expect(await pgvectorInfo(em)).toEqual({ installed: true, version: v!.v, schema: 'public' });
      expect(await requirePgvector(em, 'sparsevec')).toEqual({ installed: true, version: v!.v, schema: 'public' });
      const first = await index();
      expect(first).toEqual([{ oid: expect.any(Number), opclass: 'vector_l1_ops', storage: 'm' }]);
      expect(await orm.migrator.up()).toEqual([]);
      expect(await index()).toEqual(first);

      await orm.migrator.down({ to: 0 });
      expect(await ext()).toEqual([]);
      await expect(requirePgvector(em, 'halfvec')).rejects.toMatchObject({ code: 'EXTENSION_MISSING' });
      expect((await orm.migrator.up()).map((m) => m.name)).toEqual(['m1_enable_vector', 'm2_items']);
      expect((await index())[0]?.opclass).toBe('vector_l1_ops');
    } finally {
      await orm.close();
    }
  });
});

describeEachTarget('vecpg/mikro-orm exact and approximate search', (db) => {
  interface Item {
    id: number;
    embedding: number[];
  }
  const ItemSchema = new EntitySchema<Item>({
    name: 'Item',
    tableName: 'items',
    properties: { id: { type: 'number', primary: true }, embedding: vectorProperty('vector', 8) },
    indexes: [
      vectorIndex({
        table: 'items',
        column: 'embedding',
        type: 'vector',
        distance: 'l2',
        method: 'ivfflat',
        lists: 50,
      }),
    ],
  });
  const rand = seededRandom(88);
  const data = Array.from({ length: 1000 }, (_, i) => ({ id: i + 1, embedding: randomArray(rand, 8) }));
  const query = randomArray(rand, 8);
  const truth = data
    .map((r) => ({ id: r.id, d: client.l2Distance(r.embedding, query) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 10)
    .map((r) => r.id);
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await MikroORM.init(await config(db(), { entities: [ItemSchema], pool: { min: 0, max: 1 } }));
    const em = orm.em.fork();
    await orm.schema.createSchema(); // the index is built on an empty table: rebuild it after loading
    for (const r of data) em.create(ItemSchema, r);
    await em.flush();
    await em.execute('REINDEX INDEX items_embedding_ivfflat_l2_idx');
    await em.execute('ANALYZE items');
  });
  afterAll(async () => {
    await orm?.close();
  });

  it('exact is the brute-force top-k with an IVFFlat index present; approximate follows probes and does not leak', async () => {
    const em = orm.em.fork();
    const exact = await vectorSearch(em, ItemSchema, { column: 'embedding', query, distance: 'l2', k: 10 });
    expect(exact.map((h) => h.entity.id)).toEqual(truth);
    exact.forEach((h) => expect(h.distance).toBeCloseTo(client.l2Distance(data[h.entity.id - 1]!.embedding, query), 5));
    expect(exact[0]!.entity.embedding).toEqual(data[truth[0]! - 1]!.embedding.map(Math.fround));

    const plan = await rows<{ 'QUERY PLAN': string }>(
      em,
      `EXPLAIN ${em
        .createQueryBuilder(ItemSchema, 'i')
        .select('id')
        .orderBy({ [l2Distance('embedding', query, { exact: true })]: 'asc' })
        .limit(10)
        .getFormattedQuery()}`,
    );
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).not.toContain('items_embedding_ivfflat_l2_idx');
    const approxPlan = await rows<{ 'QUERY PLAN': string }>(
      em,
      `EXPLAIN ${em
        .createQueryBuilder(ItemSchema, 'i')
        .select('id')
        .orderBy({ [l2Distance('embedding', query)]: 'asc' })
        .limit(10)
        .getFormattedQuery()}`,
    );
    expect(approxPlan.map((p) => p['QUERY PLAN']).join('\n')).toContain(
      'Index Scan using items_embedding_ivfflat_l2_idx',
    );

    const oneProbe = await vectorSearch(em, ItemSchema, {
      column: 'embedding',
      query,
      distance: 'l2',
      k: 10,
      approximate: { probes: 1 },
    });
    expect(oneProbe.map((h) => h.entity.id)).not.toEqual(truth);
    const allProbes = await vectorSearch(em, ItemSchema, {
      column: 'embedding',
      query,
      distance: 'l2',
      k: 10,
      approximate: { probes: 50 },
    });
    expect(allProbes.map((h) => h.entity.id)).toEqual(truth);
    // the pool has one connection: SET LOCAL ended with the transaction
    const [show] = await rows<{ 'ivfflat.probes': string }>(orm.em.fork(), 'SHOW ivfflat.probes');
    expect(show?.['ivfflat.probes']).toBe('1');

    await expect(
      vectorSearch(em, ItemSchema, {
        column: 'embedding',
        query,
        distance: 'l2',
        exact: true,
        approximate: { probes: 2 },
      }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(
      vectorSearch(em, ItemSchema, { column: 'embedding', query, distance: 'l2', approximate: { probes: 0 } }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('EXPLAIN VERBOSE: vectorSearch computes the distance once per row; only the approximate search can use the index', async () => {
    const em = orm.em.fork();
    const knex = em.getConnection().getKnex();
    const statements: Array<{ sql: string; bindings: readonly unknown[] }> = [];
    const listen = (q: { sql: string; bindings?: readonly unknown[] }): void =>
      void statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
    knex.on('query', listen);
    const plans: Record<string, { sql: string; evaluations: number; indexes: string[] }> = {};
    try {
      for (const exact of [true, false]) {
        statements.length = 0;
        const hits = await vectorSearch(em, ItemSchema, {
          column: 'embedding',
          query,
          distance: 'l2',
          k: 10,
          ...(exact ? {} : { approximate: { probes: 50 } }),
        });
        expect(hits.map((h) => h.entity.id)).toEqual(truth);
        const search = statements.find((q) => q.sql.startsWith('select'))!;
        const report = await explainScansWithoutSeqScan(db(), search.sql, search.bindings);
        // MikroORM inlines the values it binds: the query vector is a literal here.
        const sql = search.sql.replace(/'\[[^']*\]'::vector/g, '<query>::vector');
        plans[exact ? 'exact' : 'approximate'] = {
          sql,
          evaluations: evaluations(report, '<->'),
          indexes: report.indexes,
        };
      }
    } finally {
      knex.off('query', listen);
    }
    const expected = (d: string): string =>
      `select "i0".*, ${d} as "__vecpg_distance" from "items" as "i0" order by "__vecpg_distance" asc limit 10`;
    expect(plans).toEqual({
      exact: { sql: expected('("embedding" <-> <query>::vector) + 0'), evaluations: 1, indexes: [] },
      approximate: {
        sql: expected('"embedding" <-> <query>::vector'),
        evaluations: 1,
        indexes: ['items_embedding_ivfflat_l2_idx'],
      },
    });
  });
});
