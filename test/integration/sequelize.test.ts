import { Bit, SparseVector, Vector, isSparseVector, isVecpgError } from 'vecpg';
import { CITUS_DETECT_SQL } from 'vecpg/sql';
import {
  BIT,
  HALFVEC,
  SPARSEVEC,
  VECTOR,
  addVectorIndex,
  cosineDistance,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  registerVectorTypes,
  setVectorStorage,
  syncVectorStorage,
  vectorIndex,
  vectorSearch,
} from 'vecpg/sequelize';
import { DataTypes, type Model, type ModelStatic, QueryTypes, Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGETS, type TestDb, openTestDb } from '../support/db.ts';
import { evaluations, explainScansWithoutSeqScan } from '../support/explain.ts';

/** Sequelize talks to PostgreSQL through `pg` only: these blocks run on the server target (DATABASE_URL). */
function describeOnServer(name: string, body: (db: () => TestDb) => void): void {
  if (!TARGETS.includes('server')) return;
  describe(`${name} [server]`, () => {
    let db: TestDb | undefined;
    beforeAll(async () => {
      db = await openTestDb('server');
    });
    afterAll(async () => {
      await db?.close();
    });
    body(() => db!);
  });
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (isVecpgError(e) ? e.code : e),
  );
const f32 = (xs: number[]) => xs.map(Math.fround);

describe('sequelize data types and distances (no database)', () => {
  it("importing vecpg/sequelize adds nothing to Sequelize's global DataTypes", () => {
    const names = ['VECTOR', 'HALFVEC', 'SPARSEVEC', 'BIT'];
    expect(names.filter((n) => n in DataTypes || n in (DataTypes as unknown as { postgres: object }).postgres)).toEqual(
      [],
    );
  });

  it('types render with their dimensions and refuse a missing one', () => {
    expect([VECTOR(4), HALFVEC(3072), SPARSEVEC(10000), BIT(64)].map((t) => t.toSql())).toEqual([
      'vector(4)',
      'halfvec(3072)',
      'sparsevec(10000)',
      'bit(64)',
    ]);
    expect(() => VECTOR(undefined as unknown as number)).toThrowError(
      expect.objectContaining({ code: 'INVALID_DIMENSIONS' }),
    );
    expect(() => VECTOR(16001)).toThrowError(expect.objectContaining({ code: 'INVALID_DIMENSIONS' }));
  });

  it('distance literals bind the vector in pgvector text (1-based sparse indices)', () => {
    const d = cosineDistance('features', new SparseVector({ 0: 5.1, 42: 1.0 }, 10000), { bind: 'target' });
    expect(d.sql).toBe('"features" <=> $target::sparsevec');
    expect(d.bind).toEqual({ target: '{1:5.1,43:1}/10000' });
    expect(hammingDistance(['Doc', 'bits'], '101', { bind: 'b' }).sql).toBe('"Doc"."bits" <~> $b::bit(3)');
    expect(() => hammingDistance('embedding', [1, 2])).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => l2Distance('x"; DROP TABLE t; --', [1])).not.toThrow();
    expect(l2Distance('x"y', [1], { bind: 'q' }).sql).toBe('"x""y" <-> $q::vector');
  });

  it('vectorIndex gives the opclass for the model indexes option and refuses what it cannot say', () => {
    expect(vectorIndex({ name: 'i', column: 'embedding', type: 'halfvec', distance: 'l1' })).toEqual({
      name: 'i',
      using: 'hnsw',
      fields: [{ name: 'embedding', operator: 'halfvec_l1_ops' }],
    });
    expect(() =>
      vectorIndex({ name: 'i', column: 'f', type: 'sparsevec', distance: 'l2', method: 'ivfflat' }),
    ).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => vectorIndex({ name: 'i', column: 'f', type: 'vector', distance: 'l2', m: 16 } as never)).toThrowError(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});

interface DocAttrs {
  id?: number;
  title: string;
  embedding: number[] | Vector | Float32Array;
  half?: number[] | null;
  bits?: string | Bit | null;
}
interface SciAttrs {
  id?: number;
  name: string;
  features: SparseVector;
}

describeOnServer('sequelize', (db) => {
  let sequelize: Sequelize;
  let Document: ModelStatic<Model<DocAttrs, DocAttrs>>;
  let ScienceData: ModelStatic<Model<SciAttrs, SciAttrs>>;
  const log: Array<{ sql: string; bind: unknown }> = [];
  const indexes = async (table: string) =>
    db().query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY 1`,
      [table],
    );

  beforeAll(async () => {
    sequelize = new Sequelize(db().url!, {
      dialect: 'postgres',
      logging: (sql, options) => log.push({ sql, bind: (options as { bind?: unknown }).bind }),
    });
    Document = sequelize.define<Model<DocAttrs, DocAttrs>>(
      'Document',
      {
        title: { type: DataTypes.STRING(255), allowNull: false },
        embedding: { type: VECTOR(4), allowNull: false },
        half: HALFVEC(4),
        bits: BIT(8),
      },
      {
        tableName: 'documents',
        timestamps: false,
        indexes: [
          vectorIndex({ name: 'documents_embedding_hnsw', column: 'embedding', type: 'vector', distance: 'cosine' }),
        ],
      },
    );
    ScienceData = sequelize.define<Model<SciAttrs, SciAttrs>>(
      'ScienceData',
      {
        name: { type: DataTypes.STRING(100), allowNull: false },
        features: { type: SPARSEVEC(10000), allowNull: false },
      },
      { tableName: 'science_data', timestamps: false },
    );
    await sequelize.sync();
  });
  afterAll(async () => {
    await sequelize?.close();
  });

  it('sync creates the columns with their types and the model index with its opclass; sync again changes nothing', async () => {
    const types = await db().query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = 'documents'::regclass AND a.attnum > 1 ORDER BY a.attnum`,
    );
    expect(types).toEqual([
      { name: 'title', type: 'character varying(255)' },
      { name: 'embedding', type: 'vector(4)' },
      { name: 'half', type: 'halfvec(4)' },
      { name: 'bits', type: 'bit(8)' },
    ]);
    const before = await indexes('documents');
    expect(before.find((i) => i.indexname === 'documents_embedding_hnsw')?.indexdef).toContain(
      'USING hnsw (embedding vector_cosine_ops)',
    );
    await setVectorStorage(sequelize, 'documents', 'embedding');
    const storage = async () =>
      (
        await db().query<{ s: string }>(
          `SELECT attstorage AS s FROM pg_attribute WHERE attrelid = 'documents'::regclass AND attname = 'embedding'`,
        )
      )[0]!.s;
    expect(await storage()).toBe('m');
    await sequelize.sync();
    expect(await storage()).toBe('m');
    await sequelize.sync({ alter: true });
    expect(await indexes('documents')).toEqual(before);
    // alter re-types every column (ALTER COLUMN … TYPE vector(4)), which resets the storage to the type's default…
    expect(await storage()).toBe('e');
    // …and syncVectorStorage puts MAIN back on every vecpg column of every model, then has nothing to do.
    expect(await syncVectorStorage(sequelize)).toEqual([
      'ALTER TABLE "documents" ALTER COLUMN "embedding" SET STORAGE MAIN',
      'ALTER TABLE "documents" ALTER COLUMN "half" SET STORAGE MAIN',
      'ALTER TABLE "documents" ALTER COLUMN "bits" SET STORAGE MAIN',
      'ALTER TABLE "science_data" ALTER COLUMN "features" SET STORAGE MAIN',
    ]);
    expect(await storage()).toBe('m');
    expect(await syncVectorStorage(sequelize)).toEqual([]);
  });

  it('writes arrays, Vector, Float32Array, SparseVector and bits as bound parameters; reads number[], SparseVector and strings', async () => {
    log.length = 0;
    await Document.create({
      title: 'My First Doc',
      embedding: [0.5, 0.2, 0.9, 0.3],
      half: [0.1, 1, 2, 3],
      bits: '10110000',
    });
    const insert = log.find((l) => l.sql.includes('INSERT INTO "documents"'))!;
    expect(insert.sql).toContain('VALUES (DEFAULT,$1,$2,$3,$4)');
    expect(insert.bind).toEqual(['My First Doc', '[0.5,0.2,0.9,0.3]', '[0.099975586,1,2,3]', '10110000']);
    await Document.bulkCreate([
      { title: 'Second Doc', embedding: new Vector([0.4, 0.3, 0.8, 0.2]), bits: new Bit('10100011') },
      { title: 'typed', embedding: new Float32Array([0, 1, 0, 0]) },
    ]);
    const docs = await Document.findAll({ order: [['id', 'ASC']] });
    expect(docs.map((d) => d.get('embedding'))).toEqual([
      f32([0.5, 0.2, 0.9, 0.3]),
      f32([0.4, 0.3, 0.8, 0.2]),
      [0, 1, 0, 0],
    ]);
    // 0.1 is not a float16: the nearest is 0.0999755859375 (1638/16384)
    expect(docs[0]!.get('half')).toEqual([0.0999755859375, 1, 2, 3]);
    expect(docs.map((d) => d.get('bits'))).toEqual(['10110000', '10100011', null]);

    await ScienceData.bulkCreate([
      { name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) },
      { name: 'Sample B', features: new SparseVector({ 0: 1, 9999: 1 }, 10000) },
      { name: 'Sample C', features: new SparseVector({ 42: 3 }, 10000) },
    ]);
    const a = await ScienceData.findOne({ where: { name: 'Sample A' } });
    const features = a!.get('features');
    expect(isSparseVector(features) && [features.indices, features.values, features.dimensions]).toEqual([
      [0, 42],
      f32([5.5, 1.2]),
      10000,
    ]);
    const stored = await db().query<{ t: string }>(
      `SELECT features::text AS t FROM science_data WHERE name = 'Sample A'`,
    );
    expect(stored[0]!.t).toBe('{1:5.5,43:1.2}/10000');
  });

  it('notices a changed sparse vector on save, and refuses a wrong size before the database', async () => {
    const c = (await ScienceData.findOne({ where: { name: 'Sample C' } }))!;
    c.set('features', new SparseVector({ 42: 2 }, 10000));
    expect(c.changed('features' as keyof typeof c)).toBe(true);
    await c.save();
    expect(
      (await db().query<{ t: string }>(`SELECT features::text AS t FROM science_data WHERE name = 'Sample C'`))[0]!.t,
    ).toBe('{43:2}/10000');
    c.set('features', new SparseVector({ 42: 3 }, 10000));
    await c.save();
    expect(await code(Document.create({ title: 'bad', embedding: [1, 2, 3] }))).toBe('DIMENSION_MISMATCH');
    expect(await Document.count({ where: { title: 'bad' } })).toBe(0);
  });

  it('registerVectorTypes parses pgvector values in raw queries of this instance only', async () => {
    const raw = () =>
      sequelize.query<{ e: unknown; f: unknown }>(
        `SELECT d.embedding AS e, s.features AS f FROM documents d, science_data s WHERE d.title = 'typed' AND s.name = 'Sample B'`,
        { type: QueryTypes.SELECT },
      );
    expect((await raw())[0]).toEqual({ e: '[0,1,0,0]', f: '{1:1,10000:1}/10000' });
    await registerVectorTypes(sequelize);
    const [row] = await raw();
    expect(row!.e).toEqual([0, 1, 0, 0]);
    expect(isSparseVector(row!.f) && row!.f.toObject()).toEqual({ 0: 1, 9999: 1 });
    const other = new Sequelize(db().url!, { dialect: 'postgres', logging: false });
    const [plain] = await other.query<{ e: unknown }>(`SELECT embedding AS e FROM documents WHERE title = 'typed'`, {
      type: QueryTypes.SELECT,
    });
    await other.close();
    expect(plain!.e).toBe('[0,1,0,0]');
  });

  describe("the Django walkthrough's three query patterns on sparse vectors", () => {
    const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
    const norm = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0));
    const cos: Record<string, number> = {
      'Sample A': 1 - (5.5 * 5.1 + 1.2 * 1.0) / (norm([5.5, 1.2]) * norm([5.1, 1])),
      'Sample B': 1 - 5.1 / (norm([1, 1]) * norm([5.1, 1])),
      'Sample C': 1 - 3 / (3 * norm([5.1, 1])),
    };

    it('1. just ordering', async () => {
      log.length = 0;
      const d = cosineDistance('features', target, { bind: 'target' });
      const rows = await ScienceData.findAll({ order: [[d.exact, 'ASC']], limit: 10, bind: d.bind });
      expect(rows.map((r) => r.get('name'))).toEqual(['Sample A', 'Sample B', 'Sample C']);
      const q = log.at(-1)!;
      expect(q.sql).toContain('ORDER BY ("features" <=> $1::sparsevec) + 0 ASC LIMIT 10');
      expect(q.bind).toEqual({ target: '{1:5.1,43:1}/10000' });
    });

    it('2. just annotating', async () => {
      const d = cosineDistance('features', target);
      const rows = await ScienceData.findAll({ attributes: { include: [[d.literal, 'distance']] }, bind: d.bind });
      expect(rows).toHaveLength(3);
      for (const r of rows) expect(r.get('distance')).toBeCloseTo(cos[String(r.get('name'))]!, 5);
    });

    it('3. annotate, filter on a threshold, order', async () => {
      log.length = 0;
      const d = cosineDistance('features', target, { bind: 'target' });
      const rows = await ScienceData.findAll({
        attributes: { include: [[d.literal, 'distance']] },
        where: d.below(0.2),
        order: [[d.exact, 'ASC']],
        bind: d.bind,
      });
      expect(rows.map((r) => r.get('name'))).toEqual(['Sample A']);
      expect(log.at(-1)!.sql).toContain('WHERE "features" <=> $1::sparsevec < 0.2 ORDER BY');
      const server = await db().query<{ d: number }>(
        `SELECT features <=> '{1:5.1,43:1}/10000'::sparsevec AS d FROM science_data WHERE name = 'Sample A'`,
      );
      expect(rows[0]!.get('distance')).toBe(server[0]!.d);
    });

    it('the other distances on sparse vectors', async () => {
      const at = async (d: ReturnType<typeof l2Distance>) =>
        Number(
          (await ScienceData.findOne({
            attributes: [[d.literal, 'distance']],
            where: { name: 'Sample C' },
            bind: d.bind,
          }))!.get('distance'),
        );
      // C = {42: 3}, target = {0: 5.1, 42: 1}
      expect(await at(l2Distance('features', target))).toBeCloseTo(Math.sqrt(5.1 ** 2 + 2 ** 2), 5);
      expect(await at(maxInnerProduct('features', target))).toBeCloseTo(-3, 5);
      expect(await at(l1Distance('features', target))).toBeCloseTo(7.1, 5);
    });
  });

  it('dense and bit distances in attributes, where and order', async () => {
    const q = [0.5, 0.2, 0.9, 0.3];
    const by = async (d: ReturnType<typeof l2Distance>, where = {}) =>
      (
        await Document.findAll({
          attributes: ['title', [d.literal, 'distance']],
          where,
          order: [[d.exact, 'ASC']],
          bind: d.bind,
        })
      ).map((r) => [r.get('title'), Number(r.get('distance'))]);
    expect(await by(l2Distance('embedding', q))).toEqual([
      ['My First Doc', 0],
      ['Second Doc', expect.closeTo(0.2, 6)],
      ['typed', expect.closeTo(Math.sqrt(0.25 + 0.64 + 0.81 + 0.09), 6)],
    ]);
    expect((await by(maxInnerProduct('embedding', q)))[0]).toEqual(['My First Doc', expect.closeTo(-1.19, 6)]);
    expect((await by(l1Distance('embedding', q)))[1]).toEqual(['Second Doc', expect.closeTo(0.4, 6)]);
    expect((await by(cosineDistance('embedding', [0, 1, 0, 0])))[0]).toEqual(['typed', expect.closeTo(0, 6)]);
    expect(
      (await by(l2Distance('half', [0, 1, 2, 3], { type: 'halfvec' }), { title: 'My First Doc' }))[0]![1],
    ).toBeCloseTo(0.0999755859375, 6);
    // '10100000' vs '10110000': 1 bit apart, 2 shared of 3 set; vs '10100011': 2 apart, 2 of 4
    expect(await by(hammingDistance('bits', '10100000'), { title: ['My First Doc', 'Second Doc'] })).toEqual([
      ['My First Doc', 1],
      ['Second Doc', 2],
    ]);
    expect(await by(jaccardDistance('bits', '10100000'), { title: ['My First Doc', 'Second Doc'] })).toEqual([
      ['My First Doc', expect.closeTo(1 / 3, 6)],
      ['Second Doc', expect.closeTo(0.5, 6)],
    ]);
  });

  it('addVectorIndex creates every opclass pgvector has with validated options, and sync leaves them alone', async () => {
    await sequelize.query(
      'CREATE TABLE probe (id serial PRIMARY KEY, v vector(3), h halfvec(3), s sparsevec(5), b bit(8))',
    );
    const table = [
      ['v', 'vector', 'l2', 'hnsw', 'vector_l2_ops'],
      ['v', 'vector', 'ip', 'hnsw', 'vector_ip_ops'],
      ['v', 'vector', 'cosine', 'hnsw', 'vector_cosine_ops'],
      ['v', 'vector', 'l1', 'hnsw', 'vector_l1_ops'],
      ['v', 'vector', 'l2', 'ivfflat', 'vector_l2_ops'],
      ['v', 'vector', 'ip', 'ivfflat', 'vector_ip_ops'],
      ['v', 'vector', 'cosine', 'ivfflat', 'vector_cosine_ops'],
      ['h', 'halfvec', 'l2', 'hnsw', 'halfvec_l2_ops'],
      ['h', 'halfvec', 'ip', 'hnsw', 'halfvec_ip_ops'],
      ['h', 'halfvec', 'cosine', 'hnsw', 'halfvec_cosine_ops'],
      ['h', 'halfvec', 'l1', 'hnsw', 'halfvec_l1_ops'],
      ['h', 'halfvec', 'l2', 'ivfflat', 'halfvec_l2_ops'],
      ['h', 'halfvec', 'ip', 'ivfflat', 'halfvec_ip_ops'],
      ['h', 'halfvec', 'cosine', 'ivfflat', 'halfvec_cosine_ops'],
      ['s', 'sparsevec', 'l2', 'hnsw', 'sparsevec_l2_ops'],
      ['s', 'sparsevec', 'ip', 'hnsw', 'sparsevec_ip_ops'],
      ['s', 'sparsevec', 'cosine', 'hnsw', 'sparsevec_cosine_ops'],
      ['s', 'sparsevec', 'l1', 'hnsw', 'sparsevec_l1_ops'],
      ['b', 'bit', 'hamming', 'hnsw', 'bit_hamming_ops'],
      ['b', 'bit', 'jaccard', 'hnsw', 'bit_jaccard_ops'],
      ['b', 'bit', 'hamming', 'ivfflat', 'bit_hamming_ops'],
    ] as const;
    for (const [column, type, distance, method] of table) {
      await addVectorIndex(sequelize, {
        table: 'probe',
        column,
        type,
        distance,
        method,
        ...(method === 'hnsw' ? { m: 8, efConstruction: 16 } : { lists: 1 }),
      });
    }
    const found = await db().query<{ name: string; column: string; method: string; opclass: string }>(
      `SELECT i.relname AS name, a.attname AS column, am.amname AS method, opc.opcname AS opclass FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_am am ON am.oid = i.relam JOIN pg_opclass opc ON opc.oid = x.indclass[0] JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
       WHERE x.indrelid = 'probe'::regclass AND am.amname IN ('hnsw', 'ivfflat')`,
    );
    expect(found.map((f) => `${f.column} ${f.method} ${f.opclass}`).sort()).toEqual(
      table.map(([c, , , m, o]) => `${c} ${m} ${o}`).sort(),
    );
    expect((await indexes('probe')).find((i) => i.indexname === 'probe_v_hnsw_l2_idx')?.indexdef).toContain(
      "WITH (m='8', ef_construction='16')",
    );
    const before = await indexes('probe');
    await sequelize.sync({ alter: true });
    expect(await indexes('probe')).toEqual(before);
    expect(
      await code(
        addVectorIndex(sequelize, {
          table: 'probe',
          column: 's',
          type: 'sparsevec',
          distance: 'l2',
          method: 'ivfflat',
        }),
      ),
    ).toBe('UNSUPPORTED');
    expect(
      await code(
        addVectorIndex(sequelize, {
          table: 'probe',
          column: 'v',
          type: 'vector',
          distance: 'l2',
          m: 16,
          efConstruction: 20,
        }),
      ),
    ).toBe('INVALID_OPTION');
  });
});

describeOnServer('sequelize exact and approximate search', (db) => {
  let sequelize: Sequelize;
  let Point: ModelStatic<Model<{ id?: number; category: string; embedding: number[] }>>;
  const log: Array<{ sql: string; bind: unknown }> = [];
  const points: Array<{ category: string; embedding: number[] }> = [];
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  for (let i = 0; i < 300; i++)
    points.push({ category: i % 2 ? 'a' : 'b', embedding: [rand(), rand()].map(Math.fround) });
  const query = [0.1, -0.2];
  const bruteForce = (k: number, category?: string) =>
    points
      .map((p, i) => ({
        id: i + 1,
        category: p.category,
        d: Math.hypot(p.embedding[0]! - query[0]!, p.embedding[1]! - query[1]!),
      }))
      .filter((p) => category === undefined || p.category === category)
      .sort((a, b) => a.d - b.d)
      .slice(0, k);

  beforeAll(async () => {
    sequelize = new Sequelize(db().url!, {
      dialect: 'postgres',
      logging: (sql, o) => log.push({ sql, bind: (o as { bind?: unknown }).bind }),
    });
    Point = sequelize.define(
      'Point',
      { category: DataTypes.TEXT, embedding: { type: VECTOR(2), allowNull: false } },
      { tableName: 'points', timestamps: false },
    );
    await sequelize.sync();
    await addVectorIndex(sequelize, {
      table: 'points',
      column: 'embedding',
      type: 'vector',
      distance: 'l2',
      m: 4,
      efConstruction: 8,
    });
    await Point.bulkCreate(points.map((p) => ({ ...p })));
    await sequelize.query('ANALYZE points');
  });
  afterAll(async () => {
    await sequelize?.close();
  });

  it('exact search returns the true top-k although an HNSW index exists', async () => {
    log.length = 0;
    const hits = await vectorSearch(Point, { column: 'embedding', query, distance: 'l2', k: 5 });
    expect(hits.map((h) => h.instance.get('id'))).toEqual(bruteForce(5).map((p) => p.id));
    hits.forEach((h, i) => expect(h.distance).toBeCloseTo(bruteForce(5)[i]!.d, 5));
    expect(log.at(-1)!.sql).toContain(
      '("Point"."embedding" <-> $1::vector) + 0 AS "vecpg_distance" FROM "points" AS "Point" ORDER BY "vecpg_distance" ASC LIMIT 5',
    );
    expect(log.some((l) => l.sql.includes('set_config'))).toBe(false);
  });

  it('exact search with a filter and a threshold', async () => {
    const truth = bruteForce(300, 'a')
      .filter((p) => p.d < 0.5)
      .slice(0, 7);
    const hits = await vectorSearch(Point, {
      column: 'embedding',
      query,
      distance: 'l2',
      k: 7,
      where: { category: 'a' },
      maxDistance: 0.5,
    });
    expect(hits.map((h) => h.instance.get('id'))).toEqual(truth.map((p) => p.id));
  });

  it('approximate search uses the index with SET LOCAL settings that end with the transaction', async () => {
    log.length = 0;
    const one = await vectorSearch(Point, {
      column: 'embedding',
      query,
      distance: 'l2',
      k: 5,
      approximate: { efSearch: 1 },
    });
    expect(one).toHaveLength(1); // ef_search = 1: only an index scan returns fewer rows than the LIMIT
    // The first approximate search of an instance also asks once whether this is Citus (CITUS_DETECT_SQL).
    const statements = log.filter((l) => !l.sql.includes(CITUS_DETECT_SQL));
    const sqls = statements.map((l) => l.sql);
    const at = sqls.findIndex((s) => s.includes("set_config('hnsw.ef_search', $1, true)"));
    expect(sqls[at - 1]).toContain('START TRANSACTION');
    expect(statements[at]!.bind).toEqual(['1']);
    // Sequelize orders by the selected alias: the same expression, which the index serves.
    expect(sqls[at + 1]).toContain(
      '"Point"."embedding" <-> $1::vector AS "vecpg_distance" FROM "points" AS "Point" ORDER BY "vecpg_distance" ASC LIMIT 5',
    );
    expect(sqls[at + 2]).toContain('COMMIT');
    const [ef] = await sequelize.query<{ hnsw_ef_search: string }>('SELECT current_setting($1) AS hnsw_ef_search', {
      bind: ['hnsw.ef_search'],
      type: QueryTypes.SELECT,
    });
    expect(ef!.hnsw_ef_search).toBe('40');
    const five = await vectorSearch(Point, {
      column: 'embedding',
      query,
      distance: 'l2',
      k: 5,
      approximate: { efSearch: 1, iterativeScan: 'relaxed_order' },
    });
    expect(five).toHaveLength(5);
  });

  it('EXPLAIN VERBOSE: vectorSearch computes the distance once per row; only the approximate search can use the index', async () => {
    const plans: Record<string, { sql: string; evaluations: number; indexes: string[] }> = {};
    for (const exact of [true, false]) {
      log.length = 0;
      const hits = await vectorSearch(Point, {
        column: 'embedding',
        query,
        distance: 'l2',
        k: 5,
        ...(exact ? {} : { approximate: { efSearch: 100 } }),
      });
      expect(hits.map((h) => h.instance.get('id'))).toEqual(bruteForce(5).map((p) => p.id));
      const sql = log.map((l) => l.sql.replace(/^Executing \([^)]*\): /, '')).find((q) => q.startsWith('SELECT "id"'))!;
      // The one bound value is the query vector ($1).
      const report = await explainScansWithoutSeqScan(db(), sql, ['[0.1,-0.2]']);
      plans[exact ? 'exact' : 'approximate'] = {
        sql,
        evaluations: evaluations(report, '<->'),
        indexes: report.indexes,
      };
    }
    const expected = (d: string): string =>
      `SELECT "id", "category", "embedding", ${d} AS "vecpg_distance" FROM "points" AS "Point" ORDER BY "vecpg_distance" ASC LIMIT 5;`;
    expect(plans).toEqual({
      exact: { sql: expected('("Point"."embedding" <-> $1::vector) + 0'), evaluations: 1, indexes: [] },
      approximate: {
        sql: expected('"Point"."embedding" <-> $1::vector'),
        evaluations: 1,
        indexes: ['points_embedding_hnsw_l2_idx'],
      },
    });
  });

  it('refuses contradictory or out-of-range settings and non-vector columns', async () => {
    expect(
      await code(
        vectorSearch(Point, { column: 'embedding', query, distance: 'l2', exact: true, approximate: { efSearch: 10 } }),
      ),
    ).toBe('INVALID_OPTION');
    expect(
      await code(vectorSearch(Point, { column: 'embedding', query, distance: 'l2', approximate: { probes: 0 } })),
    ).toBe('INVALID_OPTION');
    expect(await code(vectorSearch(Point, { column: 'category', query, distance: 'l2' }))).toBe('INVALID_OPTION');
  });
});
