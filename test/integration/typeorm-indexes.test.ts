import 'reflect-metadata';
import type { PGlite } from '@electric-sql/pglite';
import { isVecpgError } from 'vecpg';
import { CITUS_DETECT_SQL } from 'vecpg/sql';
import {
  BitColumn,
  HalfvecColumn,
  SparsevecColumn,
  VectorColumn,
  VectorIndex,
  createVectorIndex,
  pgliteOptions,
  registerVectorTypes,
  syncVectorSchema,
  vectorSearch,
} from 'vecpg/typeorm';
import { Column, DataSource, Entity, type Logger, PrimaryGeneratedColumn } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TestDb, describeEachTarget } from '../support/db.ts';
import { evaluations, explainScansWithoutSeqScan } from '../support/explain.ts';

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

function dataSourceFor(db: TestDb, entities: Array<new () => object>, logger?: Logger): DataSource {
  const base = db.target === 'server' ? { type: 'postgres' as const, url: db.url! } : pgliteOptions(db.raw as PGlite);
  return registerVectorTypes(new DataSource({ ...base, entities, ...(logger ? { logger, logging: true } : {}) }));
}

@Entity('probe')
class Probe {
  @PrimaryGeneratedColumn() id!: number;
  @VectorColumn(3, { nullable: true }) v!: number[] | null;
  @HalfvecColumn(3, { nullable: true }) h!: number[] | null;
  @SparsevecColumn(5, { nullable: true }) s!: unknown;
  @BitColumn(8, { nullable: true }) b!: string | null;
}

/** pgvector's operator classes, from the facts file: [property, distance, method, opclass]. */
const OPCLASSES = [
  ['v', 'l2', 'hnsw', 'vector_l2_ops'],
  ['v', 'ip', 'hnsw', 'vector_ip_ops'],
  ['v', 'cosine', 'hnsw', 'vector_cosine_ops'],
  ['v', 'l1', 'hnsw', 'vector_l1_ops'],
  ['v', 'l2', 'ivfflat', 'vector_l2_ops'],
  ['v', 'ip', 'ivfflat', 'vector_ip_ops'],
  ['v', 'cosine', 'ivfflat', 'vector_cosine_ops'],
  ['h', 'l2', 'hnsw', 'halfvec_l2_ops'],
  ['h', 'ip', 'hnsw', 'halfvec_ip_ops'],
  ['h', 'cosine', 'hnsw', 'halfvec_cosine_ops'],
  ['h', 'l1', 'hnsw', 'halfvec_l1_ops'],
  ['h', 'l2', 'ivfflat', 'halfvec_l2_ops'],
  ['h', 'ip', 'ivfflat', 'halfvec_ip_ops'],
  ['h', 'cosine', 'ivfflat', 'halfvec_cosine_ops'],
  ['s', 'l2', 'hnsw', 'sparsevec_l2_ops'],
  ['s', 'ip', 'hnsw', 'sparsevec_ip_ops'],
  ['s', 'cosine', 'hnsw', 'sparsevec_cosine_ops'],
  ['s', 'l1', 'hnsw', 'sparsevec_l1_ops'],
  ['b', 'hamming', 'hnsw', 'bit_hamming_ops'],
  ['b', 'jaccard', 'hnsw', 'bit_jaccard_ops'],
  ['b', 'hamming', 'ivfflat', 'bit_hamming_ops'],
] as const;
const indexName = (p: string, d: string, m: string) => `probe_${p}_${m}_${d}`;
for (const [property, distance, method] of OPCLASSES) {
  VectorIndex({
    name: indexName(property, distance, method),
    distance,
    method,
    ...(method === 'ivfflat' ? { lists: 1 } : {}),
  })(Probe.prototype, property);
}

@Entity('point')
class Point {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'text' }) category!: string;
  @VectorColumn(2)
  @VectorIndex({ name: 'point_embedding_hnsw', distance: 'l2', method: 'hnsw', m: 4, efConstruction: 8 })
  embedding!: number[];
}

describeEachTarget('typeorm indexes', (db) => {
  let ds: DataSource;
  const indexes = async () =>
    Object.fromEntries(
      (
        await db().query<{ indexname: string; indexdef: string }>(
          `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'probe'`,
        )
      ).map((r) => [r.indexname, r.indexdef]),
    );
  beforeAll(async () => {
    ds = dataSourceFor(db(), [Probe]);
    await ds.initialize();
    await ds.synchronize();
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  it('@VectorIndex creates every operator class pgvector has, and a second synchronize leaves them untouched', async () => {
    const created = await syncVectorSchema(ds);
    expect(created.filter((s) => s.startsWith('CREATE INDEX'))).toHaveLength(OPCLASSES.length);
    const before = await indexes();
    // pg_indexes leaves out a default opclass (vector_l2_ops for IVFFlat): read pg_index itself.
    const opclasses = await db().query<{ name: string; method: string; column: string; opclass: string }>(
      `SELECT i.relname AS name, am.amname AS method, a.attname AS column, opc.opcname AS opclass
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam
       JOIN pg_opclass opc ON opc.oid = x.indclass[0] JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
       WHERE x.indrelid = 'probe'::regclass AND am.amname IN ('hnsw', 'ivfflat') ORDER BY i.relname::text COLLATE "C"`,
    );
    expect(opclasses).toEqual(
      OPCLASSES.map(([property, distance, method, opclass]) => ({
        name: indexName(property, distance, method),
        method,
        column: property,
        opclass,
      })).sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
    expect((await ds.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
    await ds.synchronize();
    expect(await indexes()).toEqual(before);
    expect(await syncVectorSchema(ds)).toEqual([]);
  });

  it('an index TypeORM does not know is dropped by synchronize: declare it with @VectorIndex', async () => {
    await createVectorIndex(ds, { table: 'probe', column: 'v', type: 'vector', distance: 'l2', name: 'probe_adhoc' });
    expect(Object.keys(await indexes())).toContain('probe_adhoc');
    await ds.synchronize();
    expect(Object.keys(await indexes())).not.toContain('probe_adhoc');
  });

  it('refuses index options pgvector would refuse, before running anything', async () => {
    const attempt = (o: Partial<Parameters<typeof createVectorIndex>[1]>) =>
      createVectorIndex(ds, { table: 'probe', column: 's', type: 'sparsevec', distance: 'l2', ...o }).catch(
        (e: unknown) => (isVecpgError(e) ? e.code : e),
      );
    expect(await attempt({ method: 'ivfflat' })).toBe('UNSUPPORTED');
    expect(await attempt({ column: 'v', type: 'vector', m: 1 })).toBe('INVALID_OPTION');
    expect(await attempt({ column: 'v', type: 'vector', m: 16, efConstruction: 20 })).toBe('INVALID_OPTION');
    expect(await attempt({ column: 'b', type: 'bit', distance: 'jaccard', method: 'ivfflat' })).toBe('UNSUPPORTED');
  });
});

describeEachTarget('typeorm exact and approximate search', (db) => {
  let ds: DataSource;
  const log = new CaptureLogger();
  const points: Array<{ category: string; embedding: number[] }> = [];
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  for (let i = 0; i < 300; i++)
    points.push({ category: i % 2 ? 'a' : 'b', embedding: [rand(), rand()].map(Math.fround) });
  const query = [0.1, -0.2];
  /** True top-k by brute force over the inserted (float32) values. */
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
    ds = dataSourceFor(db(), [Point], log);
    await ds.initialize();
    await ds.synchronize();
    await syncVectorSchema(ds);
    await ds.getRepository(Point).save(points.map((p) => ({ ...p })));
    await ds.query('ANALYZE point');
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  it('exact search returns the true top-k although an HNSW index exists', async () => {
    log.queries = [];
    const hits = await vectorSearch(ds.getRepository(Point), { column: 'embedding', query, distance: 'l2', k: 5 });
    expect(hits.map((h) => h.entity.id)).toEqual(bruteForce(5).map((p) => p.id));
    hits.forEach((h, i) => expect(h.distance).toBeCloseTo(bruteForce(5)[i]!.d, 5));
    const select = log.queries.find((q) => q.sql.startsWith('SELECT'))!;
    expect(select.sql).toContain('ORDER BY ("item"."embedding" <-> CAST($1 AS vector)) + 0 ASC LIMIT 5');
    expect(select.params).toEqual(['[0.1,-0.2]']);
    expect(log.queries.some((q) => q.sql.includes('set_config'))).toBe(false);
  });

  it('exact search with a filter and a threshold', async () => {
    const truth = bruteForce(300, 'a')
      .filter((p) => p.d < 0.5)
      .slice(0, 7);
    const hits = await vectorSearch(ds.getRepository(Point), {
      column: 'embedding',
      query,
      distance: 'l2',
      k: 7,
      where: { category: 'a' },
      maxDistance: 0.5,
    });
    expect(hits.map((h) => h.entity.id)).toEqual(truth.map((p) => p.id));
    expect(hits.every((h) => h.entity.category === 'a' && h.distance < 0.5)).toBe(true);
  });

  it('approximate search uses the index with SET LOCAL settings, which end with the transaction', async () => {
    log.queries = [];
    // hnsw.ef_search = 1 keeps one candidate: the index scan yields a single row, which only happens when it is used.
    const one = await vectorSearch(ds.getRepository(Point), {
      column: 'embedding',
      query,
      distance: 'l2',
      k: 5,
      approximate: { efSearch: 1 },
    });
    expect(one).toHaveLength(1);
    // The first approximate search of a DataSource also asks once whether this is Citus (CITUS_DETECT_SQL).
    const queries = log.queries.filter((q) => !q.sql.includes(CITUS_DETECT_SQL));
    const sqls = queries.map((q) => q.sql);
    const setAt = sqls.findIndex((s) => s.includes("set_config('hnsw.ef_search', $1, true)"));
    expect(sqls[setAt - 1]).toBe('START TRANSACTION');
    expect(queries[setAt]!.params).toEqual(['1']);
    expect(sqls[setAt + 1]).toContain('ORDER BY "item"."embedding" <-> CAST($1 AS vector) ASC LIMIT 5');
    expect(sqls[setAt + 2]).toBe('COMMIT');
    expect((await ds.query('SHOW hnsw.ef_search'))[0]['hnsw.ef_search']).toBe('40');
    // An iterative scan keeps going until the LIMIT is met.
    const five = await vectorSearch(ds.getRepository(Point), {
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
      log.queries = [];
      const hits = await vectorSearch(ds.getRepository(Point), {
        column: 'embedding',
        query,
        distance: 'l2',
        k: 5,
        ...(exact ? {} : { approximate: { efSearch: 100 } }),
      });
      expect(hits.map((h) => h.entity.id)).toEqual(bruteForce(5).map((p) => p.id));
      const select = log.queries.find((q) => q.sql.startsWith('SELECT "item"'))!;
      const report = await explainScansWithoutSeqScan(db(), select.sql, select.params);
      plans[exact ? 'exact' : 'approximate'] = {
        sql: select.sql,
        evaluations: evaluations(report, '<->'),
        indexes: report.indexes,
      };
    }
    const expected = (d: string): string =>
      `SELECT "item"."id" AS "item_id", "item"."category" AS "item_category", "item"."embedding" AS "item_embedding", ${d} AS "vecpg_distance" FROM "point" "item" ORDER BY ${d} ASC LIMIT 5`;
    expect(plans).toEqual({
      exact: { sql: expected('("item"."embedding" <-> CAST($1 AS vector)) + 0'), evaluations: 1, indexes: [] },
      approximate: {
        sql: expected('"item"."embedding" <-> CAST($1 AS vector)'),
        evaluations: 1,
        indexes: ['point_embedding_hnsw'],
      },
    });
  });

  it('refuses contradictory or out-of-range settings', async () => {
    const code = (p: Promise<unknown>) => p.catch((e: unknown) => (isVecpgError(e) ? e.code : e));
    const repo = ds.getRepository(Point);
    expect(
      await code(
        vectorSearch(repo, { column: 'embedding', query, distance: 'l2', exact: true, approximate: { efSearch: 10 } }),
      ),
    ).toBe('INVALID_OPTION');
    expect(
      await code(vectorSearch(repo, { column: 'embedding', query, distance: 'l2', approximate: { efSearch: 5000 } })),
    ).toBe('INVALID_OPTION');
    expect(await code(vectorSearch(repo, { column: 'category', query, distance: 'l2' }))).toBe('INVALID_OPTION');
  });
});
