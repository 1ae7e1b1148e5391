import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { Bit, SparseVector, Vector, isSparseVector, isVecpgError } from 'vecpg';
import {
  BitColumn,
  HalfvecColumn,
  SparsevecColumn,
  VectorColumn,
  VectorIndex,
  cosineDistance,
  getManyWithDistance,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  pgliteOptions,
  registerVectorTypes,
  syncVectorSchema,
} from 'vecpg/typeorm';
import { Column, DataSource, Entity, type Logger, PrimaryGeneratedColumn } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDb, describeEachTarget } from '../support/db.ts';

/** Captures every statement TypeORM sends, to assert the generated SQL. */
class CaptureLogger implements Logger {
  queries: Array<{ sql: string; params: unknown[] }> = [];
  logQuery(sql: string, params?: unknown[]): void {
    this.queries.push({ sql, params: params ?? [] });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** A DataSource on this block's database: the server by URL, PGlite through vecpg's pg stand-in. */
function dataSourceFor(db: TestDb, entities: Array<new () => object>, logger?: Logger): DataSource {
  const base = db.target === 'server' ? { type: 'postgres' as const, url: db.url! } : pgliteOptions(db.raw as PGlite);
  return registerVectorTypes(new DataSource({ ...base, entities, ...(logger ? { logger, logging: true } : {}) }));
}

@Entity('document')
class Document {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'text' }) title!: string;
  @VectorColumn(4)
  @VectorIndex({ name: 'document_embedding_hnsw', distance: 'cosine', method: 'hnsw', m: 8, efConstruction: 32 })
  embedding!: number[] | Vector | Float32Array;
  @HalfvecColumn(4, { nullable: true }) half!: number[] | null;
  @BitColumn(8, { nullable: true }) bits!: string | Bit | null;
}

@Entity('science_data')
class ScienceData {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @SparsevecColumn(10000)
  @VectorIndex({ name: 'science_data_features_hnsw', distance: 'cosine' })
  features!: SparseVector;
}

const f32 = (xs: number[]) => xs.map(Math.fround);

describe('registerVectorTypes', () => {
  it('changes the DataSource it is given and nothing else', () => {
    const a = registerVectorTypes(new DataSource({ type: 'postgres', url: 'postgres://localhost/unused' }));
    const b = new DataSource({ type: 'postgres', url: 'postgres://localhost/unused' });
    const types = (ds: DataSource) => (ds.driver as unknown as { supportedDataTypes: string[] }).supportedDataTypes;
    expect(types(a)).toContain('sparsevec');
    expect(types(b)).not.toContain('sparsevec');
    expect(Object.hasOwn(a.driver, 'prepareHydratedValue')).toBe(true);
    expect(Object.hasOwn(b.driver, 'prepareHydratedValue')).toBe(false);
  });
});

describeEachTarget('typeorm columns, sync and the seed queries', (db) => {
  let ds: DataSource;
  const log = new CaptureLogger();
  beforeAll(async () => {
    ds = dataSourceFor(db(), [Document, ScienceData], log);
    await ds.initialize();
    await ds.synchronize();
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  it('synchronize creates the pgvector column types with their dimensions', async () => {
    const rows = await db().query<{ table: string; name: string; type: string }>(
      `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relname IN ('document', 'science_data') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2`,
    );
    const types = Object.fromEntries(rows.map((r) => [`${r.table}.${r.name}`, r.type]));
    expect(types).toMatchObject({
      'document.embedding': 'vector(4)',
      'document.half': 'halfvec(4)',
      'document.bits': 'bit(8)',
      'science_data.features': 'sparsevec(10000)',
    });
  });

  it('syncVectorSchema sets storage MAIN and creates the declared indexes, then has nothing left to do', async () => {
    const first = await syncVectorSchema(ds);
    expect(first).toContain('ALTER TABLE "document" ALTER COLUMN "embedding" SET STORAGE MAIN');
    expect(first).toContain('ALTER TABLE "science_data" ALTER COLUMN "features" SET STORAGE MAIN');
    expect(first).toContain(
      'CREATE INDEX IF NOT EXISTS "document_embedding_hnsw" ON "document" USING hnsw ("embedding" vector_cosine_ops) WITH (m = 8, ef_construction = 32)',
    );
    const storage = await db().query<{ attname: string; attstorage: string }>(
      `SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'document'::regclass AND attname IN ('embedding', 'half', 'bits') ORDER BY 1`,
    );
    expect(storage.map((r) => r.attstorage)).toEqual(['m', 'm', 'm']);
    expect(await syncVectorSchema(ds)).toEqual([]);
  });

  it('an unchanged schema shows no diff, and synchronize keeps the vector indexes with their opclass', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    await ds.synchronize();
    const indexes = await db().query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('document', 'science_data') AND indexdef LIKE '%hnsw%' ORDER BY 1`,
    );
    expect(indexes.map((r) => r.indexname)).toEqual(['document_embedding_hnsw', 'science_data_features_hnsw']);
    expect(indexes[0]!.indexdef).toContain(
      "USING hnsw (embedding vector_cosine_ops) WITH (m='8', ef_construction='32')",
    );
    expect(indexes[1]!.indexdef).toContain('USING hnsw (features sparsevec_cosine_ops)');
  });

  it('writes arrays, Vector, Float32Array, SparseVector and bits; reads number[], SparseVector and bit strings', async () => {
    const repo = ds.getRepository(Document);
    await repo.save([
      { title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3], half: [0.1, 1, 2, 3], bits: '10100000' },
      { title: 'class', embedding: new Vector([1, 0, 0, 0]), half: null, bits: new Bit('11110000') },
      { title: 'typed', embedding: new Float32Array([0, 1, 0, 0]), half: null, bits: null },
    ]);
    const docs = await repo.find({ order: { id: 'ASC' } });
    expect(docs.map((d) => d.embedding)).toEqual([f32([0.5, 0.2, 0.9, 0.3]), [1, 0, 0, 0], [0, 1, 0, 0]]);
    // 0.1 is not a float16: the nearest one is 0.0999755859375 (hand-derived: 1638/16384).
    expect(docs[0]!.half).toEqual([0.0999755859375, 1, 2, 3]);
    expect(docs.map((d) => d.bits)).toEqual(['10100000', '11110000', null]);
    const text = await db().query<{ t: string }>(`SELECT embedding::text AS t FROM document ORDER BY id LIMIT 1`);
    expect(text[0]!.t).toBe('[0.5,0.2,0.9,0.3]');

    const science = ds.getRepository(ScienceData);
    await science.save({ name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) });
    const a = await science.findOneByOrFail({ name: 'Sample A' });
    expect(isSparseVector(a.features)).toBe(true);
    expect(a.features.dimensions).toBe(10000);
    expect(a.features.indices).toEqual([0, 42]);
    expect(a.features.values).toEqual(f32([5.5, 1.2]));
    // The server stores pgvector's 1-based text: position 0 is "1", 42 is "43".
    const stored = await db().query<{ t: string }>(
      `SELECT features::text AS t FROM science_data WHERE name = 'Sample A'`,
    );
    expect(stored[0]!.t).toBe('{1:5.5,43:1.2}/10000');
  });

  it('refuses a vector of the wrong size before it reaches the database', async () => {
    const error = await ds
      .getRepository(Document)
      .save({ title: 'bad', embedding: [1, 2, 3] })
      .catch((e: unknown) => e);
    expect(isVecpgError(error) && error.code).toBe('DIMENSION_MISMATCH');
    expect(await ds.getRepository(Document).countBy({ title: 'bad' })).toBe(0);
  });

  describe("the Django walkthrough's three query patterns on sparse vectors", () => {
    const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
    // Hand-derived cosine distances to the target: 1 - a·t / (|a| |t|).
    const norm = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0));
    const t = norm([5.1, 1.0]);
    const expected: Record<string, number> = {
      'Sample A': 1 - (5.5 * 5.1 + 1.2 * 1.0) / (norm([5.5, 1.2]) * t),
      'Sample B': 1 - (1 * 5.1) / (norm([1, 1]) * t),
      'Sample C': 1 - (3 * 1.0) / (3 * t),
      'Sample D': 0,
    };
    beforeAll(async () => {
      await ds.getRepository(ScienceData).save([
        { name: 'Sample B', features: new SparseVector({ 0: 1, 9999: 1 }, 10000) },
        { name: 'Sample C', features: new SparseVector({ 42: 3 }, 10000) },
        { name: 'Sample D', features: new SparseVector({ 0: 5.1, 42: 1.0 }, 10000) },
      ]);
    });

    it('1. just ordering', async () => {
      const d = cosineDistance('data.features', target, { param: 'target' });
      const qb = ds
        .getRepository(ScienceData)
        .createQueryBuilder('data')
        .orderBy(d.exactSql)
        .setParameters(d.parameters)
        .limit(10);
      const [sql, params] = qb.getQueryAndParameters();
      expect(sql).toContain('ORDER BY ("data"."features" <=> CAST($1 AS sparsevec)) + 0 ASC LIMIT 10');
      expect(params).toEqual(['{1:5.1,43:1}/10000']);
      expect((await qb.getMany()).map((r) => r.name)).toEqual(['Sample D', 'Sample A', 'Sample B', 'Sample C']);
    });

    it('2. just annotating', async () => {
      const d = cosineDistance('data.features', target);
      const qb = ds
        .getRepository(ScienceData)
        .createQueryBuilder('data')
        .addSelect(d.sql, 'distance')
        .setParameters(d.parameters);
      expect(qb.getQuery()).toContain(
        `"data"."features" <=> CAST(:${Object.keys(d.parameters)[0]} AS sparsevec) AS "distance"`,
      );
      const rows = await getManyWithDistance(qb);
      expect(rows).toHaveLength(4);
      for (const { entity, distance } of rows) expect(distance).toBeCloseTo(expected[entity.name]!, 5);
    });

    it('3. annotate, filter on a threshold, order', async () => {
      const d = cosineDistance('data.features', target);
      const qb = ds
        .getRepository(ScienceData)
        .createQueryBuilder('data')
        .addSelect(d.sql, 'distance')
        .where(`${d.sql} < :maxDistance`, { maxDistance: 0.2 })
        .orderBy(d.exactSql)
        .setParameters(d.parameters);
      const rows = await getManyWithDistance(qb);
      expect(rows.map((r) => r.entity.name)).toEqual(['Sample D', 'Sample A']);
      expect(rows[1]!.distance).toBeCloseTo(expected['Sample A']!, 5);
      // The same numbers from the server's own operator on a literal.
      const server = await db().query<{ name: string; d: number }>(
        `SELECT name, features <=> '{1:5.1,43:1}/10000'::sparsevec AS d FROM science_data ORDER BY 2`,
      );
      expect(rows.map((r) => r.distance)).toEqual(server.slice(0, 2).map((r) => r.d));
    });

    it('the other distances on sparse vectors agree with hand-derived values', async () => {
      const repo = ds.getRepository(ScienceData);
      const at = async (d: ReturnType<typeof l2Distance>) =>
        (
          await getManyWithDistance(
            repo
              .createQueryBuilder('data')
              .addSelect(d.sql, 'distance')
              .setParameters(d.parameters)
              .where("data.name = 'Sample C'"),
          )
        )[0]!.distance;
      // C = {42: 3}, target = {0: 5.1, 42: 1}
      expect(await at(l2Distance('data.features', target))).toBeCloseTo(Math.sqrt(5.1 ** 2 + 2 ** 2), 5);
      expect(await at(maxInnerProduct('data.features', target))).toBeCloseTo(-3, 5);
      expect(await at(l1Distance('data.features', target))).toBeCloseTo(5.1 + 2, 5);
    });
  });

  it('dense distances in select, where and order by', async () => {
    const repo = ds.getRepository(Document);
    const q = [1, 0, 0, 0];
    const l2 = l2Distance('doc.embedding', q);
    const qb = repo
      .createQueryBuilder('doc')
      .addSelect(l2.sql, 'distance')
      .where(`${l2.sql} < :max`, { max: 1.2 })
      .orderBy(l2.exactSql)
      .setParameters(l2.parameters);
    expect(qb.getQueryAndParameters()[0]).toContain('"doc"."embedding" <-> CAST($1 AS vector)');
    const rows = await getManyWithDistance(qb);
    // 'class' is q itself; 'My First Doc' is sqrt(0.25+0.04+0.81+0.09) ≈ 1.0909 (float32 inputs); 'typed' is sqrt(2).
    expect(rows.map((r) => r.entity.title)).toEqual(['class', 'My First Doc']);
    expect(rows[1]!.distance).toBeCloseTo(Math.sqrt(0.25 + 0.04 + 0.81 + 0.09), 5);
    const byTitle = async (d: ReturnType<typeof l2Distance>, title: string) =>
      (
        await getManyWithDistance(
          repo
            .createQueryBuilder('doc')
            .addSelect(d.sql, 'distance')
            .setParameters(d.parameters)
            .where('doc.title = :title', { title }),
        )
      )[0]!.distance;
    expect(await byTitle(maxInnerProduct('doc.embedding', [0.5, 0.2, 0.9, 0.3]), 'class')).toBeCloseTo(-0.5, 6);
    expect(await byTitle(cosineDistance('doc.embedding', [0, 1, 0, 0]), 'typed')).toBeCloseTo(0, 6);
    expect(await byTitle(l1Distance('doc.embedding', q), 'typed')).toBeCloseTo(2, 6);
    // halfvec needs its type when queried with a plain array
    expect(await byTitle(l2Distance('doc.half', [0, 1, 2, 3], { type: 'halfvec' }), 'My First Doc')).toBeCloseTo(
      0.0999755859375,
      6,
    );
  });

  it('hamming and jaccard distances on bit columns', async () => {
    const repo = ds.getRepository(Document);
    const h = hammingDistance('doc.bits', '10110000');
    const qb = repo
      .createQueryBuilder('doc')
      .addSelect(h.sql, 'distance')
      .where('doc.bits IS NOT NULL')
      .orderBy(h.exactSql)
      .setParameters(h.parameters);
    expect(qb.getQueryAndParameters()[0]).toContain('"doc"."bits" <~> CAST($1 AS bit(8))');
    const rows = await getManyWithDistance(qb);
    // 10110000 vs 10100000: 1 bit differs; vs 11110000: 1 bit differs too (both 1): check the values.
    expect(rows.map((r) => r.distance)).toEqual([1, 1]);
    const j = jaccardDistance('doc.bits', '10110000');
    const jr = await getManyWithDistance(
      repo
        .createQueryBuilder('doc')
        .addSelect(j.sql, 'distance')
        .where("doc.title = 'My First Doc'")
        .setParameters(j.parameters),
    );
    // |a∧b| = 2 (10100000), |a∨b| = 3 → 1 - 2/3
    expect(jr[0]!.distance).toBeCloseTo(1 / 3, 6);
    expect(() => hammingDistance('doc.embedding', [1, 0, 0, 0])).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
  });
});
